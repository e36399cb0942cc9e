/**
 * Completeness of lookup answers (docs/formats.md, "Lookup map"). Inclusion proofs show that what
 * a ledger returned is in its log; the map shows that nothing was left out:
 * - the map head must be the last entry of the tree the answer is proved in, a valid map head of
 *   this ledger, and included like any entry;
 * - one batch proof must lead from its root to exactly the asked keys, with the values given;
 * - the entries must be exactly what the values describe: every entry under a key (count and
 *   chain), or each identity's latest assertion and the first revocation.
 * Any difference is a 'verification' error (exit 20): an entry was hidden, added or altered.
 */
import { readMapHead, type LedgerEntry } from '@notarize/trust';
import {
  chainStep,
  EMPTY_CHAIN,
  encodeValue,
  mapKey,
  valueHash,
  verifyMapProof,
  type MapValue,
} from '@notarize/map';
import { nodeSha256 } from '@notarize/ledger';
import { verificationError } from './errors.ts';
import type { ProvedTree, VerifiedEntry } from './ledger-client.ts';
import type { LedgerVerifier } from './verifier.ts';
import { badResponse, type WireMap } from './wire.ts';

/** The proved values of the asked keys, by lookup key (undefined: no entry has the key). */
export type ProvedValues = Map<string, MapValue | undefined>;

const toHex = (b: Uint8Array) => Buffer.from(b).toString('hex');

function incomplete(message: string) {
  return verificationError('INCOMPLETE_ANSWER', message);
}

/** Verifies the map member of an answer for exactly `keys`; returns their proved values. */
export function verifyMapMember(
  verifier: LedgerVerifier,
  tree: ProvedTree,
  wire: WireMap | undefined,
  keys: readonly string[],
): ProvedValues {
  if (tree.size === 0 && !wire) {
    // The empty tree: nothing is recorded under any key, so there is nothing to hide.
    return new Map(keys.map((k) => [k, undefined]));
  }
  if (!wire) {
    throw incomplete(
      `the ledger's answer carries no lookup-map proof, so it cannot be shown complete ` +
        `(a ledger older than this client, or something between us removed it)`,
    );
  }
  if (wire.head.index !== tree.size - 1) {
    throw verificationError(
      'MAP_HEAD_INVALID',
      `the map head the ledger proved against is entry ${wire.head.index}, not the last entry ` +
        `(${tree.size - 1}) of the tree of size ${tree.size}`,
    );
  }
  const head = verifier.entry(tree, wire.head);
  let root: Uint8Array;
  try {
    root = readMapHead(head.entry, verifier.origin).root;
  } catch (error) {
    throw verificationError('MAP_HEAD_INVALID', (error as Error).message, error);
  }
  if (wire.keys.length !== keys.length || wire.keys.some((k, i) => k !== keys[i])) {
    throw incomplete(`the ledger proved other lookup keys than the ones asked for`);
  }
  if (wire.values.length !== keys.length) throw badResponse('map.values does not match map.keys');
  const hashed = keys.map((k) => mapKey(k, nodeSha256));
  let results;
  try {
    results = verifyMapProof(root, hashed, Buffer.from(wire.proof, 'base64'), nodeSha256);
  } catch (error) {
    throw verificationError(
      'MAP_PROOF_INVALID',
      `the lookup-map proof does not lead to the root in map head ${wire.head.index}: ${(error as Error).message}`,
      error,
    );
  }
  const byKey = new Map(results.map((r) => [toHex(r.key), r.valueHash]));
  const out: ProvedValues = new Map();
  keys.forEach((key, i) => {
    const given = wire.values[i];
    const proved = byKey.get(toHex(hashed[i] as Uint8Array));
    if (given === null || given === undefined) {
      if (proved)
        throw incomplete(`the ledger says nothing is recorded under ${key}, but the map holds it`);
      out.set(key, undefined);
      return;
    }
    let bytes: Uint8Array;
    const value = given as unknown as MapValue;
    try {
      // Strict: the exact shape (no other members), encoded canonically.
      bytes = encodeValue(value);
    } catch (error) {
      throw badResponse(`map value of ${key} is malformed: ${(error as Error).message}`);
    }
    if (!proved || toHex(valueHash(bytes, nodeSha256)) !== toHex(proved)) {
      throw verificationError(
        'MAP_PROOF_INVALID',
        `the map value the ledger gave for ${key} is not the one its map head commits to`,
      );
    }
    out.set(key, value);
  });
  return out;
}

/** Checks that `entries` are every entry the map records under `key`, in log order. */
export function checkAllEntries(
  key: string,
  value: MapValue | undefined,
  entries: readonly VerifiedEntry[],
): void {
  const expected = value?.n ?? 0;
  if (entries.length !== expected) {
    throw incomplete(
      `the ledger returned ${entries.length} entries for ${key}, but its signed map records ` +
        `${expected}: entries were ${entries.length < expected ? 'hidden' : 'added'}`,
    );
  }
  let chain = EMPTY_CHAIN;
  for (const e of entries) chain = chainStep(chain, e.index, e.leafHash);
  const recorded = value?.chain ?? Buffer.from(EMPTY_CHAIN).toString('base64');
  if (Buffer.from(chain).toString('base64') !== recorded) {
    throw incomplete(
      `the entries the ledger returned for ${key} are not the ones its signed map records ` +
        `(same count, other entries)`,
    );
  }
}

/** The lookup-map fields a status needs: per identity its latest assertion, and a revocation. */
export function latestIndexes(value: MapValue | undefined): {
  assert: ReadonlyMap<string, number>;
  revoke: number | undefined;
} {
  return { assert: new Map(value?.assert ?? []), revoke: value?.revoke };
}

/** Checks one entry against what the map says it is. */
export function checkLatestEntry(
  entry: LedgerEntry,
  index: number,
  expect: { kind: 'assertion' | 'revocation'; identity?: string; what: string },
): void {
  if (entry.kind !== expect.kind || (expect.identity && entry.identity.name !== expect.identity)) {
    throw incomplete(
      `entry ${index}, which the map names as ${expect.what}, is a ${entry.kind} by ` +
        `${entry.identity.name}`,
    );
  }
}
