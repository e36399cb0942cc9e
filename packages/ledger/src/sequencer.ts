/**
 * One sequencer per log, with group commit: requests that arrive while a commit is being
 * prepared or is in flight wait for the next one, and each commit takes all of them (up to a
 * cap), so many appends share one durable transaction and one signed checkpoint. Commits and
 * other exclusive work (reindex, verify) run strictly one after the other.
 */
export interface SequencerOptions {
  /** Soft cap on the summed weight (entries) of one commit; a single larger request still goes alone. */
  maxWeight: number;
  /** How long the first request of a batch waits for company, in ms (0: until the event loop turns). */
  windowMs: number;
}

export interface Weighted {
  weight: number;
  fail(error: unknown): void;
}

export class Sequencer<R extends Weighted> {
  readonly #commit: (batch: R[]) => Promise<void>;
  readonly #options: SequencerOptions;
  #pending: R[] = [];
  #scheduled = false;
  #tail: Promise<void> = Promise.resolve();

  constructor(commit: (batch: R[]) => Promise<void>, options: SequencerOptions) {
    this.#commit = commit;
    this.#options = options;
  }

  get pending(): number {
    return this.#pending.length;
  }

  submit(request: R): void {
    this.#pending.push(request);
    if (this.#scheduled) return;
    this.#scheduled = true;
    this.#tail = this.#tail.then(() => this.#window()).then(() => this.#drain());
  }

  /** Runs `fn` when no commit is running, and holds commits back until it is done. */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(fn);
    this.#tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }

  #window(): Promise<void> {
    return new Promise((resolve) => {
      if (this.#options.windowMs > 0) setTimeout(resolve, this.#options.windowMs);
      else setImmediate(resolve);
    });
  }

  async #drain(): Promise<void> {
    this.#scheduled = false;
    while (this.#pending.length > 0) {
      let weight = 0;
      let take = 0;
      while (take < this.#pending.length) {
        const w = (this.#pending[take] as R).weight;
        if (take > 0 && weight + w > this.#options.maxWeight) break;
        weight += w;
        take++;
      }
      const batch = this.#pending.splice(0, take);
      try {
        await this.#commit(batch);
      } catch (error) {
        for (const r of batch) r.fail(error);
      }
    }
  }
}
