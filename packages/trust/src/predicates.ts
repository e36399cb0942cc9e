/**
 * The project's in-toto predicates. Their types are versioned URIs: a change that old readers could
 * misread gets a new version, and readers refuse versions they do not know (see statement.ts).
 */
import type { AssertableStatus } from './status.ts';

export const ASSERTION_PREDICATE_TYPE = 'https://notarize-action.dev/assertion/v1';
export const EVIDENCE_PREDICATE_TYPE = 'https://notarize-action.dev/evidence/v1';
export const REVOCATION_PREDICATE_TYPE = 'https://notarize-action.dev/revocation/v1';
export const STATEMENT_TYPE = 'https://in-toto.io/Statement/v1';

/**
 * Where an assertion or evidence came from, as the asserting party saw it. The ledger indexes
 * evidence by `provider`, `project` and `jobId`; keep those names. Unlike the entry's `identity`,
 * these fields are the party's own statement, not claims the ledger verified.
 */
export interface CiContext {
  /** `github`, `gitlab`, `local`, or another CI's name. */
  provider: string;
  /** GitHub `owner/repo`, GitLab `group/project`. */
  project: string;
  pipelineId?: string;
  jobId?: string;
  jobUrl?: string;
  commit?: string;
  ref?: string;
  runAttempt?: string;
  workflowRef?: string;
  serverUrl?: string;
  /** The job's name (GitHub job key, GitLab job name). */
  job?: string;
}

/**
 * Who signed a DSSE-signed assertion, and when, inside the signed statement itself: the ledger
 * refuses an envelope whose `identity` is not the authenticated caller (so another identity cannot
 * replay it), and policies order signed assertions by `time` (so an older signature never counts
 * as newer than a later one).
 */
export interface SignerBinding {
  /** The ledger identity name of the signer (as the ledger authenticates it). */
  identity: string;
  /** RFC 3339 time of signing. */
  time: string;
}

export interface AssertionPredicate {
  status: AssertableStatus;
  reason?: string;
  metadata?: Record<string, string>;
  ci?: CiContext;
  /** Present on statements signed with DSSE (required by the ledger when an envelope is sent). */
  signer?: SignerBinding;
}

export interface EvidenceFile {
  name: string;
  mediaType: string;
  size: number;
  /** `sha256:<hex>`: the blob's address in the ledger's content-addressed blob store. */
  digest: string;
}

export interface EvidencePredicate {
  ci: CiContext;
  file: EvidenceFile;
  /** Free-form string annotations (e.g. the kind of evidence: `sbom`, `test-report`). */
  metadata?: Record<string, string>;
}

export interface RevocationPredicate {
  /** The revoked identity's name. */
  identity: string;
  reason: string;
}
