/**
 * Collects witness cosignatures for the ledger's checkpoints (C2SP tlog-witness client side).
 * After commits (`poke`) — at most one round per interval, in the background, so appends never
 * wait — it submits the newest checkpoint to every witness concurrently, each with a timeout,
 * with the old size that witness last answered (a 409 `text/x.tlog.size` tells the size it has:
 * the submission is repeated once from there). The newest checkpoint that gathered `quorum`
 * valid cosignatures is what `/checkpoint` serves, cosignature lines appended. Rounds also run
 * when nothing was appended for a while, so the cosignatures' timestamps stay fresh.
 */
import { formatAddCheckpoint, verifyCosignatures } from '@notarize/tlog';
import type { BackendCheckpoint, ServiceBackend } from '../backend.ts';
import type { Logger } from '../logger.ts';
import type { WitnessCollectorConfig, WitnessEndpoint } from './config.ts';

/** Re-submit an unchanged checkpoint after this many intervals (fresh timestamps). */
const REFRESH_INTERVALS = 30;

interface WitnessView {
  /** The size the witness last told us it has (0: unknown). */
  size: number;
  /** Its latest valid cosignature line and the checkpoint size it covers. */
  cosigned?: { size: number; line: string };
}

export class WitnessCollector {
  readonly #backend: Pick<ServiceBackend, 'latest' | 'consistencyProof'>;
  readonly #config: WitnessCollectorConfig;
  readonly #logger: Logger;
  readonly #views = new Map<WitnessEndpoint, WitnessView>();
  #witnessed: { size: number; note: string; at: number } | undefined;
  #timer: NodeJS.Timeout | undefined;
  #due = 0;
  #running: Promise<void> | undefined;
  #lastRound = 0;
  #closed = false;
  /** Called after every round (tests and benchmarks wait on it). */
  onRound: ((witnessedSize: number | undefined) => void) | undefined;

  constructor(
    backend: Pick<ServiceBackend, 'latest' | 'consistencyProof'>,
    config: WitnessCollectorConfig,
    logger: Logger,
  ) {
    this.#backend = backend;
    this.#config = config;
    this.#logger = logger;
    for (const w of config.witnesses) this.#views.set(w, { size: 0 });
  }

  /** The newest checkpoint note with a quorum of cosignatures, cosignature lines included. */
  witnessedNote(): string | undefined {
    return this.#witnessed?.note;
  }

  witnessedSize(): number | undefined {
    return this.#witnessed?.size;
  }

  start(): void {
    this.poke();
  }

  /** A commit happened: run a round now, or when the interval since the last one has passed. */
  poke(): void {
    this.#at(this.#lastRound + this.#config.intervalMs);
  }

  /** Schedules the next round at `due` (ms epoch), unless one is scheduled sooner. */
  #at(due: number): void {
    if (this.#closed) return;
    if (this.#timer && this.#due <= due) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#due = due;
    this.#timer = setTimeout(
      () => {
        this.#timer = undefined;
        if (this.#running) {
          // A round is under way: the next one follows it (it may miss this commit).
          void this.#running.then(() => this.poke());
          return;
        }
        this.#running = this.#round().finally(() => {
          this.#running = undefined;
          // Keeps cosignatures fresh while nothing is appended.
          this.#at(Date.now() + this.#config.intervalMs * REFRESH_INTERVALS);
        });
      },
      Math.max(0, due - Date.now()),
    );
    this.#timer.unref();
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#running;
  }

  async #round(): Promise<void> {
    this.#lastRound = Date.now();
    let cp: BackendCheckpoint;
    try {
      cp = await this.#backend.latest();
    } catch (error) {
      this.#logger.log('warn', 'witnesses: cannot read the latest checkpoint', {
        error: (error as Error).message,
      });
      return;
    }
    if (cp.size === 0) return;
    await Promise.all(this.#config.witnesses.map((w) => this.#submit(w, cp, true)));
    const lines = [...this.#views.values()]
      .filter((v) => v.cosigned?.size === cp.size)
      .map((v) => v.cosigned!.line);
    if (lines.length >= this.#config.quorum) {
      this.#witnessed = { size: cp.size, note: cp.note + lines.join(''), at: Date.now() };
    }
    this.onRound?.(this.#witnessed?.size);
  }

  async #submit(w: WitnessEndpoint, cp: BackendCheckpoint, retry: boolean): Promise<void> {
    const view = this.#views.get(w)!;
    const old = view.size <= cp.size ? view.size : 0;
    try {
      const proof =
        old > 0 && old < cp.size ? await this.#backend.consistencyProof(old, cp.size) : [];
      const res = await fetch(`${w.url}/add-checkpoint`, {
        method: 'POST',
        body: formatAddCheckpoint(old, proof, cp.note),
        headers: { 'content-type': 'text/plain; charset=utf-8' },
        signal: AbortSignal.timeout(this.#config.timeoutMs),
      });
      const text = await res.text();
      if (res.status === 409 && res.headers.get('content-type') === 'text/x.tlog.size') {
        const size = /^(0|[1-9][0-9]*)\n$/.test(text) ? Number(text) : NaN;
        if (!Number.isSafeInteger(size)) throw new Error('409 with a malformed size');
        view.size = size;
        if (size > cp.size) {
          throw new Error(`it has cosigned size ${size}, larger than this ledger's ${cp.size}`);
        }
        if (retry) return this.#submit(w, cp, false);
        throw new Error(`409: it has size ${size}`);
      }
      if (res.status !== 200) {
        throw new Error(`HTTP ${res.status}: ${text.slice(0, 200).replace(/[^\x20-\x7e]/g, '?')}`);
      }
      const { valid } = verifyCosignatures(`${cp.note}${text}`, [w.verifier]);
      if (valid.length === 0) throw new Error('its answer holds no valid cosignature by its key');
      const line = text.split('\n').find((l) => l.startsWith(`\u2014 ${w.name} `));
      view.size = cp.size;
      view.cosigned = { size: cp.size, line: `${line}\n` };
    } catch (error) {
      this.#logger.log('warn', 'witnesses: no cosignature', {
        witness: w.name,
        size: cp.size,
        error: (error as Error).message,
      });
    }
  }
}
