/**
 * Map-verifying witnesses. A ledger whose last map head omits an entry — the scanner's
 * `untrusted` — signs a checkpoint that is consistent with everything before it, so a plain
 * witness would cosign it. A map-verifying witness replays the entries from the ledger's tiles,
 * finds the lie, answers 422 and cosigns nothing; a gate that requires that witness refuses the
 * lying ledger (exit 20). The honest ledger, configured with a map-verifying witness, gets
 * cosigned and its gate answers from the witnessed checkpoint.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Ledger } from '@notarize/ledger';
import {
  decodeEntryBundle,
  encodeEntryBundle,
  entryBundlePath,
  formatAddCheckpoint,
  leafHash,
  noteSignerFromSkey,
  rootFromLeafHashes,
  signCheckpoint,
} from '@notarize/tlog';
import { buildMapHead, canonicalBytes, readMapHead, type LedgerEntry } from '@notarize/trust';
import { openWitness, startWitnessServer, type StartedWitness } from '@notarize/witness';
import { notarizeCli } from './support/cli.ts';
import { assertion, digestOf, startHarness, type Harness } from './support/service-harness.ts';

const ORIGIN = 'test.example/ledger';
const digest = digestOf('map-witness');

let tmp: string;
let honest: Harness;
let vkey: string;
/** The lying ledger: the honest service, except its last map head and checkpoint. */
let liar: Server;
let liarUrl: string;
let lyingBundle: Uint8Array;
let lyingCheckpoint: string;
let honestForwarder: Server;
let honestForwarderUrl: string;
let upstream = '';
const witnesses: { name: string; vkey: string; url: string; server: StartedWitness }[] = [];
let policy: string;

function forwarder(
  answer?: (url: string) => { type: string; body: Uint8Array | string } | undefined,
) {
  return createServer((req, res) => {
    const own = answer?.(req.url ?? '/');
    if (own) {
      res.writeHead(200, { 'content-type': own.type }).end(own.body);
      return;
    }
    const out = request(
      new URL(req.url ?? '/', upstream),
      { method: req.method, headers: req.headers },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    req.pipe(out);
  });
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function startMapWitness(name: string, ledger: string) {
  const opened = await openWitness({
    dataDir: path.join(tmp, name.replace(/\W/g, '-')),
    logs: [vkey],
    name,
    verifyMap: { ledger },
  });
  const server = await startWitnessServer(
    opened.witness,
    opened.metrics,
    { host: '127.0.0.1', port: 0 },
    () => {},
  );
  const w = { name, vkey: opened.identity.vkey, url: server.url, server };
  witnesses.push(w);
  return w;
}

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'map-witness-'));
  const dataDir = path.join(tmp, 'ledger');
  const ledger = await Ledger.open({ dir: dataDir, origin: ORIGIN });
  vkey = ledger.vkey;
  await ledger.close();
  liar = forwarder((url) => {
    if (url === '/checkpoint') return { type: 'text/plain; charset=utf-8', body: lyingCheckpoint };
    if (url === `/${entryBundlePath(0, 4)}`)
      return { type: 'application/octet-stream', body: lyingBundle };
    return undefined;
  });
  liarUrl = await listen(liar);
  honestForwarder = forwarder();
  honestForwarderUrl = await listen(honestForwarder);
  // One map-verifying witness reads the lying ledger's tiles, one the honest ledger's.
  await startMapWitness('liar-watch.test/map-witness', liarUrl);
  const honestWitness = await startMapWitness('honest-watch.test/map-witness', honestForwarderUrl);
  honest = await startHarness({
    dataDir,
    config: {
      witnesses: [{ name: honestWitness.name, vkey: honestWitness.vkey, url: honestWitness.url }],
      witnessIntervalMs: 20,
    },
  });
  upstream = honest.url;
  await (
    await honest.client({ token: honest.keys.pipeline })
  ).append([assertion(digest, 'trusted')]);
  await (
    await honest.client({ token: honest.keys.scanner })
  ).append([assertion(digest, 'untrusted')]);

  // The lie: entry 3, the map head after the scanner's `untrusted` (entry 2), carries the map of
  // entry 1 — the map without entry 2 — while saying it covers 3 entries.
  const bundle = await (await fetch(`${honest.url}/${entryBundlePath(0, 4)}`)).arrayBuffer();
  const entries = decodeEntryBundle(new Uint8Array(bundle));
  const parse = (b: Uint8Array) => JSON.parse(new TextDecoder().decode(b)) as LedgerEntry;
  const head1 = readMapHead(parse(entries[1]!), ORIGIN);
  const lie = buildMapHead(ORIGIN, { ...head1, size: 3 }, parse(entries[3]!).time);
  entries[3] = canonicalBytes(lie);
  lyingBundle = encodeEntryBundle(entries);
  const skey = (await readFile(path.join(dataDir, 'ledger.key'), 'utf8')).trim();
  lyingCheckpoint = signCheckpoint(
    {
      origin: ORIGIN,
      size: 4,
      root: rootFromLeafHashes(entries.map((e) => leafHash(e))),
      extensions: [],
    },
    noteSignerFromSkey(skey),
  );
  policy = path.join(tmp, 'policy.yaml');
  await writeFile(
    policy,
    'version: 1\nrequire:\n  - {role: pipeline, status: trusted}\nblock:\n  - {status: untrusted}\n',
  );
});

afterAll(async () => {
  for (const s of [liar, honestForwarder]) await new Promise<void>((r) => s.close(() => r()));
  await honest.close();
  for (const w of witnesses) await w.server.close();
  await rm(tmp, { recursive: true, force: true });
});

describe('a map-verifying witness', () => {
  it('refuses to cosign a checkpoint whose map head omits an entry (422), and keeps no state', async () => {
    const w = witnesses[0]!;
    const r = await fetch(`${w.url}/add-checkpoint`, {
      method: 'POST',
      body: formatAddCheckpoint(0, [], lyingCheckpoint),
    });
    expect(r.status).toBe(422);
    const text = await r.text();
    expect(text).toMatch(/^MAP_HEAD_INVALID: /);
    expect(text).toMatch(/map head 3 is wrong/);
    // Nothing was cosigned: the next request from 0 is not stale.
    const again = await fetch(`${w.url}/add-checkpoint`, {
      method: 'POST',
      body: formatAddCheckpoint(0, [], lyingCheckpoint),
    });
    expect(again.status).toBe(422);
  });

  it('cosigns the honest checkpoint of the same log (it replays the honest tiles)', async () => {
    const note = (await (await fetch(`${honest.url}/v1/checkpoint`)).json()) as {
      checkpoint: string;
    };
    const r = await fetch(`${witnesses[1]!.url}/add-checkpoint`, {
      method: 'POST',
      body: formatAddCheckpoint(0, [], note.checkpoint),
    });
    // The honest ledger's collector may have submitted already: 200 or 409 with its size.
    expect([200, 409]).toContain(r.status);
  });

  it('a gate that requires it refuses the lying ledger (exit 20) and trusts the honest one', async () => {
    const run = (ledger: string, state: string) =>
      notarizeCli(['gate', digest, '--policy', policy, '--json', '--witness', witnesses[1]!.vkey], {
        cwd: tmp,
        env: {
          NOTARIZE_LEDGER: ledger,
          NOTARIZE_LEDGER_KEY: vkey,
          NOTARIZE_STATE: path.join(tmp, state),
        },
      });
    // The lying ledger has no cosignature by the map-verifying witness to show.
    const lied = await run(liarUrl, 'state-liar.json');
    expect(lied.code).toBe(20);
    expect(lied.stderr).toMatch(/WITNESS_QUORUM/);
    expect(lied.stdout).not.toMatch(/"decision"/);
    // The honest ledger's /checkpoint carries the witness's cosignature once it collected it.
    for (let i = 0; i < 200; i++) {
      const note = await (await fetch(`${honest.url}/checkpoint`)).text();
      if (note.includes(`— ${witnesses[1]!.name} `) && note.split('\n')[1] === '4') break;
      await new Promise((r) => setTimeout(r, 25));
    }
    const told = await run(honest.url, 'state-honest.json');
    expect(told.code).toBe(1);
  });
});
