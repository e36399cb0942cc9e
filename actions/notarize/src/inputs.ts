/** The notarize action's inputs (root action.yml), read once into a typed object. */
import type { Env } from '@notarize/ci';
import {
  booleanInput,
  choiceInput,
  keyValueInput,
  listInput,
  optionalInput,
} from '../../shared/src/inputs.ts';
import { readLedgerInputs, type LedgerInputs } from '../../shared/src/ledger.ts';
import { maskSecret } from '../../shared/src/secrets.ts';
import { readSubjectInputs, type SubjectInputs } from '../../shared/src/subject-inputs.ts';

export const STATUSES = ['trusted', 'untrusted', 'unsupported'] as const;
export type AssertedStatus = (typeof STATUSES)[number];

export interface NotarizeInputs {
  subjects: SubjectInputs;
  status: AssertedStatus;
  reason?: string;
  metadata: Record<string, string>;
  /** Files attached as this job's evidence for the subjects. */
  evidence: readonly string[];
  /** A signing key: PEM/JWK text or a path. */
  key?: string;
  ledger: LedgerInputs;
  /** Write the job summary (default true). */
  showSummary: boolean;
}

export function readNotarizeInputs(env: Env): NotarizeInputs {
  const key = optionalInput('key');
  maskSecret(key);
  const inputs: NotarizeInputs = {
    ledger: readLedgerInputs(env),
    subjects: readSubjectInputs(),
    status: choiceInput('status', STATUSES, 'trusted', { eol: 'unsupported' }),
    metadata: keyValueInput('metadata'),
    evidence: listInput('evidence'),
    showSummary: booleanInput('show-summary', true),
  };
  const reason = optionalInput('reason');
  if (reason !== undefined) inputs.reason = reason;
  if (key !== undefined) inputs.key = key;
  return inputs;
}
