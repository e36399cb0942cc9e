/**
 * Split view: the operator (or whoever holds the ledger key) runs two ledgers with the same key
 * and origin behind one URL, and a proxy shows each client its own fork. The honest fork holds
 * the scanner's `untrusted`; the other fork does not. Without witnesses each stateless gate
 * accepts what it is shown (the documented limit). With a quorum of 2 witnesses — which both
 * forks submit to — the fork cannot get cosigned, and a gate on it refuses (exit 20,
 * WITNESS_QUORUM), also when the fork serves the honest ledger's cosigned checkpoint.
 */
import { cp, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Ledger } from '@notarize/ledger';
import { cosignatureVerifierFromVkey, verifyCosignatures } from '@notarize/tlog';
import { openWitness, startWitnessServer, type StartedWitness } from '@notarize/witness';
import { runAction } from './support/actions-runner.ts';
import { notarizeCli, type CliRun } from './support/cli.ts';
import { assertion, digestOf, startHarness, type Harness } from './support/service-harness.ts';

const ORIGIN = 'test.example/ledger';
const digest = digestOf('split-view');

let tmp: string;
let vkey: string;
let honest: Harness;
let fork: Harness;
const witnesses: { url: string; vkey: string; name: string; server: StartedWitness }[] = [];
let proxy: Server;
let proxyUrl: string;
/** When set, the fork answers /checkpoint with this note (the honest ledger's cosigned one). */
let forkCheckpoint: string | undefined;
let policy: string;

async function waitFor<T>(what: string, fn: () => Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const v = await fn();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function cosignedCheckpoint(url: string, size: number): Promise<string | undefined> {
  const note = await (await fetch(`${url}/checkpoint`)).text();
  const { valid } = verifyCosignatures(
    note,
    witnesses.map((w) => cosignatureVerifierFromVkey(w.vkey)),
  );
  return note.split('\n')[1] === String(size) && valid.length === 2 ? note : undefined;
}

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'split-view-'));
  // One ledger key, two data directories: the operator's fork.
  const honestDir = path.join(tmp, 'honest');
  const forkDir = path.join(tmp, 'fork');
  const ledger = await Ledger.open({ dir: honestDir, origin: ORIGIN });
  vkey = ledger.vkey;
  await ledger.close();
  // An empty ledger copied: from here on the two diverge.
  await cp(honestDir, forkDir, { recursive: true });
  for (const name of ['w1.test/witness', 'w2.test/witness']) {
    const opened = await openWitness({
      dataDir: path.join(tmp, name.split('.')[0]!),
      logs: [vkey],
      name,
    });
    const server = await startWitnessServer(
      opened.witness,
      opened.metrics,
      { host: '127.0.0.1', port: 0 },
      () => {},
    );
    witnesses.push({ url: server.url, vkey: opened.identity.vkey, name, server });
  }
  const witnessConfig = {
    witnesses: witnesses.map((w) => ({ name: w.name, vkey: w.vkey, url: w.url })),
    witnessQuorum: 2,
    witnessIntervalMs: 20,
  };
  honest = await startHarness({ dataDir: honestDir, config: witnessConfig });
  fork = await startHarness({ dataDir: forkDir, config: witnessConfig });
  const pipeline = await honest.client({ token: honest.keys.pipeline });
  await pipeline.append([assertion(digest, 'trusted')]);
  await (
    await honest.client({ token: honest.keys.scanner })
  ).append([assertion(digest, 'untrusted')]);
  await waitFor('the honest ledger to be witnessed', () => cosignedCheckpoint(honest.url, 4));
  // The fork: same size, no `untrusted` — and it submits to the same witnesses.
  const forkPipeline = await fork.client({ token: fork.keys.pipeline });
  await forkPipeline.append([assertion(digest, 'trusted')]);
  await forkPipeline.append([assertion(digestOf('other'), 'trusted')]);

  // One URL; the proxy shows the fork to whoever authenticates with a fork API key.
  proxy = createServer((req, res) => {
    const auth = req.headers.authorization ?? '';
    const toFork = Object.values(fork.keys).some((k) => auth === `Bearer ${k}`);
    if (toFork && forkCheckpoint && req.url === '/checkpoint') {
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end(forkCheckpoint);
      return;
    }
    const upstream = new URL(req.url ?? '/', toFork ? fork.url : honest.url);
    const out = request(upstream, { method: req.method, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    req.pipe(out);
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  policy = path.join(tmp, 'policy.yaml');
  await writeFile(
    policy,
    'version: 1\nrequire:\n  - {role: pipeline, status: trusted}\nblock:\n  - {status: untrusted}\n',
  );
});

afterAll(async () => {
  await new Promise<void>((r) => proxy.close(() => r()));
  await honest.close();
  await fork.close();
  for (const w of witnesses) await w.server.close();
  await rm(tmp, { recursive: true, force: true });
});

let runs = 0;
function gate(token: string, extra: string[] = []): Promise<CliRun> {
  return notarizeCli(['gate', digest, '--policy', policy, '--json', ...extra], {
    cwd: tmp,
    env: {
      NOTARIZE_LEDGER: proxyUrl,
      NOTARIZE_LEDGER_KEY: vkey,
      NOTARIZE_TOKEN: token,
      // A fresh state per run: a CI job starts without one.
      NOTARIZE_STATE: path.join(tmp, `state-${runs++}.json`),
    },
  });
}

const requireWitnesses = () => [
  '--witness',
  witnesses[0]!.vkey,
  '--witness',
  witnesses[1]!.vkey,
  '--witness-quorum',
  '2',
];

describe('split view behind one URL', () => {
  it('without witnesses, each stateless gate believes its own fork (the documented limit)', async () => {
    expect((await gate(honest.keys.auditor)).code).toBe(1);
    const fooled = await gate(fork.keys.auditor);
    expect(fooled.code).toBe(0);
    expect(fooled.json<{ decision: string }>().decision).toBe('allow');
  });

  it('the witnesses refused to cosign the fork and kept the evidence of it', async () => {
    expect(await cosignedCheckpoint(fork.url, 4)).toBeUndefined();
    for (const w of ['w1', 'w2']) {
      const forks = await waitFor('fork evidence', async () => {
        const files = await readdir(path.join(tmp, w, 'forks')).catch(() => []);
        return files.length > 0 ? files : undefined;
      });
      expect(forks).toHaveLength(1);
    }
  });

  it('with a quorum of 2 witnesses: the honest view is read as of the witnessed size', async () => {
    const r = await gate(honest.keys.auditor, requireWitnesses());
    expect(r.code).toBe(1);
    expect(r.json<{ checkpoint: { size: number } }>().checkpoint.size).toBe(4);
  });

  it('with a quorum of 2 witnesses: the fork is refused, exit 20 WITNESS_QUORUM naming them', async () => {
    const r = await gate(fork.keys.auditor, requireWitnesses());
    expect(r.code).toBe(20);
    expect(r.stdout).not.toMatch(/"decision"/);
    expect(r.stderr).toMatch(/WITNESS_QUORUM/);
    expect(r.stderr).toMatch(/w1\.test\/witness \(no cosignature\)/);
    expect(r.stderr).toMatch(/w2\.test\/witness \(no cosignature\)/);
    // NOTARIZE_WITNESSES works like --witness (comma-separated here).
    const env = await notarizeCli(['gate', digest, '--policy', policy, '--json'], {
      cwd: tmp,
      env: {
        NOTARIZE_LEDGER: proxyUrl,
        NOTARIZE_LEDGER_KEY: vkey,
        NOTARIZE_TOKEN: fork.keys.auditor,
        NOTARIZE_STATE: path.join(tmp, 'state-env.json'),
        NOTARIZE_WITNESSES: `${witnesses[0]!.vkey},${witnesses[1]!.vkey}`,
      },
    });
    expect(env.code).toBe(20);
  });

  it('a policy with `witnesses:` requires them without any flag', async () => {
    const withWitnesses = path.join(tmp, 'policy-witnesses.yaml');
    await writeFile(
      withWitnesses,
      'version: 1\nrequire:\n  - {role: pipeline, status: trusted}\nblock:\n  - {status: untrusted}\n' +
        `witnesses:\n  quorum: 2\n  keys:\n${witnesses.map((w) => `    - "${w.vkey}"\n`).join('')}`,
    );
    const run = (token: string) =>
      notarizeCli(['gate', digest, '--policy', withWitnesses, '--json'], {
        cwd: tmp,
        env: {
          NOTARIZE_LEDGER: proxyUrl,
          NOTARIZE_LEDGER_KEY: vkey,
          NOTARIZE_TOKEN: token,
          NOTARIZE_STATE: path.join(tmp, `state-${runs++}.json`),
        },
      });
    expect((await run(fork.keys.auditor)).code).toBe(20);
    expect((await run(honest.keys.auditor)).code).toBe(1);
  });

  it("the fork serving the honest ledger's cosigned checkpoint is refused too (exit 20)", async () => {
    forkCheckpoint = await cosignedCheckpoint(honest.url, 4);
    try {
      const r = await gate(fork.keys.auditor, requireWitnesses());
      expect(r.code).toBe(20);
      expect(r.stdout).not.toMatch(/"decision"/);
    } finally {
      forkCheckpoint = undefined;
    }
  });

  it('a quorum larger than the witnesses given is a usage error (10); one witness key asks for its cosignature', async () => {
    const one = await gate(honest.keys.auditor, ['--witness', witnesses[0]!.vkey]);
    expect(one.code).toBe(1);
    const bad = await gate(honest.keys.auditor, [
      '--witness-quorum',
      '3',
      ...requireWitnesses().slice(0, 4),
    ]);
    expect(bad.code).toBe(10);
  });

  it('the gate action with `witnesses` refuses the fork and decides on the honest ledger', async () => {
    const run = (token: string) =>
      runAction('gate', {
        cwd: tmp,
        job: {
          GITHUB_REPOSITORY: 'acme/widgets',
          GITHUB_RUN_ID: '7',
          GITHUB_RUN_ATTEMPT: String(++runs),
          GITHUB_JOB: 'release',
        },
        inputs: {
          subjects: digest,
          policy: policy,
          ledger: proxyUrl,
          'ledger-key': vkey,
          token,
          witnesses: witnesses.map((w) => w.vkey).join('\n'),
          'witness-quorum': '2',
        },
      });
    const forked = await run(fork.keys.auditor);
    expect(forked.code).toBe(1);
    expect(forked.outputs.decision).toBeUndefined();
    expect(
      forked.annotations.some((a) => a.level === 'error' && /WITNESS_QUORUM/.test(a.message)),
    ).toBe(true);
    const honestRun = await run(honest.keys.auditor);
    expect(honestRun.outputs.decision).toBe('block');
  });
});
