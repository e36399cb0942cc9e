/**
 * The sequencer's exclusive(): the work runs when no commit is running, and commits of requests
 * submitted meanwhile wait until it is done (deterministic, with a hand-released gate).
 */
import { Sequencer, type Weighted } from '../sequencer.ts';

interface Req extends Weighted {
  id: string;
}

const req = (id: string): Req => ({ id, weight: 1, fail: () => {} });
const turn = () => new Promise((r) => setImmediate(r));

function gate(): { promise: Promise<void>; open(): void } {
  let open!: () => void;
  const promise = new Promise<void>((r) => (open = r));
  return { promise, open };
}

describe('Sequencer.exclusive', () => {
  it('holds back commits of requests submitted while it runs', async () => {
    const log: string[] = [];
    const seq = new Sequencer<Req>(
      async (batch) => {
        log.push(`commit ${batch.map((r) => r.id).join(',')}`);
      },
      { maxWeight: 10, windowMs: 0 },
    );
    const g = gate();
    const work = seq.exclusive(async () => {
      log.push('exclusive start');
      await g.promise;
      log.push('exclusive end');
      return 42;
    });
    await turn();
    seq.submit(req('a'));
    for (let i = 0; i < 5; i++) await turn();
    expect(log).toEqual(['exclusive start']);
    expect(seq.pending).toBe(1);
    g.open();
    expect(await work).toBe(42);
    for (let i = 0; i < 3; i++) await turn();
    expect(log).toEqual(['exclusive start', 'exclusive end', 'commit a']);
  });

  it('waits for a commit in flight, and a failed exclusive call does not stop later commits', async () => {
    const log: string[] = [];
    const g = gate();
    const seq = new Sequencer<Req>(
      async (batch) => {
        log.push(`commit ${batch.map((r) => r.id).join(',')} start`);
        if (batch[0]!.id === 'a') await g.promise;
        log.push(`commit ${batch.map((r) => r.id).join(',')} end`);
      },
      { maxWeight: 10, windowMs: 0 },
    );
    seq.submit(req('a'));
    await turn();
    const failing = seq.exclusive(async () => {
      log.push('exclusive');
      throw new Error('boom');
    });
    await turn();
    expect(log).toEqual(['commit a start']);
    g.open();
    await expect(failing).rejects.toThrow('boom');
    seq.submit(req('b'));
    await seq.exclusive(async () => undefined);
    expect(log).toEqual([
      'commit a start',
      'commit a end',
      'exclusive',
      'commit b start',
      'commit b end',
    ]);
  });
});
