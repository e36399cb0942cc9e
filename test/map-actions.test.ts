/**
 * Complete answers in the GitHub gate action (the committed bundle, run as the runner runs it):
 * a proxy that hides the scanner's `untrusted` entry, or the map proof, makes the step fail with
 * the verification failure named — never an allow, and no `decision` output a later step could
 * trust.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runAction, type ActionRun } from './support/actions-runner.ts';
import { assertion, startHarness, type Harness } from './support/service-harness.ts';
import { startTamperProxy, type TamperProxy } from './support/service-tamper-proxy.ts';
import { createHash } from 'node:crypto';

type WireEntry = { entry: { identity: { name: string } } };

let h: Harness;
let proxy: TamperProxy;
let dir: string;
const artifact = 'the release artifact, map edition\n';
const digest = `sha256:${createHash('sha256').update(artifact).digest('hex')}`;

beforeAll(async () => {
  h = await startHarness();
  proxy = await startTamperProxy(h.url);
  dir = await mkdtemp(path.join(os.tmpdir(), 'map-actions-'));
  await writeFile(path.join(dir, 'app.tgz'), artifact);
  await writeFile(
    path.join(dir, 'policy.yml'),
    'version: 1\nrequire:\n  - {role: pipeline, status: trusted}\nblock:\n  - {status: untrusted}\n',
  );
  await (await h.client({ token: h.keys.pipeline })).append([assertion(digest, 'trusted')]);
  await (await h.client({ token: h.keys.scanner })).append([assertion(digest, 'untrusted')]);
}, 30_000);
afterAll(async () => {
  await proxy.close();
  await h.close();
  await rm(dir, { recursive: true, force: true });
});
afterEach(() => {
  proxy.rewrite = undefined;
});

let attempt = 0;
function gate(): Promise<ActionRun> {
  return runAction('gate', {
    cwd: dir,
    job: {
      GITHUB_REPOSITORY: 'acme/widgets',
      GITHUB_RUN_ID: '77',
      GITHUB_RUN_ATTEMPT: String(++attempt),
      GITHUB_JOB: 'release',
    },
    inputs: {
      subjects: 'app.tgz',
      policy: 'policy.yml',
      ledger: proxy.url,
      'ledger-key': h.vkey,
    },
  });
}

describe('the gate action against a lying ledger', () => {
  it('honest answer (control): the scanner blocks', async () => {
    const run = await gate();
    expect(run.code).toBe(1);
    expect(run.outputs.decision).toBe('block');
  });

  it('a hidden untrusted entry fails the step as a verification failure', async () => {
    proxy.rewrite = (p, body) => {
      if (p.startsWith('/v1/lookup/status')) {
        body.entries = (body.entries as WireEntry[]).filter(
          (e) => e.entry.identity.name !== 'scanner-bot',
        );
      }
      return body;
    };
    const run = await gate();
    // A failed step (the runner knows only success and failure) with no decision output, and an
    // error annotation that names the verification failure.
    expect(run.code).toBe(1);
    expect(run.outputs.decision).toBeUndefined();
    expect(
      run.annotations.some((a) => a.level === 'error' && /INCOMPLETE_ANSWER/.test(a.message)),
    ).toBe(true);
  });

  it('an answer without its map proof fails the step the same way', async () => {
    proxy.rewrite = (p, body) => {
      if (p.startsWith('/v1/lookup/status')) delete body.map;
      return body;
    };
    const run = await gate();
    expect(run.code).toBe(1);
    expect(run.outputs.decision).toBeUndefined();
    expect(
      run.annotations.some((a) => a.level === 'error' && /INCOMPLETE_ANSWER/.test(a.message)),
    ).toBe(true);
  });
});
