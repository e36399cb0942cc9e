/**
 * `notarize audit --resume FILE`: a monitor that remembers what it proved (the tree's frontier
 * and its own replay of the lookup map) reads only what was appended since, and still checks
 * every new map head against its replay. A remembered history the ledger does not extend is
 * caught (exit 20).
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { notarizeCli, type CliRun } from './support/cli.ts';
import { tempDir } from './support/ledger-helpers.ts';
import { assertion, digestOf, startHarness, type Harness } from './support/service-harness.ts';

let tmp: Awaited<ReturnType<typeof tempDir>>;
let a: Harness;
let b: Harness;
beforeAll(async () => {
  tmp = await tempDir();
  a = await startHarness();
  b = await startHarness();
});
afterAll(async () => {
  await a.close();
  await b.close();
  await tmp.done();
});

interface Report {
  from: number;
  size: number;
  mapHeads: number;
}

function audit(h: Harness, memory: string, state: string): Promise<CliRun> {
  return notarizeCli(['audit', '--resume', memory, '--json'], {
    cwd: tmp.dir,
    env: {
      NOTARIZE_LEDGER: h.url,
      NOTARIZE_LEDGER_KEY: h.vkey,
      NOTARIZE_STATE: path.join(tmp.dir, state),
    },
  });
}

describe('incremental audit', () => {
  it('reads only what was appended since, replaying its map heads', async () => {
    const writer = await a.client({ token: a.keys.pipeline });
    for (let i = 0; i < 3; i++) await writer.append([assertion(digestOf(`audit-${i}`))]);
    const memory = path.join(tmp.dir, 'monitor.db');
    const first = await audit(a, memory, 'a.json');
    expect(first.code).toBe(0);
    expect(first.json<Report>()).toMatchObject({ from: 0, size: 6, mapHeads: 3 });
    for (let i = 3; i < 5; i++) await writer.append([assertion(digestOf(`audit-${i}`))]);
    const second = await audit(a, memory, 'a.json');
    expect(second.code).toBe(0);
    expect(second.json<Report>()).toMatchObject({ from: 6, size: 10, mapHeads: 2 });
    const idle = await audit(a, memory, 'a.json');
    expect(idle.json<Report>()).toMatchObject({ from: 10, size: 10, mapHeads: 0 });
  });

  it('a remembered history the ledger does not extend is caught', async () => {
    const memory = path.join(tmp.dir, 'fork.db');
    await rm(memory, { force: true });
    const wa = await a.client({ token: a.keys.pipeline });
    await wa.append([assertion(digestOf('fork-a'))]);
    expect((await audit(a, memory, 'fa.json')).code).toBe(0);
    // Another log under the same origin name (a fork), longer than what was remembered.
    const wb = await b.client({ token: b.keys.pipeline });
    for (let i = 0; i < 10; i++) await wb.append([assertion(digestOf(`fork-b-${i}`))]);
    const forked = await audit(b, memory, 'fb.json');
    expect(forked.code).toBe(20);
    // --json: the only document on stdout is the error, never a report.
    expect(forked.json()).toEqual({ error: expect.objectContaining({ exit: 20 }) });
  });
});
