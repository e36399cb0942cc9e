// `add-checkpoint` over HTTP against the C2SP tlog-witness spec: its example body, every status
// code it assigns, cosignatures that verify, persistence across restarts, and the spec's race:
// parallel requests never roll the witness back.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { cosignatureVerifierFromVkey, verifyCosignatures, generateNoteKey } from '@notarize/tlog';
import { formatAddCheckpoint } from '../request.ts';
import { openWitness, type OpenedWitness } from '../open.ts';
import { startWitnessServer, type StartedWitness } from '../server.ts';
import { TestLog } from './log-fixture.ts';

const ORIGIN = 'example.com/behind-the-sofa';
/** The example request body of C2SP tlog-witness, verbatim. */
const SPEC_BODY = `old 20852014
PlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=
jrJZDmY8Y7SyJE0MWLpLozkIVMSMZcD5kvuKxPC3swk=
5+pKlUdi2LeF/BcMHBn+Ku6yhPGNCswZZD1X/6QgPd8=
/6WVhPs2CwSsb5rYBH5cjHV/wSmA79abXAwhXw3Kj/0=

example.com/behind-the-sofa
20852163
CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=

— example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=
— example.com/behind-the-sofa opLqBQsREYCgu6xQkYQwJr9fo45a62DN9EdmHXnZdXNqlcVGlCum2Wks+49/V6267UEjw6QUXTS5Rovnzv++qbSzm9Q=
`;

let dir: string;
let log: TestLog;
let opened: OpenedWitness;
let server: StartedWitness;

async function start(): Promise<void> {
  opened = await openWitness({ dataDir: dir, logs: [log.vkey], name: 'witness.test/w1' });
  server = await startWitnessServer(
    opened.witness,
    opened.metrics,
    { host: '127.0.0.1', port: 0 },
    () => {},
  );
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'witness-'));
  log = new TestLog(ORIGIN).grow(40);
  await start();
});
afterAll(async () => {
  await server.close();
  await opened.close();
  await rm(dir, { recursive: true, force: true });
});

async function post(body: string) {
  const res = await fetch(`${server.url}/add-checkpoint`, { method: 'POST', body });
  return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
}

const add = (old: number, size: number, proof = log.consistency(old, size), note?: string) =>
  post(formatAddCheckpoint(old, proof, note ?? log.checkpoint(size)));

describe('add-checkpoint', () => {
  it('parses the spec example body and answers 403: no signature by a key it trusts', async () => {
    const r = await post(SPEC_BODY);
    expect(r.status).toBe(403);
    expect(r.text).toMatch(/^SIGNATURE_INVALID: /);
  });

  it('cosigns a first checkpoint (old 0) with a v1 cosignature that verifies', async () => {
    const r = await add(0, 5);
    expect(r.status).toBe(200);
    expect(r.text).toMatch(/^— witness\.test\/w1 [A-Za-z0-9+/=]+\n$/);
    const { valid } = verifyCosignatures(log.checkpoint(5) + r.text, [
      cosignatureVerifierFromVkey(opened.identity.vkey),
    ]);
    expect(valid).toHaveLength(1);
    expect(Math.abs(valid[0]!.timestamp - Date.now() / 1000)).toBeLessThan(60);
  });

  it('409 with text/x.tlog.size and its size when the old size is stale', async () => {
    const r = await add(0, 8);
    expect(r).toEqual({ status: 409, type: 'text/x.tlog.size', text: '5\n' });
  });

  it('cosigns an extension with a valid proof; 422 for a bad one; 400 for old > new', async () => {
    expect((await add(5, 8)).status).toBe(200);
    const proof = log.consistency(8, 12);
    proof[0] = proof[0]!.map((b, i) => (i === 0 ? b ^ 1 : b));
    const bad = await add(8, 12, proof);
    expect(bad.status).toBe(422);
    expect(bad.text).toMatch(/^PROOF_INVALID: /);
    expect((await add(8, 12, log.consistency(8, 12).slice(1))).status).toBe(422);
    expect((await add(12, 8, [])).status).toBe(400);
    expect((await add(8, 12)).status).toBe(200);
  });

  it('404 for an unknown origin, 403 for a checkpoint signed by another key of that name', async () => {
    const other = new TestLog('example.com/other').grow(3);
    expect((await post(formatAddCheckpoint(0, [], other.checkpoint()))).status).toBe(404);
    const impostor = generateNoteKey(ORIGIN);
    const forged = await post(
      formatAddCheckpoint(12, log.consistency(12, 14), log.checkpoint(14, impostor.skey)),
    );
    expect(forged.status).toBe(403);
  });

  it('400 for malformed bodies, never 500', async () => {
    const cp = log.checkpoint(14);
    const proof = log.consistency(12, 14);
    const bodies = [
      '',
      'old 12',
      `old 012\n\n${cp}`,
      `old -1\n\n${cp}`,
      `old 12\nnot base64!\n\n${cp}`,
      `old 12\n${'AAAA\n'}\n${cp}`,
      `old 12\n${formatAddCheckpoint(12, proof, cp).split('\n').slice(1, -1).join('\n')}`,
      `old 12\n${'PlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=\n'.repeat(64)}\n${cp}`,
      `old 12\n\nnot a checkpoint\n`,
      `old 12\n\n${cp.replace('\n\n', '\n')}`,
    ];
    for (const body of bodies) {
      const r = await post(body);
      expect({ body, status: r.status }).toEqual({ body, status: 400 });
    }
  });

  it('same size, another root, both signed by the log: 409 and the fork evidence is kept', async () => {
    const fork = new TestLog(ORIGIN, log.skey).grow(12, 'fork');
    const r = await post(formatAddCheckpoint(12, [], fork.checkpoint(12)));
    expect(r.status).toBe(409);
    expect(r.text).toMatch(/^ROOT_CONFLICT: /);
    const files = await readdir(path.join(dir, 'forks'));
    expect(files).toHaveLength(1);
    const evidence = JSON.parse(await readFile(path.join(dir, 'forks', files[0]!), 'utf8'));
    expect(evidence).toMatchObject({
      origin: ORIGIN,
      size: 12,
      notes: [log.checkpoint(12), fork.checkpoint(12)],
    });
    // Still cosigns its view at the same size (the spec: equal sizes need equal roots).
    expect((await add(12, 12, [])).status).toBe(200);
  });

  it('other paths and methods', async () => {
    expect((await fetch(`${server.url}/add-checkpoint`)).status).toBe(405);
    expect((await fetch(`${server.url}/nope`)).status).toBe(404);
    expect(await (await fetch(`${server.url}/healthz`)).text()).toBe('ok\n');
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(/notarize_witness_requests_total\{status="200"\} \d+/);
    expect(metrics).toMatch(/notarize_witness_forks_total 1/);
    const big = await post(`old 0\n\n${'x'.repeat(70_000)}`);
    expect(big.status).toBe(413);
  });

  it('keeps its key and its state across a restart', async () => {
    const vkey = opened.identity.vkey;
    // One process per data directory: a second witness on it is refused while this one runs.
    await expect(openWitness({ dataDir: dir, logs: [log.vkey] })).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringMatching(/another witness process is using/),
    });
    await server.close();
    await opened.close();
    await start();
    expect(opened.created).toBe(false);
    expect(opened.identity.vkey).toBe(vkey);
    expect(await add(0, 20)).toMatchObject({ status: 409, text: '12\n' });
  });
});

describe('the race the spec warns about', () => {
  it('parallel requests from one old size: exactly one wins, the state never goes back', async () => {
    let size = Number((await add(0, 20)).text);
    for (let round = 0; round < 5; round++) {
      const sizes = Array.from({ length: 12 }, (_, i) => size + 1 + ((i * 7 + round) % 12));
      const answers = await Promise.all(sizes.map((s) => add(size, s)));
      const won = sizes.filter((_, i) => answers[i]!.status === 200);
      expect(won).toHaveLength(1);
      for (const a of answers.filter((x) => x.status !== 200)) {
        expect(a).toEqual({ status: 409, type: 'text/x.tlog.size', text: `${won[0]}\n` });
      }
      const state = await add(0, 40);
      expect(state.text).toBe(`${won[0]}\n`);
      size = won[0]!;
    }
  });

  it('parallel chains that resubmit from the size they are told end at the largest', async () => {
    const start = Number((await add(0, 40)).text);
    const targets = [start + 1, start + 2, 40, start + 3];
    const seen: number[] = [];
    await Promise.all(
      targets.map(async (target) => {
        let old = start;
        for (let i = 0; i < 10; i++) {
          const r = await add(old, target);
          if (r.status === 200) return;
          expect(r.status).toBe(409);
          old = Number(r.text);
          seen.push(old);
          if (old >= target) return;
        }
      }),
    );
    expect((await add(0, 40)).text).toBe('40\n');
  });
});
