/**
 * The ledger entry record (docs/formats.md): what one log leaf holds, as RFC 8785 canonical
 * JSON. Versioned from day one (`v`), so the encoding can evolve without breaking old clients.
 */
import { canonicalBytes } from './canonical-json.ts';

export const ENTRY_VERSION = 1;
/** Entries stay under 64 KiB so that C2SP tlog-tiles entry bundles can carry them. */
export const MAX_ENTRY_BYTES = 65535;

/** What parties append. */
export type EntryKind = 'assertion' | 'evidence' | 'revocation';
export const ENTRY_KINDS: readonly EntryKind[] = ['assertion', 'evidence', 'revocation'];
/** What a log leaf may hold: a party's entry, or a map head the ledger itself appends. */
export type LedgerEntryKind = EntryKind | 'map-head';
export const LEDGER_ENTRY_KINDS: readonly LedgerEntryKind[] = [...ENTRY_KINDS, 'map-head'];

/** in-toto Statement v1 (https://in-toto.io/Statement/v1). */
export interface ResourceDescriptor {
  name?: string;
  digest: Record<string, string>;
  uri?: string;
  mediaType?: string;
  annotations?: Record<string, unknown>;
}

export interface InTotoStatement {
  _type: 'https://in-toto.io/Statement/v1';
  subject: ResourceDescriptor[];
  predicateType: string;
  predicate?: Record<string, unknown>;
}

/** DSSE envelope (https://github.com/secure-systems-lab/dsse): payload is base64. */
export interface DsseEnvelope {
  payloadType: string;
  payload: string;
  signatures: { keyid?: string; sig: string }[];
}

export type AuthMethod = 'apikey' | 'oidc' | 'local';

/** Who appended the entry, as the ledger verified it. Extra members are verified claims. */
export interface EntryIdentity {
  name: string;
  role: string;
  auth: AuthMethod;
  [claim: string]: unknown;
}

export interface LedgerEntry {
  v: typeof ENTRY_VERSION;
  kind: LedgerEntryKind;
  statement: InTotoStatement;
  envelope?: DsseEnvelope;
  identity: EntryIdentity;
  /** RFC 3339 time at which the ledger accepted the entry. */
  time: string;
}

/** The leaf bytes of an entry. */
export function encodeEntry(entry: LedgerEntry): Uint8Array {
  return canonicalBytes(entry);
}
