/** `notarize audit`: follows a service through its tiles and catches lookups that hide entries. */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { Command } from 'commander';
import { decodeEntryBundle, rootFromLeafHashes } from '@notarize/tlog';
import type { HttpLedgerClient } from '@notarize/client';
import { auditLedger, openLedgerClient } from '@notarize/client';
import { registerAudit } from '../packages/cli/src/commands/audit.ts';
import type { CommandContext } from '../packages/cli/src/context.ts';
import {
  assertion,
  digestOf,
  evidence,
  startHarness,
  type Harness,
} from './support/service-harness.ts';
import { startTamperProxy, type TamperProxy } from './support/service-tamper-proxy.ts';

let h: Harness;
let proxy: TamperProxy;
let tmp: string;
const hidden = digestOf('audit-hidden');

beforeAll(async () => {
  h = await startHarness();
  proxy = await startTamperProxy(h.url);
  tmp = await mkdtemp(path.join(os.tmpdir(), 'audit-'));
  const writer = await h.client({ token: h.keys.pipeline });
  // 300 entries: more than one entry bundle (256), a partial one, repeated subjects and jobs.
  // With the map head closing each batch the log holds 6 * 51 + 3 = 309 entries.
  for (let b = 0; b < 6; b++) {
    await writer.append(
      Array.from({ length: 50 }, (_, i) =>
        assertion(digestOf(`audit-${(b * 50 + i) % 120}`), 'trusted', {
          provider: 'github',
          project: 'acme/w',
          jobId: String(i % 7),
        }),
      ),
    );
  }
  // Evidence entries need their blob in the service's store (BLOB_MISSING otherwise).
  const blob = await writer.putBlob(new TextEncoder().encode('log'));
  await writer.append([
    assertion(hidden, 'untrusted'),
    evidence(hidden, blob.digest, 'job-hidden'),
  ]);
});
afterAll(async () => {
  await proxy.close();
  await h.close();
  await rm(tmp, { recursive: true, force: true });
});
afterEach(() => {
  proxy.rewrite = undefined;
});

async function client(): Promise<HttpLedgerClient> {
  return (await openLedgerClient(proxy.url, {
    vkey: h.vkey,
    statePath: false,
    dispatcher: h.dispatcher,
    env: {},
    notice: () => {},
  })) as HttpLedgerClient;
}

describe('audit', () => {
  it('verifies an honest ledger: every entry, the root, and sampled lookups', async () => {
    const c = await client();
    try {
      const report = await auditLedger(c, { sample: 1000 });
      expect(report.entries).toBe(309);
      expect(report.subjectsChecked).toBe(121); // 120 artifacts + the hidden one
      expect(report.jobsChecked).toBe(8);
    } finally {
      await c.close();
    }
  });

  it('catches a lookup that hides an entry the log holds', async () => {
    proxy.rewrite = (p, body) => {
      if (p.startsWith(`/v1/subjects/${hidden}`)) {
        const entries = body.entries as {
          entry: { statement: { predicate: { status?: string } } };
        }[];
        return {
          ...body,
          entries: entries.filter((e) => e.entry.statement.predicate.status !== 'untrusted'),
        };
      }
      return body;
    };
    const c = await client();
    try {
      // The client's check of the answer against the signed lookup map catches the omission
      // before the audit's own comparison with the log would.
      await expect(auditLedger(c, { sample: 1000 })).rejects.toMatchObject({
        code: 'INCOMPLETE_ANSWER',
        category: 'verification',
      });
    } finally {
      await c.close();
    }
  });

  it('serves tiles whose hashes are the tree: full tiles immutable, partial ones short-lived', async () => {
    const full = await fetch(`${h.url}/tile/0/000`);
    expect(full.headers.get('cache-control')).toContain('immutable');
    const hashes = Buffer.from(await full.arrayBuffer());
    expect(hashes.length).toBe(8192);
    const bundle = decodeEntryBundle(
      new Uint8Array(await (await fetch(`${h.url}/tile/entries/000`)).arrayBuffer()),
    );
    expect(bundle).toHaveLength(256);
    // Map heads are ordinary entries of the bundles (the first batch's is entry 50).
    expect(JSON.parse(Buffer.from(bundle[50]!).toString()).kind).toBe('map-head');
    bundle.forEach((entry, i) => {
      const leaf = createHash('sha256')
        .update(Buffer.from([0]))
        .update(entry)
        .digest();
      expect(leaf.equals(hashes.subarray(i * 32, i * 32 + 32))).toBe(true);
    });
    const level1 = await fetch(`${h.url}/tile/1/000.p/1`);
    expect(level1.headers.get('cache-control')).not.toContain('immutable');
    const leaves = Array.from(
      { length: 256 },
      (_, i) => new Uint8Array(hashes.subarray(i * 32, i * 32 + 32)),
    );
    expect(
      Buffer.from(await level1.arrayBuffer()).equals(Buffer.from(rootFromLeafHashes(leaves))),
    ).toBe(true);
    // 309 entries: 53 in the partial second bundle.
    expect((await fetch(`${h.url}/tile/entries/001.p/53`)).status).toBe(200);
    expect((await fetch(`${h.url}/tile/entries/001.p/54`)).status).toBe(404);
  });

  it('runs as `notarize audit --json` with a state file', async () => {
    const printed: string[] = [];
    const ctx: CommandContext = {
      output: {
        print: (t) => printed.push(t),
        json: (v) => printed.push(JSON.stringify(v)),
        notice: () => {},
        interactive: false,
      },
      env: {},
      cwd: tmp,
      setExitCode: () => {},
    };
    const program = new Command('notarize').exitOverride();
    registerAudit(program, ctx);
    await program.parseAsync(
      [
        'audit',
        '--ledger',
        h.url,
        '--ledger-key',
        h.vkey,
        '--state',
        path.join(tmp, 'state.json'),
        '--json',
      ],
      { from: 'user' },
    );
    expect(JSON.parse(printed[0]!)).toMatchObject({ ok: true, entries: 309 });
  });
});
