/** Reading stored lookup-map rows (the SQLite store and a monitor's own memory share it). */

/**
 * The newest value of each key from rows ordered by key, then version descending (what a map
 * store's "leaves as of a version" query returns).
 */
export function newestPerKey(
  rows: Iterable<{ key: Uint8Array; value: Uint8Array }>,
): { key: Uint8Array; value: Uint8Array }[] {
  const out: { key: Uint8Array; value: Uint8Array }[] = [];
  let last: Uint8Array | undefined;
  for (const row of rows) {
    if (last && Buffer.compare(last, row.key) === 0) continue;
    last = row.key;
    out.push({ key: row.key, value: row.value });
  }
  return out;
}
