import { rm } from 'node:fs/promises';
import { Ledger } from '@notarize/ledger';
import { openLedgerClient } from '@notarize/client';
import { evaluate } from '@notarize/cli';
import { buildAssertion, parsePolicy, toLedgerEntry } from '@notarize/trust';
const dir = '/tmp/gate10k';
const digest = (n: number) => `sha256:${n.toString(16).padStart(64, '0')}`;
if (process.argv[2] === 'fill') {
  await rm(dir, { recursive: true, force: true });
  const ledger = await Ledger.open({ dir, origin: 'bench.example/g' });
  await ledger.append(
    Array.from({ length: 10000 }, (_, i) =>
      toLedgerEntry(
        buildAssertion({ subjects: [{ name: 'a', digest: digest(i) }], status: 'trusted' }),
        { identity: { name: 'ci', role: 'pipeline', auth: 'local' }, time: '2026-11-29T00:00:00Z' },
      ),
    ),
  );
  await ledger.close();
} else {
  const policy = await parsePolicy('version: 1\nrequire:\n  - {identity: ci, status: trusted}\n', {
    source: 'x',
  });
  const client = await openLedgerClient(`file:${dir}`, {
    statePath: false,
    env: {},
    notice: () => {},
  });
  const subjects = Array.from({ length: 10000 }, (_, i) => ({
    subject: digest(i),
    digest: digest(i),
  }));
  for (let r = 0; r < 3; r++) {
    const t = performance.now();
    const rep = await evaluate({ client, subjects, policy });
    console.log(rep.decision, (performance.now() - t).toFixed(0), 'ms');
  }
  await client.close();
}
