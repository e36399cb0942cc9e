/**
 * The ledger's cosignature collector against real witnesses: it serves at /checkpoint the newest
 * checkpoint that met its quorum (with the cosignature lines) while /v1/checkpoint stays the
 * newest; after a restart it learns each witness's size from its 409 answer and resubmits; a
 * witness that hangs or is down costs it nothing but that witness's cosignature, and appends
 * never wait for witnesses.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Ledger } from '@notarize/ledger';
import {
  cosignatureVerifierFromVkey,
  generateCosignerKey,
  verifyCosignatures,
} from '@notarize/tlog';
import { openWitness, startWitnessServer, type StartedWitness } from '@notarize/witness';
import { assertion, digestOf, startHarness, type Harness } from './support/service-harness.ts';

let tmp: string;
let vkey: string;
let dataDir: string;
const witnesses: { name: string; vkey: string; url: string; server: StartedWitness }[] = [];
let hanging: Server;
let hangingUrl: string;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'collector-'));
  dataDir = path.join(tmp, 'ledger');
  const ledger = await Ledger.open({ dir: dataDir, origin: 'test.example/ledger' });
  vkey = ledger.vkey;
  await ledger.close();
  for (const name of ['w1.test/witness', 'w2.test/witness']) {
    const w = await openWitness({ dataDir: path.join(tmp, name.slice(0, 2)), logs: [vkey], name });
    const server = await startWitnessServer(
      w.witness,
      w.metrics,
      { host: '127.0.0.1', port: 0 },
      () => {},
    );
    witnesses.push({ name, vkey: w.identity.vkey, url: server.url, server });
  }
  // Accepts the request and never answers.
  hanging = createServer(() => {});
  await new Promise<void>((r) => hanging.listen(0, '127.0.0.1', r));
  hangingUrl = `http://127.0.0.1:${(hanging.address() as AddressInfo).port}`;
});
afterAll(async () => {
  for (const w of witnesses) await w.server.close();
  hanging.closeAllConnections();
  await new Promise<void>((r) => hanging.close(() => r()));
  await rm(tmp, { recursive: true, force: true });
});

/** Harnesses still open: closed after each test, also when it failed half-way. */
const running: Harness[] = [];
async function harness(options: Parameters<typeof startHarness>[0]): Promise<Harness> {
  const h = await startHarness(options);
  running.push(h);
  return h;
}
async function closeHarness(h: Harness): Promise<void> {
  running.splice(running.indexOf(h), 1);
  await h.close();
}
afterEach(async () => {
  for (const h of running.splice(0)) await h.close();
});

const config = (extra: Record<string, unknown> = {}) => ({
  witnesses: witnesses.map(({ name, vkey: k, url }) => ({ name, vkey: k, url })),
  witnessIntervalMs: 20,
  witnessTimeoutMs: 300,
  ...extra,
});

async function witnessedAt(h: Harness, size: number, count = 2): Promise<string> {
  const verifiers = witnesses.map((w) => cosignatureVerifierFromVkey(w.vkey));
  for (let i = 0; i < 200; i++) {
    const note = await (await fetch(`${h.url}/checkpoint`)).text();
    if (
      note.split('\n')[1] === String(size) &&
      verifyCosignatures(note, verifiers).valid.length >= count
    ) {
      return note;
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`no checkpoint of size ${size} with ${count} cosignatures`);
}

test('collects a quorum, keeps /v1/checkpoint the newest, and resubmits after a restart (409)', async () => {
  let h = await harness({ dataDir, config: config() });
  const client = await h.client({ token: h.keys.pipeline });
  await client.append([assertion(digestOf('c1'))]);
  const note = await witnessedAt(h, 2);
  expect(note.match(/^— w[12]\.test\/witness /gm)).toHaveLength(2);
  const api = (await (await fetch(`${h.url}/v1/checkpoint`)).json()) as { checkpoint: string };
  expect(api.checkpoint).not.toMatch(/witness/);
  await closeHarness(h);
  // A new process knows nothing of the witnesses' sizes: they answer 409 with theirs.
  h = await harness({ dataDir, config: config() });
  await (await h.client({ token: h.keys.pipeline })).append([assertion(digestOf('c2'))]);
  await witnessedAt(h, 4);
  await closeHarness(h);
});

test('a hanging and a down witness cost only their cosignatures; appends never wait', async () => {
  const extra = [
    {
      name: 'hang.test/witness',
      vkey: generateCosignerKey('hang.test/witness').vkey,
      url: hangingUrl,
    },
    {
      name: 'down.test/witness',
      vkey: generateCosignerKey('down.test/witness').vkey,
      url: 'http://127.0.0.1:9',
    },
  ];
  const h = await harness({
    dataDir,
    config: config({
      witnesses: [...config().witnesses, ...extra],
      witnessQuorum: 2,
    }),
  });
  const client = await h.client({ token: h.keys.pipeline });
  const t = performance.now();
  for (let i = 0; i < 5; i++) await client.append([assertion(digestOf(`h${i}`))]);
  // Five appends, each far below the 300 ms the hanging witness holds a round.
  expect(performance.now() - t).toBeLessThan(1500);
  await witnessedAt(h, 14);
  await closeHarness(h);
});

test('a quorum it cannot reach leaves /checkpoint unwitnessed, and gates that require it refuse', async () => {
  const h = await harness({
    dataDir,
    config: config({
      witnessQuorum: 2,
      witnesses: [
        config().witnesses[0],
        {
          name: 'down.test/witness',
          vkey: generateCosignerKey('down.test/witness').vkey,
          url: 'http://127.0.0.1:9',
        },
      ],
    }),
  });
  const client = await h.client({ token: h.keys.pipeline });
  await client.append([assertion(digestOf('q'))]);
  await new Promise((r) => setTimeout(r, 300));
  const note = await (await fetch(`${h.url}/checkpoint`)).text();
  expect(note.split('\n')[1]).toBe('16');
  const strict = await h.client({
    witnesses: { vkeys: [witnesses[0]!.vkey, generateCosignerKey('down.test/witness').vkey] },
  });
  await expect(strict.statuses([digestOf('q')])).rejects.toMatchObject({ code: 'WITNESS_QUORUM' });
  await closeHarness(h);
});

test('an ML-DSA-44 witness: the ledger collects its cosignature and a client requires it', async () => {
  const w = await openWitness({
    dataDir: path.join(tmp, 'pq'),
    logs: [vkey],
    name: 'pq.test/witness',
    algorithm: 'ml-dsa-44',
  });
  const server = await startWitnessServer(
    w.witness,
    w.metrics,
    { host: '127.0.0.1', port: 0 },
    () => {},
  );
  let h: Harness | undefined;
  try {
    h = await harness({
      dataDir,
      config: {
        witnesses: [{ name: 'pq.test/witness', vkey: w.identity.vkey, url: server.url }],
        witnessIntervalMs: 20,
      },
    });
    await (await h.client({ token: h.keys.pipeline })).append([assertion(digestOf('pq'))]);
    const reader = await h.client({ witnesses: { vkeys: [w.identity.vkey] } });
    // Reads are as of the newest witnessed size: wait until it covers the append.
    let answer;
    for (let i = 0; i < 200 && !answer?.subjects[0]?.entries.length; i++) {
      answer = await reader.statuses([digestOf('pq')]).catch(() => undefined);
      if (!answer?.subjects[0]?.entries.length) await new Promise((r) => setTimeout(r, 25));
    }
    expect(answer?.subjects[0]?.entries).toHaveLength(1);
    const note = await (await fetch(`${h.url}/checkpoint`)).text();
    expect(note).toMatch(/^— pq\.test\/witness /m);
  } finally {
    if (h) await closeHarness(h);
    await server.close();
    await w.close();
  }
});
