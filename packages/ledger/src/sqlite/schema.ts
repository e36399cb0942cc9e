/**
 * SQLite schema of the embedded store (format 1). See packages/ledger/README.md for the layout.
 * `lookup` rows lead with a segment (index >> 12): random digest keys then only touch the B-tree
 * pages of the newest segment, which keeps commits small (measured: ~2.3x faster appends at 600k
 * entries than a plain (key, index) key); a lookup seeks once per segment.
 */
export const STORE_FORMAT = 1;
export const LOOKUP_SEGMENT_BITS = 12;
export const LOOKUP_SEGMENT = 2 ** LOOKUP_SEGMENT_BITS;

export const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;
CREATE TABLE IF NOT EXISTS entries (idx INTEGER PRIMARY KEY, data BLOB NOT NULL) STRICT;
CREATE TABLE IF NOT EXISTS tiles (id INTEGER PRIMARY KEY, data BLOB NOT NULL) STRICT;
CREATE TABLE IF NOT EXISTS checkpoints (size INTEGER PRIMARY KEY, note TEXT NOT NULL) STRICT;
CREATE TABLE IF NOT EXISTS lookup (
  seg INTEGER NOT NULL, key INTEGER NOT NULL, idx INTEGER NOT NULL,
  PRIMARY KEY (seg, key, idx)
) STRICT, WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS map_values (
  key BLOB NOT NULL, ver INTEGER NOT NULL, value BLOB NOT NULL,
  PRIMARY KEY (key, ver)
) STRICT, WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS idempotency (
  key TEXT PRIMARY KEY, first INTEGER NOT NULL, count INTEGER NOT NULL, hash BLOB NOT NULL
) STRICT;
`;
