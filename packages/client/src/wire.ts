/**
 * The JSON shapes the ledger service sends (packages/server/src/service/API.md). Everything here
 * is untrusted input until verifier.ts has checked it.
 */
import type { LedgerEntry } from '@notarize/trust';
import { LedgerClientError } from './errors.ts';

export interface WireEntry {
  index: number;
  entry: LedgerEntry;
  proof: string[];
}

/** The lookup map's part of an answer; map-check.ts verifies it. */
export interface WireMap {
  head: WireEntry;
  keys: string[];
  /** Map values as JSON objects (null: no entry has the key); checked against the proof. */
  values: (Record<string, unknown> | null)[];
  /** Base64 batch proof. */
  proof: string;
}

export interface WireBundle {
  checkpoint: string;
  tree: { size: number; root: string };
  consistency?: string[];
  known?: { size: number; consistency: string[] };
  map?: WireMap;
  entries: WireEntry[];
}

export interface WireAppendResponse {
  checkpoint: string;
  receipts: WireEntry[];
}

export interface WireInfo {
  origin: string;
  vkey: string;
  checkpoint: string;
  readOnly: boolean;
  limits?: Record<string, number>;
  version?: string;
  caller?: { name: string; role: string; auth: string };
}

export interface WireBlobInfo {
  digest: string;
  size: number;
  created: boolean;
}

export interface WireConsistency {
  from: number;
  to: number;
  proof: string[];
}

export function badResponse(what: string): LedgerClientError {
  return new LedgerClientError(
    'BAD_RESPONSE',
    'verification',
    `the ledger's answer is malformed: ${what}`,
  );
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isCount = (v: unknown): v is number =>
  typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isStringArray = (v: unknown): v is string[] =>
  Array.isArray(v) && v.every((x) => typeof x === 'string');

function checkEntry(v: unknown, where: string): WireEntry {
  if (!isObject(v) || !isCount(v.index) || !isObject(v.entry) || !isStringArray(v.proof)) {
    throw badResponse(`${where} is not {index, entry, proof}`);
  }
  return v as unknown as WireEntry;
}

export function parseBundle(v: unknown): WireBundle {
  if (!isObject(v) || typeof v.checkpoint !== 'string') throw badResponse('no checkpoint');
  const tree = v.tree;
  if (!isObject(tree) || !isCount(tree.size) || typeof tree.root !== 'string') {
    throw badResponse('tree is not {size, root}');
  }
  if (v.consistency !== undefined && !isStringArray(v.consistency)) {
    throw badResponse('consistency is not a list of hashes');
  }
  if (v.known !== undefined) {
    const k = v.known;
    if (!isObject(k) || !isCount(k.size) || !isStringArray(k.consistency)) {
      throw badResponse('known is not {size, consistency}');
    }
  }
  if (v.map !== undefined) {
    const m = v.map;
    if (
      !isObject(m) ||
      !isStringArray(m.keys) ||
      typeof m.proof !== 'string' ||
      !Array.isArray(m.values) ||
      !m.values.every((x) => x === null || isObject(x))
    ) {
      throw badResponse('map is not {head, keys, values, proof}');
    }
    checkEntry(m.head, 'map.head');
  }
  if (!Array.isArray(v.entries)) throw badResponse('entries is not a list');
  v.entries.forEach((e, i) => checkEntry(e, `entries[${i}]`));
  return v as unknown as WireBundle;
}

export function parseAppendResponse(v: unknown): WireAppendResponse {
  if (!isObject(v) || typeof v.checkpoint !== 'string') throw badResponse('no checkpoint');
  if (!Array.isArray(v.receipts)) throw badResponse('receipts is not a list');
  v.receipts.forEach((e, i) => checkEntry(e, `receipts[${i}]`));
  return v as unknown as WireAppendResponse;
}

export function parseInfo(v: unknown): WireInfo {
  if (
    !isObject(v) ||
    typeof v.origin !== 'string' ||
    typeof v.vkey !== 'string' ||
    typeof v.checkpoint !== 'string' ||
    typeof v.readOnly !== 'boolean'
  ) {
    throw badResponse('info is not {origin, vkey, checkpoint, readOnly}');
  }
  return v as unknown as WireInfo;
}

export function parseConsistency(v: unknown): WireConsistency {
  if (!isObject(v) || !isCount(v.from) || !isCount(v.to) || !isStringArray(v.proof)) {
    throw badResponse('consistency is not {from, to, proof}');
  }
  return v as unknown as WireConsistency;
}

export function parseBlobInfo(v: unknown): WireBlobInfo {
  if (
    !isObject(v) ||
    typeof v.digest !== 'string' ||
    !isCount(v.size) ||
    typeof v.created !== 'boolean'
  ) {
    throw badResponse('blob answer is not {digest, size, created}');
  }
  return v as unknown as WireBlobInfo;
}
