import { TlogError } from './errors.ts';
import { TILE_WIDTH } from './tiles.ts';

/** Entries in a bundle are prefixed by a big-endian uint16 length. */
export const MAX_ENTRY_SIZE = 0xffff;

/** A tlog-tiles entry bundle: up to 256 entries, each a big-endian uint16 length + bytes. */
export function encodeEntryBundle(entries: readonly Uint8Array[]): Uint8Array {
  if (entries.length > TILE_WIDTH) {
    throw new TlogError(
      'TLOG_ENTRY_BUNDLE_MALFORMED',
      `an entry bundle holds at most ${TILE_WIDTH} entries, got ${entries.length}`,
      { category: 'input' },
    );
  }
  let total = 0;
  entries.forEach((e, i) => {
    if (e.length > MAX_ENTRY_SIZE) {
      throw new TlogError(
        'TLOG_ENTRY_TOO_LARGE',
        `entry ${i} is ${e.length} bytes; entry bundles allow at most ${MAX_ENTRY_SIZE}`,
      );
    }
    total += 2 + e.length;
  });
  const out = new Uint8Array(total);
  let at = 0;
  for (const e of entries) {
    out[at] = e.length >> 8;
    out[at + 1] = e.length & 0xff;
    out.set(e, at + 2);
    at += 2 + e.length;
  }
  return out;
}

/** Decodes an entry bundle; throws on a truncated length or entry, or more than 256 entries. */
export function decodeEntryBundle(bundle: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let at = 0;
  while (at < bundle.length) {
    if (out.length === TILE_WIDTH) {
      throw new TlogError(
        'TLOG_ENTRY_BUNDLE_MALFORMED',
        `entry bundle holds more than ${TILE_WIDTH} entries`,
      );
    }
    if (at + 2 > bundle.length) {
      throw new TlogError(
        'TLOG_ENTRY_BUNDLE_MALFORMED',
        `entry bundle is truncated inside the length prefix of entry ${out.length}`,
      );
    }
    const len = (bundle[at]! << 8) | bundle[at + 1]!;
    if (at + 2 + len > bundle.length) {
      throw new TlogError(
        'TLOG_ENTRY_BUNDLE_MALFORMED',
        `entry bundle is truncated: entry ${out.length} needs ${len} bytes, ${bundle.length - at - 2} left`,
      );
    }
    out.push(bundle.slice(at + 2, at + 2 + len));
    at += 2 + len;
  }
  return out;
}
