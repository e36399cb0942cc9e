// Child process of the crash test: appends under load from several concurrent writers and prints
// `<index> <fixture number>` for each acknowledged entry, until it is killed.
import { Ledger } from '@notarize/ledger';
import { makeEntry } from './ledger-fixtures.ts';

const [dir, roundText] = process.argv.slice(2);
const round = Number(roundText);
const ledger = await Ledger.open({ dir: dir as string });
process.stdout.write('ready\n');
let next = round * 1_000_000;
async function writer(w: number): Promise<void> {
  for (;;) {
    const count = 1 + ((next + w) % 40);
    const numbers = Array.from({ length: count }, () => next++);
    const receipts = await ledger.append(
      numbers.map((n) => makeEntry(n, { jobId: String(n % 7) })),
    );
    process.stdout.write(receipts.map((r, i) => `${r.index} ${numbers[i]}\n`).join(''));
  }
}
await Promise.all(Array.from({ length: 8 }, (_, w) => writer(w)));
