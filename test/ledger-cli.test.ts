import path from 'node:path';
import { Ledger } from '@notarize/ledger';
import { makeEntry } from './support/ledger-fixtures.ts';
import { runLedgerCli, tempDir } from './support/ledger-helpers.ts';

describe('notarize ledger info', () => {
  it('reads .notarize in the working directory, or a file: NOTARIZE_LEDGER', async () => {
    const tmp = await tempDir();
    try {
      const ledger = await Ledger.open({ dir: path.join(tmp.dir, '.notarize') });
      await ledger.append([makeEntry(1), makeEntry(2)]);
      const expected = {
        origin: ledger.origin,
        size: 3, // the two entries and the map head that closes their batch
        root: ledger.checkpoint().root,
        vkey: ledger.vkey,
      };
      await ledger.close();

      const info = await runLedgerCli(['ledger', 'info', '--json'], tmp.dir);
      expect(info.code).toBe(0);
      expect(info.json()).toMatchObject(expected);
      const human = await runLedgerCli(['ledger', 'info'], tmp.dir);
      expect(human.out.join('\n')).toContain(expected.vkey);

      const viaEnv = await runLedgerCli(['ledger', 'info', '--json'], path.dirname(tmp.dir), {
        NOTARIZE_LEDGER: `file:${path.join(tmp.dir, '.notarize')}`,
      });
      expect(viaEnv.json()).toMatchObject(expected);

      const missing = await runLedgerCli(['ledger', 'info', '--data', 'nowhere'], tmp.dir);
      expect(missing.code).toBe(10);
      expect(missing.err.join('\n')).toMatch(/holds no ledger/);
    } finally {
      await tmp.done();
    }
  });
});
