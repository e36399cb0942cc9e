/**
 * Benchmark harness. Every `bench/*.bench.ts` exports `run(ctx)`, which returns rows: a measured
 * figure next to a reference measured in the same run on the same machine (openssl, sha256sum, a
 * raw fsync'd append, ...). `ratio` is always "ours / reference" in the direction where higher is
 * better for us, so >= 1 means we beat the reference.
 */
export interface BenchRow {
  /** What was measured, e.g. "file digest, 1 GiB". */
  name: string;
  /** Our figure. */
  value: number;
  unit: string;
  /** What the reference is, e.g. "openssl dgst -sha256". */
  reference: string;
  referenceValue: number;
  /** ours / reference, oriented so that higher is better for us. */
  ratio: number;
  /** Optional target ratio or figure the issue asks for, stated as text. */
  target?: string;
  notes?: string;
}

export interface BenchContext {
  /** Scratch directory for this benchmark (removed after the run). */
  workDir: string;
  /** `--quick`: smaller sizes, for a smoke run. */
  quick: boolean;
  log(message: string): void;
}

export type Benchmark = (ctx: BenchContext) => Promise<BenchRow[]>;

/** Ratio where a higher value is better (throughputs). */
export const higherIsBetter = (ours: number, reference: number): number => ours / reference;
/** Ratio where a lower value is better (latencies, wall times): reference / ours. */
export const lowerIsBetter = (ours: number, reference: number): number => reference / ours;

/** Percentile (0..100) of an unsorted sample. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] as number;
}

export async function timeIt<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = process.hrtime.bigint();
  const value = await fn();
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, value };
}

/** p50 and p99 in ms of `samples` sequential calls of `fn`. */
export async function latency(
  samples: number,
  fn: (i: number) => Promise<void>,
): Promise<{ p50: number; p99: number }> {
  const lat: number[] = [];
  for (let i = 0; i < samples; i++) {
    const t = performance.now();
    await fn(i);
    lat.push(performance.now() - t);
  }
  return { p50: percentile(lat, 50), p99: percentile(lat, 99) };
}
