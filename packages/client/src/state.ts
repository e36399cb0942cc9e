/**
 * The client's memory of what it verified: per ledger key, the latest checkpoint it trusted (so a
 * later read can demand a consistency proof from it and refuse a rollback or fork), and per ledger
 * location the key pinned on first use. One JSON file shared by every ledger this user talks to.
 *
 * Writes go through a temporary file and rename (atomic on POSIX), and merge with what another
 * process may have written meanwhile: the larger checkpoint wins, so the state never moves back.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { LedgerClientError, verificationError } from './errors.ts';

export interface TrustedCheckpoint {
  origin: string;
  size: number;
  /** base64 root */
  root: string;
  note: string;
  /** ISO time it was recorded. */
  recorded: string;
}

export interface ClientStateData {
  version: 1;
  /** ledger location (url or file:path) -> vkey pinned on first use */
  pins: Record<string, string>;
  /** vkey -> latest trusted checkpoint */
  checkpoints: Record<string, TrustedCheckpoint>;
}

export interface StateStore {
  readonly path: string | undefined;
  pinnedKey(location: string): Promise<string | undefined>;
  pin(location: string, vkey: string): Promise<void>;
  trusted(vkey: string): Promise<TrustedCheckpoint | undefined>;
  /** Records `cp` unless the stored one is at least as large (never moves back). */
  advance(vkey: string, cp: TrustedCheckpoint): Promise<void>;
}

export function defaultStatePath(env: NodeJS.ProcessEnv): string {
  if (env.NOTARIZE_STATE) return env.NOTARIZE_STATE;
  const base = env.XDG_CONFIG_HOME || path.join(env.HOME || os.homedir(), '.config');
  return path.join(base, 'notarize', 'state.json');
}

/** Another process may have recorded a checkpoint of the same size meanwhile: it must agree. */
function checkFork(old: TrustedCheckpoint | undefined, cp: TrustedCheckpoint): void {
  if (old && old.size === cp.size && old.root !== cp.root) {
    throw verificationError(
      'FORK',
      `the ledger ${cp.origin} served two different trees of size ${cp.size} (roots ${old.root} and ${cp.root}): the log forked or is being tampered with`,
    );
  }
}

const empty = (): ClientStateData => ({ version: 1, pins: {}, checkpoints: {} });

function validate(data: unknown, file: string): ClientStateData {
  const d = data as Partial<ClientStateData> | null;
  if (
    !d ||
    typeof d !== 'object' ||
    d.version !== 1 ||
    typeof d.pins !== 'object' ||
    d.pins === null ||
    typeof d.checkpoints !== 'object' ||
    d.checkpoints === null
  ) {
    throw new LedgerClientError(
      'STATE_INVALID',
      'input',
      `client state file ${file} is not a notarize state file (version 1); fix or remove it (removing it forgets the pinned ledger keys and checkpoints)`,
    );
  }
  return d as ClientStateData;
}

export class MemoryStateStore implements StateStore {
  readonly path = undefined;
  protected data: ClientStateData = empty();
  async pinnedKey(location: string): Promise<string | undefined> {
    return this.data.pins[location];
  }
  async pin(location: string, vkey: string): Promise<void> {
    this.data.pins[location] = vkey;
  }
  async trusted(vkey: string): Promise<TrustedCheckpoint | undefined> {
    return this.data.checkpoints[vkey];
  }
  async advance(vkey: string, cp: TrustedCheckpoint): Promise<void> {
    const old = this.data.checkpoints[vkey];
    checkFork(old, cp);
    if (!old || old.size < cp.size) this.data.checkpoints[vkey] = cp;
  }
}

export class FileStateStore implements StateStore {
  readonly path: string;
  constructor(file: string) {
    this.path = file;
  }

  private async load(): Promise<ClientStateData> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return empty();
      throw new LedgerClientError(
        'STATE_INVALID',
        'input',
        `cannot read client state file ${this.path}: ${(error as Error).message}`,
        { cause: error },
      );
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw new LedgerClientError(
        'STATE_INVALID',
        'input',
        `client state file ${this.path} is not JSON; fix or remove it`,
        { cause: error },
      );
    }
    return validate(parsed, this.path);
  }

  private async update(change: (data: ClientStateData) => boolean): Promise<void> {
    const data = await this.load();
    if (!change(data)) return;
    const tmp = `${this.path}.${process.pid}.${Date.now()}.tmp`;
    try {
      await mkdir(path.dirname(this.path), { recursive: true, mode: 0o700 });
      await writeFile(tmp, `${JSON.stringify(data, null, 2)}\n`, { mode: 0o600 });
      await rename(tmp, this.path);
    } catch (error) {
      // A HOME that is not writable (a container's user, a service account): say which file and
      // how to choose another, rather than an internal error with a stack.
      throw new LedgerClientError(
        'STATE_INVALID',
        'input',
        `cannot write the client state file ${this.path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); ` +
          'set NOTARIZE_STATE (or --state) to a writable file',
        { cause: error },
      );
    }
  }

  async pinnedKey(location: string): Promise<string | undefined> {
    return (await this.load()).pins[location];
  }
  async pin(location: string, vkey: string): Promise<void> {
    await this.update((d) => {
      if (d.pins[location] === vkey) return false;
      d.pins[location] = vkey;
      return true;
    });
  }
  async trusted(vkey: string): Promise<TrustedCheckpoint | undefined> {
    return (await this.load()).checkpoints[vkey];
  }
  async advance(vkey: string, cp: TrustedCheckpoint): Promise<void> {
    await this.update((d) => {
      const old = d.checkpoints[vkey];
      checkFork(old, cp);
      if (old && old.size >= cp.size) return false;
      d.checkpoints[vkey] = cp;
      return true;
    });
  }
}

export function openStateStore(
  statePath: string | false | undefined,
  env: NodeJS.ProcessEnv,
): StateStore {
  if (statePath === false) return new MemoryStateStore();
  return new FileStateStore(statePath ?? defaultStatePath(env));
}
