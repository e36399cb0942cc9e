// Child process of the multi-instance tests: one engine instance (`Ledger` on a PostgresStore)
// appending under load from several concurrent writers for `ms` milliseconds. Prints
// `<index> <fixture number>` for each acknowledged entry and `fail <code>` for each rejected
// append, then `done`. Fixture numbers are unique per instance (instance * 10^7 + n).
import { Ledger, type LedgerError } from '@notarize/ledger';
import { makeEntry } from './ledger-fixtures.ts';

const [url, dir, instanceText, msText] = process.argv.slice(2);
const instance = Number(instanceText);
// A postgres:// spec: the engine opens the store itself and follows the other instances.
const ledger = await Ledger.open({ dir: dir as string, store: url as string });
process.stdout.write('ready\n');
const until = Date.now() + Number(msText);
let next = instance * 10_000_000;
async function writer(w: number): Promise<void> {
  while (Date.now() < until) {
    const count = 1 + ((next + w) % 10);
    const numbers = Array.from({ length: count }, () => next++);
    try {
      const receipts = await ledger.append(
        numbers.map((n) => makeEntry(n, { jobId: String(n % 7) })),
      );
      process.stdout.write(receipts.map((r, i) => `${r.index} ${numbers[i]}\n`).join(''));
    } catch (error) {
      process.stdout.write(`fail ${(error as LedgerError).code ?? (error as Error).message}\n`);
    }
  }
}
await Promise.all(Array.from({ length: 6 }, (_, w) => writer(w)));
await ledger.close();
process.stdout.write('done\n');
