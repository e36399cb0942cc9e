/**
 * How one log entry changes the lookup-map values of its keys (docs/formats.md, "Lookup map"):
 * every key counts the entry and extends its chain; a subject key also remembers, per identity,
 * its latest assertion, and the earliest revocation naming the subject (revocations name an
 * identity through its identity digest, so this is what status resolution needs).
 */
import { chainStep, type MapValue, type Sha256 } from '@notarize/map';
import type { LedgerEntry, LedgerEntryKind } from '@notarize/trust';
import { entryKeys } from '../index-keys.ts';

/** What the map needs to know about an entry (kept from validation, so nothing is re-parsed). */
export interface MapInfo {
  /** The entry's lookup keys (index-keys.ts). */
  keys: readonly string[];
  kind: LedgerEntryKind;
  identity: string;
}

const SUBJECT_PREFIX = 'subject:';

export function emptyValue(): MapValue {
  return { n: 0, chain: Buffer.alloc(32).toString('base64') };
}

/** The value after appending entry `index` (leaf hash `leaf`) under `key`. Pure. */
export function nextValue(
  value: MapValue,
  key: string,
  index: number,
  leaf: Uint8Array,
  info: MapInfo,
  sha?: Sha256,
): MapValue {
  const prev = new Uint8Array(Buffer.from(value.chain, 'base64'));
  const next: MapValue = {
    n: value.n + 1,
    chain: Buffer.from(chainStep(prev, index, leaf, sha)).toString('base64'),
  };
  if (value.assert) next.assert = value.assert;
  if (value.revoke !== undefined) next.revoke = value.revoke;
  if (!key.startsWith(SUBJECT_PREFIX)) return next;
  if (info.kind === 'assertion') {
    const others = (value.assert ?? []).filter(([name]) => name !== info.identity);
    others.push([info.identity, index]);
    // UTF-16 code-unit order, as the format specifies (and as RFC 8785 sorts member names).
    next.assert = others.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  } else if (info.kind === 'revocation' && next.revoke === undefined) {
    next.revoke = index;
  }
  return next;
}

/** MapInfo of a decoded entry (replays, migrations). */
export function mapInfoOf(entry: LedgerEntry): MapInfo {
  return { keys: entryKeys(entry), kind: entry.kind, identity: entry.identity.name };
}
