/**
 * A fork proved: the ledger signed two checkpoints of the same size with different roots (this
 * client's state holds one, the ledger just served the other). Both notes are re-verified with
 * the ledger's key here, then kept in a JSON file and printed, so the proof survives the job
 * and anyone holding the ledger's vkey can check it. The error itself still ends the command
 * (exit 20).
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { LedgerClientError } from '@notarize/client';
import { hashEquals, noteVerifierFromVkey, openCheckpoint } from '@notarize/tlog';
import type { CommandContext } from './context.ts';
import { printable } from './output.ts';

/** Both notes signed by the ledger's key, same origin and size, different roots. */
function isProof(evidence: NonNullable<LedgerClientError['forkEvidence']>): boolean {
  const { notes, size, vkey, origin } = evidence;
  try {
    const verifier = noteVerifierFromVkey(vkey);
    const [a, b] = notes.map((n) => openCheckpoint(n, [verifier], origin).checkpoint);
    return a!.size === size && b!.size === size && !hashEquals(a!.root, b!.root);
  } catch {
    return false;
  }
}

export async function keepForkEvidence<T>(
  ctx: CommandContext,
  dir: string | undefined,
  fn: () => Promise<T>,
): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    const evidence = error instanceof LedgerClientError ? error.forkEvidence : undefined;
    if (!evidence || !isProof(evidence)) throw error;
    const name = `notarize-fork-${createHash('sha256').update(evidence.origin).digest('hex').slice(0, 16)}-${evidence.size}.json`;
    const file = path.resolve(ctx.cwd, dir ?? '.', name);
    await writeFile(
      file,
      `${JSON.stringify({ ...evidence, detected: new Date().toISOString() }, null, 2)}\n`,
    );
    ctx.output.notice(
      printable(
        [
          `notarize: FORK: ledger ${evidence.origin} signed two different trees of size ${evidence.size}; proof kept in ${file}`,
          '--- checkpoint seen before',
          evidence.notes[0].trimEnd(),
          '--- checkpoint served now',
          evidence.notes[1].trimEnd(),
        ].join('\n'),
        { multiline: true },
      ),
    );
    throw error;
  }
}
