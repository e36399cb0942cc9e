/** The gate action's inputs (actions/gate/action.yml), read once into a typed object. */
import type { Env } from '@notarize/ci';
import {
  booleanInput,
  choiceInput,
  requiredInput,
  treeSizeInput,
} from '../../shared/src/inputs.ts';
import { readLedgerInputs, type LedgerInputs } from '../../shared/src/ledger.ts';
import { readSubjectInputs, type SubjectInputs } from '../../shared/src/subject-inputs.ts';

export const MODES = ['enforce', 'warn'] as const;
export type GateMode = (typeof MODES)[number];

export interface GateInputs {
  subjects: SubjectInputs;
  /** A policy file path or inline YAML. */
  policy: string;
  at?: number;
  mode: GateMode;
  ledger: LedgerInputs;
  /** Write the job summary (default true). */
  showSummary: boolean;
}

export function readGateInputs(env: Env): GateInputs {
  const inputs: GateInputs = {
    ledger: readLedgerInputs(env, { identity: false }),
    subjects: readSubjectInputs(),
    policy: requiredInput(
      'policy',
      'give a gate policy file in the repository (e.g. .github/notarize-policy.yml) or inline YAML',
    ),
    mode: choiceInput('mode', MODES, 'enforce'),
    showSummary: booleanInput('show-summary', true),
  };
  const at = treeSizeInput('at');
  if (at !== undefined) inputs.at = at;
  return inputs;
}
