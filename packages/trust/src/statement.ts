/**
 * Builders and readers of the in-toto Statement v1 documents the ledger stores (docs/formats.md).
 * Builders return the parts of a LedgerEntry the caller decides (kind and statement); the ledger adds
 * the verified identity and its time (toLedgerEntry). Readers validate a stored statement before
 * anyone acts on it.
 */
import { compileSchema, describeAjvError, instancePathToDots } from './ajv.ts';
import { digestFromDescriptor, digestHex, sha256Digest } from './digest.ts';
import {
  ENTRY_VERSION,
  type DsseEnvelope,
  type EntryIdentity,
  type EntryKind,
  type InTotoStatement,
  type LedgerEntry,
  type ResourceDescriptor,
} from './entry.ts';
import { TrustError } from './errors.ts';
import {
  ASSERTION_PREDICATE_TYPE,
  EVIDENCE_PREDICATE_TYPE,
  REVOCATION_PREDICATE_TYPE,
  STATEMENT_TYPE,
  type AssertionPredicate,
  type CiContext,
  type EvidenceFile,
  type EvidencePredicate,
  type RevocationPredicate,
  type SignerBinding,
} from './predicates.ts';
import {
  assertionStatementSchema,
  evidenceStatementSchema,
  revocationStatementSchema,
} from './schemas.ts';
import { parseAssertableStatus, type AssertableStatus } from './status.ts';

/** An artifact: a display name and its `sha256:<hex>` digest. */
export interface SubjectInput {
  name: string;
  digest: string;
}

/** What a builder returns: the caller's part of a LedgerEntry. */
export interface EntryDraft {
  kind: EntryKind;
  statement: InTotoStatement;
}

export interface AssertionInput {
  subjects: readonly SubjectInput[];
  /** A status name or alias (`eol`); only trusted, untrusted and unsupported can be asserted. */
  status: AssertableStatus | string;
  reason?: string;
  metadata?: Record<string, string>;
  ci?: CiContext;
  /** Who signs the statement and when: required when it is sent with a DSSE envelope. */
  signer?: SignerBinding;
}

export interface EvidenceInput {
  /** The artifacts the evidence is about; without any, the evidence file itself is the subject. */
  subjects?: readonly SubjectInput[];
  ci: CiContext;
  file: EvidenceFile;
  metadata?: Record<string, string>;
}

export interface RevocationInput {
  identity: string;
  reason: string;
}

const SCHEMAS: Record<EntryKind, object> = {
  assertion: assertionStatementSchema,
  evidence: evidenceStatementSchema,
  revocation: revocationStatementSchema,
};

const PREDICATE_TYPES: Record<EntryKind, string> = {
  assertion: ASSERTION_PREDICATE_TYPE,
  evidence: EVIDENCE_PREDICATE_TYPE,
  revocation: REVOCATION_PREDICATE_TYPE,
};

function descriptors(subjects: readonly SubjectInput[]): ResourceDescriptor[] {
  if (subjects.length === 0) {
    throw new TrustError('STATEMENT_INVALID', 'input', 'a statement needs at least one subject');
  }
  return subjects.map((s) => ({ name: s.name, digest: { sha256: digestHex(s.digest) } }));
}

function statement(kind: EntryKind, subject: ResourceDescriptor[], predicate: object): EntryDraft {
  const draft: EntryDraft = {
    kind,
    statement: {
      _type: STATEMENT_TYPE,
      subject,
      predicateType: PREDICATE_TYPES[kind],
      // Round-trip through JSON drops `undefined` members, so the statement is exactly what gets stored.
      predicate: JSON.parse(JSON.stringify(predicate)) as Record<string, unknown>,
    },
  };
  validateStatement(kind, draft.statement);
  return draft;
}

export function buildAssertion(input: AssertionInput): EntryDraft {
  const predicate: AssertionPredicate = {
    status: parseAssertableStatus(input.status),
    reason: input.reason,
    metadata: input.metadata,
    ci: input.ci,
    signer: input.signer,
  };
  return statement('assertion', descriptors(input.subjects), predicate);
}

export function buildEvidence(input: EvidenceInput): EntryDraft {
  const subjects =
    input.subjects && input.subjects.length > 0
      ? input.subjects
      : [{ name: input.file.name, digest: input.file.digest }];
  const predicate: EvidencePredicate = {
    ci: input.ci,
    file: input.file,
    metadata: input.metadata,
  };
  return statement('evidence', descriptors(subjects), predicate);
}

/** Subject name of a revocation: the identity's name behind a prefix no artifact name uses. */
export function identitySubjectName(identity: string): string {
  return `identity:${identity}`;
}

/**
 * Subject digest of a revocation: SHA-256 of the UTF-8 bytes of `identity:<name>`. The prefix keeps
 * it apart from the digest of a file that happens to hold just the name; lookups by this digest find
 * every revocation of the identity.
 */
export async function identityDigest(identity: string): Promise<string> {
  return sha256Digest(new TextEncoder().encode(identitySubjectName(identity)));
}

export async function buildRevocation(input: RevocationInput): Promise<EntryDraft> {
  if (input.identity.length === 0) {
    throw new TrustError('STATEMENT_INVALID', 'input', 'name the identity to revoke');
  }
  const predicate: RevocationPredicate = { identity: input.identity, reason: input.reason };
  const subject = [
    {
      name: identitySubjectName(input.identity),
      digest: await identityDigest(input.identity),
    },
  ];
  return statement('revocation', descriptors(subject), predicate);
}

/** The ledger's part: a complete entry from a draft, the verified identity and the acceptance time. */
export function toLedgerEntry(
  draft: EntryDraft,
  parts: { identity: EntryIdentity; time: string; envelope?: DsseEnvelope },
): LedgerEntry {
  const entry: LedgerEntry = {
    v: ENTRY_VERSION,
    kind: draft.kind,
    statement: draft.statement,
    identity: parts.identity,
    time: parts.time,
  };
  if (parts.envelope) entry.envelope = parts.envelope;
  return entry;
}

/**
 * Checks a statement against the schema of its kind; throws STATEMENT_INVALID (input) naming every
 * problem. A predicate type this version does not know is ENTRY_UNSUPPORTED.
 */
export function validateStatement(
  kind: EntryKind,
  value: unknown,
): asserts value is InTotoStatement {
  const schema = SCHEMAS[kind];
  if (!schema) {
    throw new TrustError('ENTRY_UNSUPPORTED', 'input', `unknown entry kind "${String(kind)}"`);
  }
  const predicateType = (value as { predicateType?: unknown } | null)?.predicateType;
  if (typeof predicateType === 'string' && predicateType !== PREDICATE_TYPES[kind]) {
    throw new TrustError(
      'ENTRY_UNSUPPORTED',
      'input',
      `a ${kind} entry with predicateType ${predicateType} is not understood by this version ` +
        `(expected ${PREDICATE_TYPES[kind]}); upgrade notarize`,
    );
  }
  const validate = compileSchema(schema);
  if (!validate(value)) {
    const problems = (validate.errors ?? []).map((e) => {
      const where = instancePathToDots(e.instancePath) || 'statement';
      return `${where}: ${describeAjvError(e)}`;
    });
    throw new TrustError(
      'STATEMENT_INVALID',
      'input',
      `invalid ${kind} statement: ${problems.join('; ')}`,
    );
  }
}

/** The subject digests (`sha256:<hex>`) of a statement, in order, without repeats. */
export function subjectDigests(statement: InTotoStatement): string[] {
  const out: string[] = [];
  for (const s of statement.subject) {
    const d = digestFromDescriptor(s.digest);
    if (d && !out.includes(d)) out.push(d);
  }
  return out;
}

function read<T>(entry: LedgerEntry, kind: EntryKind): T {
  if (entry.kind !== kind) {
    throw new TrustError(
      'STATEMENT_INVALID',
      'input',
      `expected a ${kind} entry, got ${entry.kind}`,
    );
  }
  validateStatement(kind, entry.statement);
  return entry.statement.predicate as T;
}

export function readAssertion(entry: LedgerEntry): AssertionPredicate {
  return read<AssertionPredicate>(entry, 'assertion');
}

export function readEvidence(entry: LedgerEntry): EvidencePredicate {
  return read<EvidencePredicate>(entry, 'evidence');
}

export function readRevocation(entry: LedgerEntry): RevocationPredicate {
  return read<RevocationPredicate>(entry, 'revocation');
}
