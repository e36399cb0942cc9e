/**
 * The line every writing command ends with on stderr: who the ledger recorded the write as (the
 * identity and role in the entry, which the ledger sets from the caller's credentials, not what
 * the caller claimed), where, and in which tree. It answers "did my token map to the identity I
 * expected?" without a second command.
 */
import type { Receipt } from '@notarize/client';
import { printable } from './output.ts';

export function recordedLine(receipts: readonly Receipt[], about = ''): string | undefined {
  const first = receipts[0];
  if (!first) return undefined;
  const who = new Set(receipts.map((r) => `${r.entry.identity.name} (${r.entry.identity.role})`));
  const last = receipts[receipts.length - 1] as Receipt;
  const where =
    receipts.length === 1
      ? `at index ${first.index}`
      : `at indexes ${first.index}..${last.index} (${receipts.length} entries)`;
  const size = Math.max(...receipts.map((r) => r.checkpoint.size));
  return printable(`recorded as ${[...who].join(', ')} ${where}, tree size ${size}${about}`);
}
