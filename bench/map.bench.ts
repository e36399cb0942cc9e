/**
 * Lookup map benchmarks (issue 13), each next to a reference measured in the same run:
 * - proof size and verify time p50/p99 at 1M keys (a real tree; 20k with --quick) and at 100M keys
 *   (simulated, see `simulatedProof`), vs verifying an RFC 9162 inclusion proof in a 1M-leaf log
 *   (@notarize/tlog verifyInclusion; both with the default @noble/hashes SHA-256, as a client);
 * - bulk build (fromLeaves + root) time and RSS at 1M keys, vs node:crypto hashing the same number
 *   of nodes and vs the RSS of a plain JS Map holding the same keys and value hashes;
 * - incremental update throughput, batches of 3,000 changed keys (half updated, half new) on the
 *   1M-key tree, clone + set + root as the ledger does it, vs node:crypto hashing the same number
 *   of path nodes (the hashes the batch performed, counted).
 */
import { createHash, randomBytes } from 'node:crypto';
import v8 from 'node:v8';
import vm from 'node:vm';
import {
  EMPTY_NODE,
  innerNodeHash,
  leafNodeHash,
  SparseMerkleMap,
  verifyMapProof,
  type Hash,
  type Sha256,
} from '@notarize/map';
import { inclusionProofLength, rootFromInclusionProof, verifyInclusion } from '@notarize/tlog';
import {
  higherIsBetter,
  lowerIsBetter,
  percentile,
  type BenchContext,
  type BenchRow,
} from './harness.ts';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

let hashCount = 0;
/** node:crypto, as the ledger injects it; counts calls so references hash the same number. */
const nodeSha: Sha256 = (parts) => {
  hashCount++;
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
};

/** Milliseconds for node:crypto to hash `count` 65-byte node messages (the reference). */
function rawHashMs(count: number): number {
  const buf = randomBytes(65);
  const t = performance.now();
  for (let i = 0; i < count; i++) {
    buf[0] = i & 0xff;
    createHash('sha256').update(buf).digest();
  }
  return performance.now() - t;
}

/** Resident set size and live heap (JS heap + buffers) after a full collection. */
const memory = () => {
  gc();
  gc();
  const m = process.memoryUsage();
  return { rss: m.rss, live: m.heapUsed + m.external };
};

function keysOf(n: number): Hash[] {
  const all = randomBytes(32 * n);
  return Array.from({ length: n }, (_, i) => all.subarray(32 * i, 32 * i + 32));
}

function timings(samples: number, fn: (i: number) => void) {
  const lat: number[] = [];
  for (let i = 0; i < samples; i++) {
    const t = process.hrtime.bigint();
    fn(i);
    lat.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return { p50: percentile(lat, 50), p99: percentile(lat, 99) };
}

/** A Binomial(n, 1/2) sample: exact for small n, normal approximation for large n. */
function halfBinomial(n: number): number {
  if (n <= 64) {
    let k = 0;
    for (let i = 0; i < n; i++) if (Math.random() < 0.5) k++;
    return k;
  }
  const g = Math.sqrt(-2 * Math.log(1 - Math.random())) * Math.cos(2 * Math.PI * Math.random());
  return Math.min(n, Math.max(0, Math.round(n / 2 + (Math.sqrt(n) / 2) * g)));
}

/**
 * A proof with the shape the proof of a random key has in a map of `n` random keys, and a root it
 * verifies against. Walking down the key's path, of the `m` other keys sharing its first d bits,
 * Binomial(m, 1/2) also share bit d; the rest form the sibling subtree at depth d + 1 (a 0x03 hash
 * if non-empty, 0x02 if empty). The walk ends where no other key remains (a member's leaf), or for
 * an absent key where at most one remains (that leaf, or EMPTY). Sibling hashes and values are
 * random; the verifier does exactly the work it does on a real tree of that shape.
 */
function simulatedProof(n: number, member: boolean) {
  const key = new Uint8Array(randomBytes(32));
  const bit = (d: number) => (key[d >> 3]! >> (7 - (d & 7))) & 1;
  const siblings: boolean[] = [];
  let m = member ? n - 1 : n;
  while (member ? m > 0 : m > 1) {
    const same = halfBinomial(m);
    siblings.push(m - same > 0);
    m = same;
  }
  const vh = new Uint8Array(randomBytes(32));
  const parts: Uint8Array[] = [];
  const walk = (d: number): Hash => {
    if (d === siblings.length) {
      if (member) {
        parts.push(Uint8Array.of(0x01), key, vh);
        return leafNodeHash(key, vh);
      }
      if (m === 0) {
        parts.push(Uint8Array.of(0x02));
        return EMPTY_NODE;
      }
      const other = key.slice();
      other[31]! ^= 1; // any key sharing the first d bits but not equal
      parts.push(Uint8Array.of(0x01), other, vh);
      return leafNodeHash(other, vh);
    }
    parts.push(Uint8Array.of(0x00));
    const sib = siblings[d] ? new Uint8Array(randomBytes(32)) : EMPTY_NODE;
    const emitSibling = () =>
      parts.push(siblings[d] ? Uint8Array.of(0x03, ...sib) : Uint8Array.of(0x02));
    if (bit(d) === 0) {
      const below = walk(d + 1);
      emitSibling();
      return innerNodeHash(below, sib);
    }
    emitSibling();
    return innerNodeHash(sib, walk(d + 1));
  };
  const root = walk(0);
  const proof = Uint8Array.from(parts.flatMap((p) => [...p]));
  return { key, root, proof };
}

export async function run(ctx: BenchContext): Promise<BenchRow[]> {
  const n = ctx.quick ? 20_000 : 1_000_000;
  const size = ctx.quick ? '20k' : '1M';
  const samples = ctx.quick ? 300 : 2_000;
  const rows: BenchRow[] = [];

  // --- bulk build and memory ---------------------------------------------------------------
  const keys = keysOf(n);
  const values = keysOf(n);
  const before = memory();
  hashCount = 0;
  const t0 = performance.now();
  const map = SparseMerkleMap.fromLeaves(
    keys.map((k, i) => [k, values[i]!] as const),
    nodeSha,
  );
  const root = map.root();
  const buildMs = performance.now() - t0;
  const buildHashes = hashCount;
  const after = memory();
  const mapRss = after.rss - before.rss;
  const mapLive = after.live - before.live;
  ctx.log(`map: built ${n} keys in ${buildMs.toFixed(0)} ms, ${buildHashes} hashes`);
  // Reference for memory: the plainest index of the same data, keys and value hashes as strings.
  const before2 = memory();
  const plain = new Map<string, string>();
  for (let i = 0; i < n; i++) {
    plain.set(Buffer.from(keys[i]!).toString('latin1'), Buffer.from(values[i]!).toString('latin1'));
  }
  const after2 = memory();
  const plainLive = after2.live - before2.live;
  plain.clear();
  rows.push({
    name: `map bulk build (fromLeaves + root), ${size} keys`,
    value: buildMs,
    unit: 'ms',
    reference: `node:crypto SHA-256 of the same ${buildHashes} nodes`,
    referenceValue: rawHashMs(buildHashes),
    ratio: 0,
    notes: 'sort + recursive build + hashing every node with the injected node:crypto',
  });
  rows.at(-1)!.ratio = lowerIsBetter(rows.at(-1)!.value, rows.at(-1)!.referenceValue);
  rows.push({
    name: `map memory (live heap after gc), ${size} keys`,
    value: mapLive / 2 ** 20,
    unit: 'MiB',
    reference: 'live heap of a JS Map<latin1 key, latin1 value hash>',
    referenceValue: plainLive / 2 ** 20,
    ratio: lowerIsBetter(mapLive, plainLive),
    notes: `${(mapLive / n).toFixed(0)} B/key live; keys and hashes held as latin1 strings`,
  });
  rows.push({
    name: `map RSS growth while building, ${size} keys`,
    value: mapRss / 2 ** 20,
    unit: 'MiB',
    reference: 'live heap of the map',
    referenceValue: mapLive / 2 ** 20,
    ratio: lowerIsBetter(mapRss, mapLive),
    notes: `${(mapRss / n).toFixed(0)} B/key; process RSS ${(after.rss / 2 ** 20).toFixed(0)} MiB after the build (incl. the ${size} input keys and values); RSS includes heap V8 keeps after the build's garbage`,
  });

  // --- proofs at n keys (real tree) --------------------------------------------------------
  const tlogSize = 1_000_000;
  const tlogIndex = 123_457;
  const tlogProof = keysOf(inclusionProofLength(tlogIndex, tlogSize));
  const tlogLeaf = keysOf(1)[0]!;
  const tlogRoot = rootFromInclusionProof(tlogLeaf, tlogIndex, tlogSize, tlogProof);
  const ref = timings(samples, () =>
    verifyInclusion(tlogLeaf, tlogIndex, tlogSize, tlogProof, tlogRoot),
  );
  const refBytes = 32 * tlogProof.length;

  const probes = Array.from({ length: samples }, (_, i) =>
    i % 2 === 0 ? keys[(i * 7919) % n]! : keysOf(1)[0]!,
  );
  const proofs = probes.map((k) => map.prove([k]));
  const real = timings(samples, (i) => verifyMapProof(root, [probes[i]!], proofs[i]!));
  const realSizes = proofs.map((p) => p.length);
  const verifyRow = (label: string, t: { p50: number; p99: number }, note: string): BenchRow[] => [
    {
      name: `map verify p50, ${label}`,
      value: t.p50,
      unit: 'ms',
      reference: 'RFC 9162 inclusion verify p50, 1M-leaf log',
      referenceValue: ref.p50,
      ratio: lowerIsBetter(t.p50, ref.p50),
      notes: note,
    },
    {
      name: `map verify p99, ${label}`,
      value: t.p99,
      unit: 'ms',
      reference: 'RFC 9162 inclusion verify p99, 1M-leaf log',
      referenceValue: ref.p99,
      ratio: lowerIsBetter(t.p99, ref.p99),
    },
  ];
  const sizeRow = (label: string, sizes: number[], note: string): BenchRow => ({
    name: `map proof bytes p99, ${label}`,
    value: percentile(sizes, 99),
    unit: 'B',
    reference: 'RFC 9162 inclusion proof bytes, 1M-leaf log',
    referenceValue: refBytes,
    ratio: lowerIsBetter(percentile(sizes, 99), refBytes),
    target: label.startsWith('100M') ? '<= 1536 B' : undefined,
    notes: `p50 ${percentile(sizes, 50)} B, max ${Math.max(...sizes)} B; ${note}`,
  });
  rows.push(sizeRow(`${size} keys (real)`, realSizes, 'half members, half absent keys, binary'));
  rows.push(...verifyRow(`${size} keys (real)`, real, 'single key, default @noble/hashes'));

  // --- proofs at 100M keys (simulated) -----------------------------------------------------
  const sim = Array.from({ length: samples }, (_, i) => simulatedProof(100_000_000, i % 2 === 0));
  const simT = timings(samples, (i) => verifyMapProof(sim[i]!.root, [sim[i]!.key], sim[i]!.proof));
  // The same simulation at n keys, to compare with the real tree above.
  const check = Array.from(
    { length: samples },
    (_, i) => simulatedProof(n, i % 2 === 0).proof.length,
  );
  rows.push(
    sizeRow(
      '100M keys (simulated)',
      sim.map((s) => s.proof.length),
      `simulated path shapes (see simulatedProof); the same simulation at ${size} gives p50 ` +
        `${percentile(check, 50)} / p99 ${percentile(check, 99)} B vs the real tree's ` +
        `${percentile(realSizes, 50)} / ${percentile(realSizes, 99)} B`,
    ),
  );
  rows.push(...verifyRow('100M keys (simulated)', simT, 'single key, default @noble/hashes'));

  // --- incremental updates -----------------------------------------------------------------
  const batches = ctx.quick ? 3 : 10;
  const batch = 3_000;
  let current = map;
  let ms = 0;
  let hashes = 0;
  for (let b = 0; b < batches; b++) {
    const changed = Array.from({ length: batch }, (_, i) =>
      i % 2 === 0 ? keys[Math.floor(Math.random() * n)]! : keysOf(1)[0]!,
    );
    const vhs = keysOf(batch);
    hashCount = 0;
    const t = performance.now();
    const next = current.clone();
    for (let i = 0; i < batch; i++) next.set(changed[i]!, vhs[i]!);
    next.root();
    ms += performance.now() - t;
    hashes += hashCount;
    current = next;
  }
  const oursKps = (batches * batch) / (ms / 1000);
  const refKps = (batches * batch) / (rawHashMs(hashes) / 1000);
  rows.push({
    name: `map incremental update, batches of 3000 keys on ${size}`,
    value: oursKps,
    unit: 'keys/s',
    reference: 'node:crypto SHA-256 of the same path nodes',
    referenceValue: refKps,
    ratio: higherIsBetter(oursKps, refKps),
    notes: `clone + 3000 set + root per batch, ${batches} batches; ${(hashes / (batches * batch)).toFixed(1)} hashes per changed key; ${(ms / batches).toFixed(1)} ms per batch`,
  });
  for (const r of rows) if (r.target === undefined) delete r.target;
  return rows;
}
