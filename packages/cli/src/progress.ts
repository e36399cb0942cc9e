/**
 * The one progress renderer of the CLI, for every command that digests, uploads, downloads or
 * replays. On a terminal it redraws a single line — done, total, percent, rate, time left — and
 * clears it when the work ends; on a pipe, with `--json` or with `--quiet` it draws nothing
 * (`Output.progress` is absent there). Work that ends within `delayMs` draws nothing either.
 */
import type { CommandContext } from './context.ts';

export type ProgressUnit = 'bytes' | 'entries';

export interface ProgressLine {
  /** Reports `done` of `total` (when known) for the work named `label`. */
  update(label: string, done: number, total?: number): void;
  /** Clears the line (call once the work is over, failed or not). */
  end(): void;
}

export interface ProgressOptions {
  /** Nothing is drawn before this much time has passed: quick work stays quiet. */
  delayMs?: number;
  /** Redraws at most this often. */
  intervalMs?: number;
  /** The clock (tests). */
  now?: () => number;
}

const KIB = 1024;
const MIB = KIB * 1024;
const GIB = MIB * 1024;

/** Binary units everywhere the CLI shows a size (B, KiB, MiB, GiB). */
export function formatSize(bytes: number): string {
  if (bytes < KIB) return `${bytes} B`;
  if (bytes < MIB) return `${(bytes / KIB).toFixed(1)} KiB`;
  if (bytes < GIB) return `${(bytes / MIB).toFixed(1)} MiB`;
  return `${(bytes / GIB).toFixed(2)} GiB`;
}

function formatCount(n: number, unit: ProgressUnit): string {
  return unit === 'bytes' ? formatSize(n) : `${n.toLocaleString('en-US')} entries`;
}

function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.ceil(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** The text of one progress line. */
export function progressText(
  label: string,
  unit: ProgressUnit,
  done: number,
  total: number | undefined,
  elapsedMs: number,
): string {
  const rate = elapsedMs > 0 ? done / (elapsedMs / 1000) : 0;
  const parts = [`${label}: ${formatCount(done, unit)}`];
  if (total !== undefined && total > 0) {
    parts[0] += ` / ${formatCount(total, unit)} (${Math.floor((done / total) * 100)}%)`;
  }
  if (rate > 0) {
    parts.push(unit === 'bytes' ? `${formatSize(Math.round(rate))}/s` : `${Math.round(rate)}/s`);
    if (total !== undefined && total > done) {
      parts.push(`${formatDuration((total - done) / rate)} left`);
    }
  }
  return parts.join(', ');
}

/** A progress line on this terminal, or undefined where nothing may be drawn. */
export function progressLine(
  ctx: CommandContext,
  unit: ProgressUnit,
  options: ProgressOptions = {},
): ProgressLine | undefined {
  const draw = ctx.output.progress;
  if (!draw) return undefined;
  const now = options.now ?? (() => performance.now());
  const delayMs = options.delayMs ?? 500;
  const intervalMs = options.intervalMs ?? 100;
  const started = now();
  let last = -Infinity;
  let drawn = false;
  return {
    update(label, done, total) {
      const t = now();
      if (t - started < delayMs || t - last < intervalMs) return;
      last = t;
      drawn = true;
      draw(progressText(label, unit, done, total, t - started));
    },
    end() {
      if (drawn) draw(undefined);
      drawn = false;
    },
  };
}
