/**
 * Map-head entries: the ledger's own log entry, appended last in every committed batch, that
 * commits to the root of the lookup map over all entries before it. The checkpoint of a batch
 * therefore commits to the map through an ordinary leaf, and stays a plain C2SP checkpoint.
 */
import type { LedgerEntry } from './entry.ts';
import { TrustError } from './errors.ts';

export const MAP_HEAD_PREDICATE_TYPE = 'https://notarize-action.dev/map-head/v1';
/** The role the ledger's own identity holds in map-head entries. */
export const LEDGER_ROLE = 'ledger';

export interface MapHead {
  /** 32-byte root of the lookup map over entries [0, size). */
  root: Uint8Array;
  /** Entries the map covers: the map head's own log index. */
  size: number;
  /** Number of keys in the map. */
  keys: number;
}

const HEX64 = /^[0-9a-f]{64}$/;

const toHex = (bytes: Uint8Array): string =>
  Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

/** The map-head entry for `head`, by the ledger of `origin`, accepted at `time`. */
export function buildMapHead(origin: string, head: MapHead, time: string): LedgerEntry {
  return {
    v: 1,
    kind: 'map-head',
    statement: {
      _type: 'https://in-toto.io/Statement/v1',
      subject: [{ name: 'lookup-map', digest: { sha256: toHex(head.root) } }],
      predicateType: MAP_HEAD_PREDICATE_TYPE,
      predicate: { size: head.size, keys: head.keys },
    },
    identity: { name: origin, role: LEDGER_ROLE, auth: 'local' },
    time,
  };
}

function invalid(message: string): TrustError {
  return new TrustError('STATEMENT_INVALID', 'verification', `invalid map-head entry: ${message}`);
}

/**
 * Reads a map-head entry strictly: kind, predicate type, the ledger's identity (`origin`), one
 * subject carrying the root, and the covered size. Anything else is an error, never a guess.
 */
export function readMapHead(entry: LedgerEntry, origin: string): MapHead {
  if (entry.kind !== 'map-head') throw invalid(`kind is ${JSON.stringify(entry.kind)}`);
  const { statement, identity } = entry;
  if (statement.predicateType !== MAP_HEAD_PREDICATE_TYPE) {
    throw invalid(`predicateType is ${JSON.stringify(statement.predicateType)}`);
  }
  if (identity.name !== origin || identity.role !== LEDGER_ROLE || identity.auth !== 'local') {
    throw invalid(`it names ${JSON.stringify(identity.name)}, not the ledger ${origin}`);
  }
  const hex = statement.subject.length === 1 ? statement.subject[0]?.digest.sha256 : undefined;
  if (typeof hex !== 'string' || !HEX64.test(hex)) throw invalid('no map root');
  const p = statement.predicate as { size?: unknown; keys?: unknown } | undefined;
  const ok = (n: unknown): n is number =>
    typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
  if (!p || !ok(p.size) || !ok(p.keys)) throw invalid('predicate is not {size, keys}');
  const root = new Uint8Array(32);
  for (let i = 0; i < 32; i++) root[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return { root, size: p.size, keys: p.keys };
}
