// C2SP tlog-tiles paths, widths, tile contents and entry bundles. Path vectors: the C2SP spec
// example (index 1234067 -> x001/x234/067, the size-70,000 tree) and Go sumdb/tlog tile paths
// with Go's extra height element removed (C2SP fixes the height at 8).
import { CompactRange } from '../compact-range.ts';
import { decodeEntryBundle, encodeEntryBundle, MAX_ENTRY_SIZE } from '../entry-bundle.ts';
import { leafHash, type Hash } from '../hash.ts';
import { planConsistencyProof, planInclusionProof } from '../proof-plan.ts';
import {
  decodeTile,
  encodeTile,
  entryBundlePath,
  formatTileIndex,
  nodeHashFromTile,
  parseTilePath,
  tileForNode,
  tilePath,
  tilesForNodes,
  tileWidth,
} from '../tiles.ts';
import { verifyInclusion } from '../verify.ts';
import { codeOf, NodeStore, toHex } from './helpers.ts';

describe('tile paths', () => {
  it.each([
    [1234067, 'x001/x234/067'],
    [0, '000'],
    [1, '001'],
    [999, '999'],
    [1000, 'x001/000'],
    [123456078, 'x123/x456/078'],
    [3057500, 'x003/x057/500'],
    [Number.MAX_SAFE_INTEGER, 'x009/x007/x199/x254/x740/991'],
  ])('index %i is %s', (n, s) => {
    expect(formatTileIndex(n)).toBe(s);
  });

  it.each([
    ['tile/0/001', 0, 1, 256],
    ['tile/0/001.p/5', 0, 1, 5],
    ['tile/5/x123/x456/078', 5, 123456078, 256],
    ['tile/5/x123/x456/078.p/2', 5, 123456078, 2],
    ['tile/0/x003/x057/500', 0, 3057500, 256],
    ['tile/3/x001/x234/067.p/8', 3, 1234067, 8],
    ['tile/63/000.p/255', 63, 0, 255],
  ])('formats and parses %s', (path, level, index, width) => {
    expect(parseTilePath(path)).toEqual({ level, index, width });
    expect(tilePath(level, index, width === 256 ? undefined : width)).toBe(path);
    expect(tilePath(level, index, width)).toBe(path);
  });

  it.each([
    ['tile/entries/x003/x057/500', 3057500, 256],
    ['tile/entries/000.p/17', 0, 17],
  ])('formats and parses entry bundle %s', (path, index, width) => {
    expect(parseTilePath(path)).toEqual({ level: 'entries', index, width });
    expect(entryBundlePath(index, width)).toBe(path);
  });

  it.each([
    'tile/5/123/456/078', // Go: missing x prefixes
    'tile/-1/x123/x456/078', // Go: negative level
    'tile/data/000', // Go's name for entries is not C2SP's
    'tile/8/0/001', // Go path with height element
    'tile/64/000',
    'tile/01/000',
    'tile/0/1',
    'tile/0/0001',
    'tile/0/x000/001', // non-canonical leading group
    'tile/0/x001',
    'tile/0/001.p/0',
    'tile/0/001.p/256',
    'tile/0/001.p/05',
    'tile/0/001.p/',
    'tile/0/001.p',
    'tile/0/x001/x002/x003/x004/x005/x006/000', // beyond 2^53
    'tile/0/',
    'tile/entries/',
    '/tile/0/000',
    'tiles/0/000',
    'tile/0/000/',
  ])('rejects %s', (path) => {
    expect(codeOf(() => parseTilePath(path))).toBe('TLOG_TILE_PATH_MALFORMED');
  });

  it('refuses bad arguments', () => {
    expect(codeOf(() => tilePath(64, 0))).toBe('TLOG_TILE_PATH_MALFORMED');
    expect(codeOf(() => tilePath(0, 0, 0))).toBe('TLOG_TILE_PATH_MALFORMED');
    expect(codeOf(() => tilePath(0, 0, 257))).toBe('TLOG_TILE_PATH_MALFORMED');
    expect(codeOf(() => tilePath(0, -1))).toBe('TLOG_BAD_NUMBER');
  });
});

describe('tile widths', () => {
  it('matches the C2SP example tree of size 70,000', () => {
    expect(tileWidth(0, 272, 70000)).toBe(256);
    expect(tileWidth(0, 273, 70000)).toBe(112);
    expect(tileWidth(0, 274, 70000)).toBe(0);
    expect(tileWidth(1, 0, 70000)).toBe(256);
    expect(tileWidth(1, 1, 70000)).toBe(17);
    expect(tileWidth(2, 0, 70000)).toBe(1);
    expect(tileWidth(3, 0, 70000)).toBe(0);
  });

  it('a tree of size 256 has one full level-0 tile and a level-1 tile of width 1', () => {
    expect(tileWidth(0, 0, 256)).toBe(256);
    expect(tileWidth(0, 1, 256)).toBe(0);
    expect(tileWidth(1, 0, 256)).toBe(1);
  });
});

describe('tiles as a hash source', () => {
  // Build a 600-leaf tree, store its perfect nodes, cut level-0/1 tiles from them.
  const N = 600;
  const store = new NodeStore();
  const range = CompactRange.empty();
  const leaves: Hash[] = [];
  for (let i = 0; i < N; i++) {
    leaves.push(leafHash(new Uint8Array([i & 0xff, i >> 8])));
    range.append(leaves[i]!, store.put);
  }
  const tileAt = (L: number, n: number): Hash[] => {
    const w = tileWidth(L, n, N);
    return Array.from({ length: w }, (_, i) => store.get({ level: 8 * L, index: n * 256 + i }));
  };

  it('encodes and decodes tile contents', () => {
    const t = tileAt(0, 2);
    expect(t.length).toBe(600 - 512);
    const bytes = encodeTile(t);
    expect(bytes.length).toBe(88 * 32);
    expect(decodeTile(bytes, 88).map(toHex)).toEqual(t.map(toHex));
    expect(codeOf(() => decodeTile(bytes, 87))).toBe('TLOG_BAD_HASH_SIZE');
    expect(codeOf(() => decodeTile(bytes.subarray(1)))).toBe('TLOG_BAD_HASH_SIZE');
    expect(codeOf(() => decodeTile(new Uint8Array(0)))).toBe('TLOG_BAD_HASH_SIZE');
    expect(codeOf(() => decodeTile(new Uint8Array(257 * 32)))).toBe('TLOG_BAD_HASH_SIZE');
  });

  it('every perfect node of the tree can be read from its tile', () => {
    for (const [key, want] of store.map) {
      const [level, index] = key.split('/').map(Number) as [number, number];
      const coord = tileForNode(level, index);
      const tile = tileAt(coord.tileLevel, coord.tileIndex);
      expect(tile.length).toBeGreaterThanOrEqual(coord.minWidth);
      expect(toHex(nodeHashFromTile(tile, coord))).toBe(toHex(want));
    }
  });

  it('proofs planned for the tree can be served from tiles alone', () => {
    const fromTiles = (level: number, index: number) => {
      const c = tileForNode(level, index);
      return nodeHashFromTile(tileAt(c.tileLevel, c.tileIndex), c);
    };
    for (const index of [0, 255, 256, 511, 599]) {
      const plan = planInclusionProof(index, N);
      const proof = plan.assemble(plan.nodes.map((n) => fromTiles(n.level, n.index)));
      verifyInclusion(leaves[index]!, index, N, proof, range.root());
    }
    const plan = planConsistencyProof(300, N);
    expect(plan.assemble(plan.nodes.map((n) => fromTiles(n.level, n.index))).map(toHex)).toEqual(
      store.run(plan).map(toHex),
    );
  });

  it('tilesForNodes lists the distinct tiles of a plan with their widths', () => {
    const plan = planInclusionProof(5, N);
    const tiles = tilesForNodes(plan.nodes, N);
    expect(tiles.map((t) => t.path)).toEqual(['tile/0/000', 'tile/1/000.p/2', 'tile/0/002.p/88']);
    const fetched = new Map(tiles.map((t) => [t.path, tileAt(t.level, t.index)]));
    const proof = plan.assemble(
      plan.nodes.map((n) => {
        const c = tileForNode(n.level, n.index);
        const ref = tiles.find((t) => t.level === c.tileLevel && t.index === c.tileIndex)!;
        return nodeHashFromTile(fetched.get(ref.path)!, c);
      }),
    );
    verifyInclusion(leaves[5]!, 5, N, proof, range.root());
    expect(codeOf(() => tilesForNodes([{ level: 0, index: N }], N))).toBe(
      'TLOG_INDEX_OUT_OF_RANGE',
    );
    expect(codeOf(() => tilesForNodes([{ level: 4, index: 37 }], N))).toBe(
      'TLOG_INDEX_OUT_OF_RANGE',
    );
  });

  it('tileForNode places level 8k+r nodes in level-k tiles', () => {
    expect(tileForNode(0, 0)).toEqual({
      tileLevel: 0,
      tileIndex: 0,
      offset: 0,
      count: 1,
      minWidth: 1,
    });
    expect(tileForNode(0, 300)).toEqual({
      tileLevel: 0,
      tileIndex: 1,
      offset: 44,
      count: 1,
      minWidth: 45,
    });
    expect(tileForNode(3, 5)).toEqual({
      tileLevel: 0,
      tileIndex: 0,
      offset: 40,
      count: 8,
      minWidth: 48,
    });
    expect(tileForNode(8, 257)).toEqual({
      tileLevel: 1,
      tileIndex: 1,
      offset: 1,
      count: 1,
      minWidth: 2,
    });
    expect(tileForNode(15, 1)).toEqual({
      tileLevel: 1,
      tileIndex: 0,
      offset: 128,
      count: 128,
      minWidth: 256,
    });
    expect(codeOf(() => nodeHashFromTile([], tileForNode(0, 0)))).toBe('TLOG_BAD_HASH_SIZE');
  });
});

describe('entry bundles', () => {
  it('encodes big-endian uint16 length-prefixed entries', () => {
    const bundle = encodeEntryBundle([
      new Uint8Array([0xaa]),
      new Uint8Array(0),
      new Uint8Array(300),
    ]);
    expect(toHex(bundle.subarray(0, 6))).toBe('0001aa000001');
    expect(bundle[5]).toBe(0x01);
    expect(bundle[6]).toBe(0x2c); // 300 = 0x012c
    expect(bundle.length).toBe(2 + 1 + 2 + 2 + 300);
    const back = decodeEntryBundle(bundle);
    expect(back.map((e) => e.length)).toEqual([1, 0, 300]);
    expect(back[0]![0]).toBe(0xaa);
  });

  it('round-trips the maximum entry size and 256 entries', () => {
    const big = new Uint8Array(MAX_ENTRY_SIZE).fill(7);
    expect(decodeEntryBundle(encodeEntryBundle([big]))[0]!.length).toBe(65535);
    const many = Array.from({ length: 256 }, (_, i) => new Uint8Array([i]));
    expect(decodeEntryBundle(encodeEntryBundle(many)).map((e) => e[0])).toEqual(
      many.map((e) => e[0]),
    );
    expect(decodeEntryBundle(new Uint8Array(0))).toEqual([]);
  });

  it('rejects oversized entries and too many entries', () => {
    expect(codeOf(() => encodeEntryBundle([new Uint8Array(65536)]))).toBe('TLOG_ENTRY_TOO_LARGE');
    const many = Array.from({ length: 257 }, () => new Uint8Array(0));
    expect(codeOf(() => encodeEntryBundle(many))).toBe('TLOG_ENTRY_BUNDLE_MALFORMED');
    expect(codeOf(() => decodeEntryBundle(new Uint8Array(257 * 2)))).toBe(
      'TLOG_ENTRY_BUNDLE_MALFORMED',
    );
  });

  it('rejects every truncation of a bundle', () => {
    const bundle = encodeEntryBundle([new Uint8Array([1, 2, 3]), new Uint8Array([4, 5])]);
    for (let cut = 1; cut < bundle.length; cut++) {
      if (cut === 5) continue; // a cut between entries is a valid shorter bundle
      expect(codeOf(() => decodeEntryBundle(bundle.subarray(0, cut)))).toBe(
        'TLOG_ENTRY_BUNDLE_MALFORMED',
      );
    }
    expect(decodeEntryBundle(bundle.subarray(0, 5)).length).toBe(1);
  });
});
