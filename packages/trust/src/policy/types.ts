/** The parsed gate policy (docs/trust-model.md plus the extensions documented in README.md). */
import type { PublicKey } from '../signing/keys.ts';
import type { TrustStatus } from '../status.ts';

/** Statuses a rule can name: `unknown` is the absence of an assertion, so no rule can match it. */
export type RuleStatus = Exclude<TrustStatus, 'unknown'>;

export interface PolicyRule {
  /** `require[0]`, `block[2]`: how reasons name the rule. */
  where: string;
  /** 1-based line of the rule in the policy file (0 for built-in policies). */
  line: number;
  /** Identity name or glob; absent = any identity. */
  identity?: string;
  /** Role name or glob; absent = any role. */
  role?: string;
  status: RuleStatus;
  /** How many distinct identities must match (default 1). */
  min: number;
  /** Assertions older than this (relative to `now`) do not count for this rule. */
  maxAge?: { text: string; ms: number };
  /** Key ids: only assertions whose DSSE signature verified with one of them count. */
  signedBy?: string[];
  /** Conditions on the identity's verified claims / the assertion's CI context: key -> globs. */
  ci?: Record<string, string[]>;
}

export interface Policy {
  version: 1;
  require: PolicyRule[];
  block: PolicyRule[];
  /** Public keys given as PEM in `signedBy`, for verifying envelopes before evaluation. */
  keys: PublicKey[];
  /** Where the policy came from (file name, or `built-in`), for messages. */
  source: string;
  /**
   * Witnesses whose cosignatures the gate requires on the checkpoint it reads (`witnesses:`):
   * their vkeys, the quorum (default: all) and the maximum age of a cosignature.
   */
  witnesses?: { keys: string[]; quorum?: number; maxAgeMs?: number };
}
