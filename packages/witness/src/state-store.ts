/**
 * The witness's record per log: the latest checkpoint it cosigned. One JSON file per origin
 * (named by the SHA-256 of the origin), replaced atomically (temporary file, fsync, rename, fsync
 * of the directory) so a crash leaves the old or the new record, never a torn one.
 *
 * The spec's race (two requests checked against the same old state, the smaller one written
 * last, rolling the witness back) is closed by `update`: every check-and-persist of one origin
 * runs under that origin's lock, so the second request is checked against what the first
 * wrote. One witness process owns a data directory.
 */
import { createHash } from 'node:crypto';
import { mkdir, open, readFile, rename } from 'node:fs/promises';
import path from 'node:path';

export interface LogState {
  origin: string;
  size: number;
  /** Base64 root of the checkpoint of `size`. */
  root: string;
  /** The signed checkpoint note the witness cosigned (as submitted, without its cosignature). */
  note: string;
}

export function originFileName(origin: string): string {
  return createHash('sha256').update(origin).digest('hex');
}

/** Writes `data` to `file` atomically and durably. */
export async function writeFileAtomic(file: string, data: string): Promise<void> {
  const dir = path.dirname(file);
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${Date.now()}.tmp`);
  const handle = await open(tmp, 'wx', 0o644);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(tmp, file);
  const dirHandle = await open(dir, 'r');
  try {
    await dirHandle.sync();
  } finally {
    await dirHandle.close();
  }
}

export class StateStore {
  readonly dir: string;
  readonly #cache = new Map<string, LogState | undefined>();
  readonly #locks = new Map<string, Promise<unknown>>();

  private constructor(dir: string) {
    this.dir = dir;
  }

  static async open(dataDir: string): Promise<StateStore> {
    const dir = path.join(dataDir, 'logs');
    await mkdir(dir, { recursive: true });
    return new StateStore(dir);
  }

  /** The latest cosigned checkpoint of `origin`, or undefined before the first. */
  async get(origin: string): Promise<LogState | undefined> {
    if (this.#cache.has(origin)) return this.#cache.get(origin);
    let state: LogState | undefined;
    try {
      const text = await readFile(path.join(this.dir, `${originFileName(origin)}.json`), 'utf8');
      state = JSON.parse(text) as LogState;
      if (state.origin !== origin) throw new Error(`the file holds origin ${state.origin}`);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    this.#cache.set(origin, state);
    return state;
  }

  /**
   * Runs `fn` with the current state of `origin` under that origin's lock; when it returns a new
   * state, persists it before the lock is released. Requests for other origins run in parallel.
   */
  async update<T>(
    origin: string,
    fn: (current: LogState | undefined) => Promise<{ next?: LogState; result: T }>,
  ): Promise<T> {
    const previous = this.#locks.get(origin) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    const chained = previous.then(() => mine);
    this.#locks.set(origin, chained);
    await previous;
    try {
      const { next, result } = await fn(await this.get(origin));
      if (next) {
        await writeFileAtomic(
          path.join(this.dir, `${originFileName(origin)}.json`),
          `${JSON.stringify(next)}\n`,
        );
        this.#cache.set(origin, next);
      }
      return result;
    } finally {
      release();
      if (this.#locks.get(origin) === chained) this.#locks.delete(origin);
    }
  }
}
