/**
 * Complete answers: a ledger (or anyone between it and a gate) that hides, adds, reorders or
 * alters entries of a lookup, or lies about the lookup map, is caught — `status`, `gate`,
 * `history` and `evidence get` end in exit 20, never in an allow, and print no decision.
 * The attack the lookup map exists for: hiding a scanner's `untrusted` revision.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { notarizeCli, type CliRun } from './support/cli.ts';
import { assertion, digestOf, startHarness, type Harness } from './support/service-harness.ts';
import { startTamperProxy, type TamperProxy } from './support/service-tamper-proxy.ts';

type WireEntry = { index: number; entry: Record<string, unknown>; proof: string[] };
type WireMap = { head: WireEntry; keys: string[]; values: unknown[]; proof: string };
type Bundle = { entries: WireEntry[]; map?: WireMap; tree: { size: number } };

let h: Harness;
let proxy: TamperProxy;
let tmp: string;
let policy: string;
const digest = digestOf('omission-subject');
let staleMap: WireMap;
let olderMapHead: WireEntry;

beforeAll(async () => {
  h = await startHarness();
  proxy = await startTamperProxy(h.url);
  tmp = await mkdtemp(path.join(os.tmpdir(), 'omission-'));
  policy = path.join(tmp, 'policy.yaml');
  await writeFile(
    policy,
    'version: 1\nrequire:\n  - {role: pipeline, status: trusted}\nblock:\n  - {status: untrusted}\n',
  );
  const pipeline = await h.client({ token: h.keys.pipeline });
  const scanner = await h.client({ token: h.keys.scanner });
  const job = { provider: 'github', project: 'acme/widgets', jobId: '5555' };
  await pipeline.append([assertion(digest, 'trusted', job)]);
  staleMap = ((await (await fetch(`${h.url}/v1/subjects/${digest}`)).json()) as Bundle).map!;
  await pipeline.append([assertion(digestOf('unrelated'), 'trusted')]);
  olderMapHead = ((await (await fetch(`${h.url}/v1/subjects/${digest}`)).json()) as Bundle).map!
    .head;
  // The revision trust agility exists to deliver: the scanner untrusts the artifact.
  await scanner.append([assertion(digest, 'untrusted', job)]);
});
afterAll(async () => {
  await proxy.close();
  await h.close();
  await rm(tmp, { recursive: true, force: true });
});
afterEach(() => {
  proxy.rewrite = undefined;
});

let runs = 0;
function cli(args: string[]): Promise<CliRun> {
  return notarizeCli([...args, '--json'], {
    cwd: tmp,
    env: {
      NOTARIZE_LEDGER: proxy.url,
      NOTARIZE_LEDGER_KEY: h.vkey,
      NOTARIZE_STATE: path.join(tmp, `state-${runs++}.json`),
    },
  });
}

const reads: [string, string[]][] = [
  ['status', ['status', digest]],
  ['gate', ['gate', digest, '--policy', '']],
  ['history', ['history', digest]],
  [
    'evidence get',
    ['evidence', 'get', '--job', '5555', '--provider', 'github', '--project', 'acme/widgets'],
  ],
];

function argsOf(args: string[]): string[] {
  return args.map((a) => (a === '' ? policy : a));
}

/** Every read ends in exit 20 and prints nothing that looks like a decision. */
async function expectCaught(): Promise<void> {
  for (const [name, args] of reads) {
    const run = await cli(argsOf(args));
    expect({ name, code: run.code }).toEqual({ name, code: 20 });
    expect(run.stdout).not.toMatch(/"decision"|allow/);
  }
}

/** Applies `edit` to every lookup answer (subjects, jobs, status lookups). */
function tamper(edit: (bundle: Bundle) => void): void {
  proxy.rewrite = (p, body) => {
    if (/^\/v1\/(subjects\/|jobs\?|lookup\/status)/.test(p)) edit(body as unknown as Bundle);
    return body;
  };
}

const scannerEntry = (e: WireEntry) =>
  (e.entry.identity as { name: string }).name === 'scanner-bot';

describe('lookup answers are proved complete', () => {
  it('honest answers decide (control): the scanner blocks', async () => {
    const status = await cli(['status', digest]);
    expect(status.code).toBe(1);
    expect(status.json<{ decision: string }>().decision).toBe('block');
    const gate = await cli(argsOf(['gate', digest, '--policy', '']));
    expect(gate.code).toBe(1);
    const history = await cli(['history', digest]);
    expect(history.code).toBe(0);
    // The job's entries are assertions, no evidence files: an honest, verified "none" (2).
    const evidence = await cli(argsOf(reads[3]![1]));
    expect(evidence.code).toBe(2);
    expect(evidence.json<{ evidence: unknown[] }>().evidence).toEqual([]);
  });

  it('catches a hidden untrusted entry', async () => {
    tamper((b) => {
      b.entries = b.entries.filter((e) => !scannerEntry(e));
    });
    await expectCaught();
  });

  it('catches an added entry', async () => {
    tamper((b) => {
      if (b.map) b.entries.push(b.map.head);
    });
    await expectCaught();
  });

  it('catches reordered entries', async () => {
    tamper((b) => {
      if (b.entries.length > 1) b.entries.reverse();
      else b.entries = [...b.entries, ...b.entries];
    });
    await expectCaught();
  });

  it('catches a map value that leaves the scanner out', async () => {
    tamper((b) => {
      b.entries = b.entries.filter((e) => !scannerEntry(e));
      for (const v of (b.map?.values ?? []) as { assert?: [string, number][] }[]) {
        if (v?.assert) v.assert = v.assert.filter(([name]) => name !== 'scanner-bot');
      }
    });
    await expectCaught();
  });

  it('catches a stale map head (an older answer replayed)', async () => {
    tamper((b) => {
      b.map = staleMap;
      b.entries = b.entries.filter((e) => !scannerEntry(e));
    });
    await expectCaught();
  });

  it('catches a map head from another size', async () => {
    tamper((b) => {
      if (b.map) b.map.head = olderMapHead;
    });
    await expectCaught();
  });

  it('catches a forged map proof', async () => {
    tamper((b) => {
      if (!b.map) return;
      const proof = Buffer.from(b.map.proof, 'base64');
      proof[proof.length - 1] = (proof[proof.length - 1] ?? 0) ^ 1;
      b.map.proof = proof.toString('base64');
    });
    await expectCaught();
  });

  it('a ledger that calls a provable size unprovable gets no unproved answer accepted', async () => {
    const size = (await cli(['status', digest])).json<{ checkpoint: { size: number } }>().checkpoint
      .size;
    proxy.intercept = (p) =>
      p.startsWith('/v1/lookup/status')
        ? { status: 400, body: { code: 'AT_NOT_PROVABLE', message: 'no map head here' } }
        : undefined;
    try {
      const run = await cli(['status', digest, '--at', String(size), '--accept-incomplete']);
      expect(run.code).toBe(20);
      expect(run.stdout).not.toMatch(/"decision"/);
    } finally {
      proxy.intercept = undefined;
    }
  });

  it('catches an answer without a map proof', async () => {
    tamper((b) => {
      delete b.map;
    });
    await expectCaught();
  });
});
