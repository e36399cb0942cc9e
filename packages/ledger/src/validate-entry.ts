/**
 * Validation of entries before they are sequenced (docs/formats.md): the engine checks the
 * record's structure; what a predicate may say (statuses, roles) is the service's and the CLI's
 * business (@notarize/trust). Hand-written rather than schema-driven because it runs on every
 * append (~1 µs).
 */
import {
  ENTRY_KINDS,
  ENTRY_VERSION,
  LEDGER_ENTRY_KINDS,
  MAX_ENTRY_BYTES,
  type LedgerEntry,
  type LedgerEntryKind,
} from '@notarize/trust';
import { canonicalText, parseCanonical } from './canonical.ts';
import { LedgerError } from './errors.ts';
import { entryKeys, envelopeKey, keyId } from './index-keys.ts';
import type { MapInfo } from './map/map-values.ts';

export const STATEMENT_TYPE_V1 = 'https://in-toto.io/Statement/v1';
const ENTRY_MEMBERS = new Set(['v', 'kind', 'statement', 'envelope', 'identity', 'time']);
const AUTH_METHODS = new Set(['apikey', 'oidc', 'local']);
const SHA256_HEX = /^[0-9a-f]{64}$/;
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/**
 * An entry ready to sequence: its leaf bytes and lookup key ids. The parsed record is not kept:
 * holding ~30 objects per entry until the batch commits made them survive into the old
 * generation, and GC was a fifth of the append cost.
 */
export interface PreparedEntry {
  bytes: Uint8Array;
  keyIds: number[];
  /** What the lookup map records of the entry. */
  info: MapInfo;
  /** The entry's envelope lookup key, when it carries a DSSE envelope (replay check). */
  envelopeKey?: string;
}

const encoder = new TextEncoder();

function invalid(where: string, message: string): LedgerError {
  return new LedgerError('ENTRY_INVALID', 'input', `${where}: ${message}`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Checks the record's structure; throws ENTRY_INVALID (input) naming the first problem. */
export function checkEntry(
  value: unknown,
  where = 'entry',
  kinds: readonly LedgerEntryKind[] = ENTRY_KINDS,
): asserts value is LedgerEntry {
  if (!isRecord(value)) throw invalid(where, 'must be a JSON object');
  for (const key of Object.keys(value)) {
    if (!ENTRY_MEMBERS.has(key)) throw invalid(where, `unknown member "${key}" in a v1 entry`);
  }
  if (value.v !== ENTRY_VERSION) {
    throw invalid(where, `v must be ${ENTRY_VERSION}, got ${JSON.stringify(value.v)}`);
  }
  if (!kinds.includes(value.kind as LedgerEntryKind)) {
    // Map heads are the ledger's own entries: parties cannot append them.
    throw invalid(
      where,
      `kind must be one of ${kinds.join(', ')}, got ${JSON.stringify(value.kind)}`,
    );
  }
  checkStatement(value.statement, `${where}.statement`);
  if (value.envelope !== undefined) checkEnvelope(value.envelope, `${where}.envelope`);
  checkIdentity(value.identity, `${where}.identity`);
  if (
    typeof value.time !== 'string' ||
    !RFC3339.test(value.time) ||
    Number.isNaN(Date.parse(value.time))
  ) {
    throw invalid(where, `time must be an RFC 3339 date-time, got ${JSON.stringify(value.time)}`);
  }
}

function checkStatement(value: unknown, where: string): void {
  if (!isRecord(value)) throw invalid(where, 'must be an in-toto Statement object');
  if (value._type !== STATEMENT_TYPE_V1) {
    throw invalid(where, `_type must be ${STATEMENT_TYPE_V1}, got ${JSON.stringify(value._type)}`);
  }
  const subjects = value.subject;
  if (!Array.isArray(subjects) || subjects.length === 0) {
    throw invalid(where, 'subject must list at least one artifact');
  }
  subjects.forEach((s: unknown, i) => {
    const at = `${where}.subject[${i}]`;
    if (!isRecord(s) || !isRecord(s.digest)) throw invalid(at, 'must have a digest object');
    const hex = s.digest.sha256;
    if (typeof hex !== 'string' || !SHA256_HEX.test(hex)) {
      throw invalid(
        at,
        `digest.sha256 must be 64 lowercase hex characters, got ${JSON.stringify(hex)}`,
      );
    }
    if (s.name !== undefined && typeof s.name !== 'string')
      throw invalid(at, 'name must be a string');
  });
  if (typeof value.predicateType !== 'string' || value.predicateType === '') {
    throw invalid(where, 'predicateType must be a non-empty URI');
  }
  if (value.predicate !== undefined && !isRecord(value.predicate)) {
    throw invalid(where, 'predicate must be an object');
  }
}

function checkEnvelope(value: unknown, where: string): void {
  if (!isRecord(value)) throw invalid(where, 'must be a DSSE envelope object');
  if (typeof value.payloadType !== 'string' || typeof value.payload !== 'string') {
    throw invalid(where, 'payloadType and payload must be strings');
  }
  if (!Array.isArray(value.signatures)) throw invalid(where, 'signatures must be an array');
  value.signatures.forEach((s: unknown, i) => {
    if (!isRecord(s) || typeof s.sig !== 'string') {
      throw invalid(`${where}.signatures[${i}]`, 'sig must be a string');
    }
  });
}

function checkIdentity(value: unknown, where: string): void {
  if (!isRecord(value)) throw invalid(where, 'must be an object');
  if (typeof value.name !== 'string' || value.name === '') {
    throw invalid(where, 'name must be a non-empty string');
  }
  if (typeof value.role !== 'string') throw invalid(where, 'role must be a string');
  if (!AUTH_METHODS.has(value.auth as string)) {
    throw invalid(where, `auth must be apikey, oidc or local, got ${JSON.stringify(value.auth)}`);
  }
}

function checkSize(bytes: Uint8Array, where: string): void {
  if (bytes.length > MAX_ENTRY_BYTES) {
    throw new LedgerError(
      'ENTRY_TOO_LARGE',
      'input',
      `${where} is ${bytes.length} bytes; entries are at most ${MAX_ENTRY_BYTES} bytes ` +
        '(store large content in the blob store and reference its digest)',
    );
  }
}

/**
 * Validates one entry given as a record (canonicalized here) or as bytes (which must already be
 * canonical) and returns what the sequencer needs.
 */
export function prepareEntry(
  input: LedgerEntry | Uint8Array,
  where = 'entry',
  kinds: readonly LedgerEntryKind[] = ENTRY_KINDS,
): PreparedEntry {
  let bytes: Uint8Array;
  let entry: unknown;
  if (input instanceof Uint8Array) {
    checkSize(input, where);
    entry = parseCanonical(input, where);
    checkEntry(entry, where, kinds);
    // Copy: the caller may reuse its buffer before the batch commits.
    bytes = input.slice();
  } else {
    entry = input;
    checkEntry(entry, where, kinds);
    bytes = encoder.encode(canonicalText(entry));
    checkSize(bytes, where);
  }
  const keys = entryKeys(entry);
  const envelope = envelopeKey(entry);
  return {
    bytes,
    keyIds: [...new Set(keys.map(keyId))],
    info: { keys, kind: entry.kind, identity: entry.identity.name },
    ...(envelope ? { envelopeKey: envelope } : {}),
  };
}

/** Decodes a stored entry (bytes that once passed `prepareEntry`). */
export function decodeStoredEntry(bytes: Uint8Array, index: number): LedgerEntry {
  const value = parseCanonical(bytes, `entry ${index}`);
  checkEntry(value, `entry ${index}`, LEDGER_ENTRY_KINDS);
  return value;
}
