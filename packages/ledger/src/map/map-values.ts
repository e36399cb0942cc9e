/**
 * How log entries change the lookup-map values of their keys (docs/formats.md, "Lookup map"):
 * every key counts the entry and extends its chain; a subject key also remembers, per identity,
 * its latest assertion, and the earliest revocation naming the subject (revocations name an
 * identity through its identity digest, so this is what status resolution needs).
 *
 * A batch works on mutable values (`WorkingValue`) and encodes each changed key once at the end:
 * the chain stays bytes between entries of one batch.
 */
import { EMPTY_CHAIN, type MapValue } from '@notarize/map';
import type { LedgerEntry, LedgerEntryKind } from '@notarize/trust';
import { chainStepLatin1 } from '../hashing.ts';
import { entryKeys } from '../index-keys.ts';

/** What the map needs to know about an entry (kept from validation, so nothing is re-parsed). */
export interface MapInfo {
  /** The entry's lookup keys (index-keys.ts). */
  keys: readonly string[];
  kind: LedgerEntryKind;
  identity: string;
}

const SUBJECT_PREFIX = 'subject:';
const EMPTY_CHAIN_LATIN1 = Buffer.from(EMPTY_CHAIN).toString('latin1');

export interface WorkingValue {
  n: number;
  /** The chain hash as a 32-char latin1 string (see chainStepLatin1). */
  chain: string;
  /** Identity -> index of its latest assertion (subject keys; created on first use). */
  assert: Map<string, number> | undefined;
  revoke: number | undefined;
}

export function workingValue(value: MapValue | undefined): WorkingValue {
  if (!value) return { n: 0, chain: EMPTY_CHAIN_LATIN1, assert: undefined, revoke: undefined };
  return {
    n: value.n,
    chain: Buffer.from(value.chain, 'base64').toString('latin1'),
    assert: value.assert ? new Map(value.assert) : undefined,
    revoke: value.revoke,
  };
}

/** Applies entry `index` (leaf hash `leaf`) to the value of `key`, in place. */
export function applyEntry(
  value: WorkingValue,
  key: string,
  index: number,
  leaf: Uint8Array,
  info: MapInfo,
): void {
  value.n++;
  value.chain = chainStepLatin1(value.chain, index, leaf);
  if (!key.startsWith(SUBJECT_PREFIX)) return;
  if (info.kind === 'assertion') (value.assert ??= new Map()).set(info.identity, index);
  else if (info.kind === 'revocation' && value.revoke === undefined) value.revoke = index;
}

/** The value to encode (assert pairs by identity name in UTF-16 code-unit order). */
export function finishValue(value: WorkingValue): MapValue {
  const out: MapValue = {
    n: value.n,
    chain: Buffer.from(value.chain, 'latin1').toString('base64'),
  };
  if (value.assert && value.assert.size > 0) {
    out.assert = [...value.assert].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  }
  if (value.revoke !== undefined) out.revoke = value.revoke;
  return out;
}

/** MapInfo of a decoded entry (replays, migrations). */
export function mapInfoOf(entry: LedgerEntry): MapInfo {
  return { keys: entryKeys(entry), kind: entry.kind, identity: entry.identity.name };
}
