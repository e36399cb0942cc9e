import { spawn } from 'node:child_process';
import path from 'node:path';
import { Ledger, verifyLedgerDir } from '@notarize/ledger';
import { entryBytes } from './support/ledger-fixtures.ts';
import { checkInclusion, tempDir } from './support/ledger-helpers.ts';

const NODE = path.resolve('node_modules/.bin/node');
const CHILD = path.resolve('test/support/ledger-crash-child.ts');
const ROUNDS = Number(process.env.CRASH_ROUNDS ?? 15);

/** Runs the child until `killAfterMs` after it is ready, SIGKILLs it, returns its acknowledgements. */
function crashRound(dir: string, round: number, killAfterMs: number): Promise<Map<number, number>> {
  return new Promise((resolve, reject) => {
    const child = spawn(NODE, [CHILD, dir, String(round)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let buffer = '';
    let stderr = '';
    const acks = new Map<number, number>();
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      buffer += chunk;
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? ''; // an incomplete last line was not fully acknowledged
      for (const line of lines) {
        if (line === 'ready') {
          setTimeout(() => child.kill('SIGKILL'), killAfterMs);
          continue;
        }
        const [index, n] = line.split(' ').map(Number);
        acks.set(index as number, n as number);
      }
    });
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('exit', (_code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`child ended without being killed: ${stderr}`));
      else resolve(acks);
    });
  });
}

describe('crash safety', () => {
  it(`keeps every acknowledged entry and nothing half-written across ${ROUNDS} SIGKILLs`, async () => {
    const tmp = await tempDir('ledger-crash-');
    const all = new Map<number, number>();
    let acked = 0;
    try {
      for (let round = 1; round <= ROUNDS; round++) {
        const acks = await crashRound(tmp.dir, round, 20 + Math.floor(Math.random() * 250));
        for (const [index, n] of acks) {
          expect(all.has(index)).toBe(false);
          all.set(index, n);
        }
        acked += acks.size;
        const ledger = await Ledger.open({ dir: tmp.dir });
        // Every entry acknowledged so far (this round and earlier ones) is there, byte for byte.
        const max = [...all.keys()].reduce((a, b) => Math.max(a, b), -1);
        expect(ledger.size).toBeGreaterThan(max);
        const stored = await ledger.entryBytes(0, ledger.size);
        for (const [index, n] of all) {
          const expected = Buffer.from(entryBytes(n, { jobId: String(n % 7) }));
          if (!expected.equals(stored[index]!)) throw new Error(`entry ${index} is not entry ${n}`);
        }
        // ... and provable against the signed checkpoint.
        if (max >= 0) {
          const { checkpoint, entry } = await ledger.entry(max);
          checkInclusion(ledger.vkey, checkpoint.note, entry.entry, max, entry.proof);
        }
        await ledger.close();
        // Log, nodes, checkpoints and indexes agree (nothing unacknowledged is half there).
        const report = await verifyLedgerDir(tmp.dir);
        expect(report.problem).toBeUndefined();
        expect(report.ok).toBe(true);
      }
      expect(acked).toBeGreaterThan(ROUNDS); // the child really appended under load
    } finally {
      await tmp.done();
    }
  }, 120_000);
});
