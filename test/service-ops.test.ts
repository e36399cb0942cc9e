/** Operations: structured logs without secrets, trust on first use over HTTP, metrics. */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { openLedgerClient } from '@notarize/client';
import { jsonLogger } from '../packages/server/src/service/index.ts';
import { assertion, digestOf, startHarness, type Harness } from './support/service-harness.ts';

const lines: string[] = [];
let h: Harness;
let tmp: string;
beforeAll(async () => {
  h = await startHarness({ logger: jsonLogger('debug', (line) => lines.push(line)) });
  tmp = await mkdtemp(path.join(os.tmpdir(), 'ops-'));
});
afterAll(async () => {
  await h.close();
  await rm(tmp, { recursive: true, force: true });
});

describe('service operations', () => {
  it('logs one JSON object per request, with the identity and never the credential', async () => {
    const client = await h.client({ token: h.keys.qa });
    await client.append([assertion(digestOf('ops'))]);
    await fetch(`${h.url}/v1/entries`, {
      method: 'POST',
      headers: { authorization: `Bearer ${h.keys.admin}x`, 'content-type': 'application/json' },
      body: '{}',
    });
    const records = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    const write = records.find(
      (r) => r.msg === 'request' && r.route === 'entries' && r.status === 201,
    );
    expect(write).toMatchObject({ level: 'info', method: 'POST', identity: 'qa-bot' });
    expect(typeof write!.ms).toBe('number');
    // A refusal's access line says why, with the auth package's code (docs/operations.md).
    const refused = records.find((r) => r.route === 'entries' && r.status === 401);
    expect(refused).toMatchObject({ msg: 'request', reason: 'AUTH_BAD_API_KEY' });
    expect(write).not.toHaveProperty('reason');
    const all = lines.join('\n');
    for (const key of Object.values(h.keys)) expect(all).not.toContain(key.slice(3, 20));
  });

  it('trusts the key on first use with a loud notice, then holds the client to it', async () => {
    const statePath = path.join(tmp, 'state.json');
    const notices: string[] = [];
    const open = () =>
      openLedgerClient(h.url, {
        statePath,
        dispatcher: h.dispatcher,
        env: {},
        notice: (m) => notices.push(m),
      });
    const first = await open();
    expect((await first.info()).vkey).toBe(h.vkey);
    await first.close();
    expect(notices.join('\n')).toContain(`WARNING: no key pinned for ledger ${h.url}`);
    expect(notices.join('\n')).toContain(h.vkey);
    const second = await open();
    await second.checkpoint();
    await second.close();
    expect(notices.filter((n) => n.includes('WARNING'))).toHaveLength(1);
    // NOTARIZE_LEDGER_KEY wins over the pin.
    const pinned = await openLedgerClient(h.url, {
      statePath,
      dispatcher: h.dispatcher,
      env: { NOTARIZE_LEDGER_KEY: 'other.example/l+00000000+AQ==' },
      notice: () => {},
    }).catch((e: unknown) => e);
    expect(pinned).toMatchObject({ code: 'KEY_INVALID', category: 'input' });
  });

  it('exposes Prometheus metrics for appends, latency, tree size and errors', async () => {
    const text = await (await fetch(`${h.url}/metrics`)).text();
    expect(text).toMatch(/^notarize_appends_total [1-9]/m);
    expect(text).toMatch(/^notarize_tree_size [1-9]/m);
    expect(text).toMatch(
      /notarize_http_request_duration_seconds_bucket\{le="\+Inf",route="entries"\} [1-9]/,
    );
    expect(text).toMatch(/notarize_errors_total\{code="UNAUTHENTICATED"\} [1-9]/);
    expect(text).toMatch(
      /^notarize_auth_failures_total\{code="UNAUTHENTICATED",reason="AUTH_BAD_API_KEY"\} [1-9]/m,
    );
    // Process and runtime metrics, under prom-client's names.
    for (const name of [
      'process_cpu_user_seconds_total',
      'process_resident_memory_bytes',
      'process_start_time_seconds',
      'process_open_fds',
      'nodejs_heap_size_used_bytes',
      'nodejs_eventloop_lag_p99_seconds',
      'nodejs_active_resources_total',
    ]) {
      expect(text).toMatch(new RegExp(`^${name} [0-9.e+-]+$`, 'm'));
    }
    expect(text).toContain(`nodejs_version_info{version="${process.version}"} 1`);
    expect(Number(/^process_resident_memory_bytes (\d+)$/m.exec(text)![1])).toBeGreaterThan(1e6);
  });

  it('answers an unknown path with a 404 that names where the API is documented', async () => {
    const res = await fetch(`${h.url}/v2/nothing`);
    expect(res.status).toBe(404);
    const body = (await res.json()) as { code: string; message: string };
    expect(body.code).toBe('NOT_FOUND');
    expect(body.message).toContain('packages/server/src/service/API.md');
    expect(existsSync(path.resolve('packages/server/src/service/API.md'))).toBe(true);
  });
});
