/** The evidence action's inputs (actions/evidence/action.yml), read once into a typed object. */
import type { Env } from '@notarize/ci';
import { ActionError } from '../../shared/src/errors.ts';
import { keyValueInput, listInput } from '../../shared/src/inputs.ts';
import { readLedgerInputs, type LedgerInputs } from '../../shared/src/ledger.ts';

export interface EvidenceInputs {
  files: readonly string[];
  /** The artifacts the evidence is about (optional). */
  subjects: readonly string[];
  metadata: Record<string, string>;
  ledger: LedgerInputs;
}

export function readEvidenceInputs(env: Env): EvidenceInputs {
  const files = listInput('files');
  if (files.length === 0) {
    throw new ActionError(
      'INPUT_MISSING',
      'input',
      'Input "files" is required: list the evidence files (logs, SBOMs, reports), one per line.',
    );
  }
  return {
    ledger: readLedgerInputs(env),
    files,
    subjects: listInput('subjects'),
    metadata: keyValueInput('metadata'),
  };
}
