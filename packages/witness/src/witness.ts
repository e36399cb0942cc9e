/**
 * The witness's decision on one `add-checkpoint` request (C2SP tlog-witness), in the order the
 * spec gives: a parseable body (400), a known origin (404), a valid signature by one of the log's
 * keys (403), old size <= new size (400), old size = the size it cosigned last (409 with its
 * size), equal sizes need equal roots (409), a valid consistency proof (422); a map-verifying
 * witness then replays the new entries (422 on a wrong map head). Only then is the new state
 * persisted — atomically per origin, see StateStore — and the cosignature returned.
 */
import {
  encodeBase64,
  hashEquals,
  openNote,
  parseCheckpoint,
  parseNote,
  verifyConsistency,
  type Checkpoint,
  type Cosigner,
  type NoteVerifier,
} from '@notarize/tlog';
import { WitnessError } from './errors.ts';
import type { ForkStore } from './forks.ts';
import { parseAddCheckpoint } from './request.ts';
import type { LogState, StateStore } from './state-store.ts';

/** Checks the entries between the witness's state and a new checkpoint (map-verifying mode). */
export interface EntryCheck {
  check(origin: string, from: LogState | undefined, checkpoint: Checkpoint): Promise<void>;
}

export interface WitnessEvents {
  cosigned?(origin: string, size: number): void;
  refused?(origin: string | undefined, error: WitnessError): void;
  fork?(origin: string, size: number, file: string): void;
}

export interface WitnessOptions {
  cosigner: Cosigner;
  /** Trusted log keys by origin (the key name is the origin, as C2SP checkpoints have it). */
  logs: ReadonlyMap<string, readonly NoteVerifier[]>;
  state: StateStore;
  forks: ForkStore;
  entryCheck?: EntryCheck;
  events?: WitnessEvents;
  /** Current time in ms (tests pin it). */
  now?: () => number;
}

export class Witness {
  readonly #o: WitnessOptions;
  constructor(options: WitnessOptions) {
    this.#o = options;
  }

  get name(): string {
    return this.#o.cosigner.name;
  }

  get vkey(): string {
    return this.#o.cosigner.vkey;
  }

  /** Handles a request body; returns the cosignature line(s) or throws a WitnessError. */
  async addCheckpoint(body: string): Promise<string> {
    let origin: string | undefined;
    try {
      const request = parseAddCheckpoint(body);
      const { text, checkpoint } = this.#parse(request.note);
      origin = checkpoint.origin;
      const verifiers = this.#o.logs.get(origin);
      if (!verifiers) {
        throw new WitnessError(
          'ORIGIN_UNKNOWN',
          `this witness follows no log with origin ${origin}`,
        );
      }
      try {
        openNote(request.note, verifiers);
      } catch (error) {
        throw new WitnessError(
          'SIGNATURE_INVALID',
          `the checkpoint carries no valid signature by a key of ${origin}: ${(error as Error).message}`,
          { cause: error },
        );
      }
      if (request.oldSize > checkpoint.size) {
        throw new WitnessError(
          'OLD_SIZE_TOO_LARGE',
          `old size ${request.oldSize} is larger than the checkpoint's size ${checkpoint.size}`,
        );
      }
      const line = await this.#o.state.update(origin, async (current) => {
        await this.#keepForkEvidence(current, checkpoint, request.note);
        const size = current?.size ?? 0;
        if (request.oldSize !== size) {
          throw new WitnessError(
            'OLD_SIZE_STALE',
            `old size ${request.oldSize} is not ${size}, the size this witness cosigned last`,
            { witnessSize: size },
          );
        }
        this.#checkConsistency(current, checkpoint, request.proof);
        if (this.#o.entryCheck && checkpoint.size > size) {
          await this.#o.entryCheck.check(origin!, current, checkpoint);
        }
        const timestamp = Math.floor((this.#o.now?.() ?? Date.now()) / 1000);
        const next: LogState = {
          origin: origin!,
          size: checkpoint.size,
          root: encodeBase64(checkpoint.root),
          note: request.note,
        };
        return { next, result: this.#o.cosigner.cosign(text, timestamp) };
      });
      this.#o.events?.cosigned?.(origin, checkpoint.size);
      return line;
    } catch (error) {
      if (error instanceof WitnessError) this.#o.events?.refused?.(origin, error);
      throw error;
    }
  }

  #parse(note: string): { text: string; checkpoint: Checkpoint } {
    try {
      const { text } = parseNote(note);
      return { text, checkpoint: parseCheckpoint(text) };
    } catch (error) {
      throw new WitnessError(
        'BODY_MALFORMED',
        `the submitted checkpoint is not a signed C2SP checkpoint: ${(error as Error).message}`,
        { cause: error },
      );
    }
  }

  #checkConsistency(current: LogState | undefined, cp: Checkpoint, proof: Uint8Array[]): void {
    const size = current?.size ?? 0;
    if (size === 0) {
      if (proof.length > 0) {
        throw new WitnessError('PROOF_INVALID', 'the consistency proof from size 0 must be empty');
      }
      return;
    }
    const root = Buffer.from(current!.root, 'base64');
    if (cp.size === size) {
      if (!hashEquals(root, cp.root)) {
        throw new WitnessError(
          'ROOT_CONFLICT',
          `the checkpoint has size ${size} like the one this witness cosigned, but another root: the log forked (evidence kept)`,
        );
      }
      if (proof.length > 0) {
        throw new WitnessError('PROOF_INVALID', 'a proof between equal sizes must be empty');
      }
      return;
    }
    try {
      verifyConsistency(size, cp.size, root, cp.root, proof);
    } catch (error) {
      throw new WitnessError(
        'PROOF_INVALID',
        `the consistency proof from size ${size} to ${cp.size} does not verify: ${(error as Error).message}`,
        { cause: error },
      );
    }
  }

  /** Same size, another root, both signed by the log: proof of a fork, kept whatever else. */
  async #keepForkEvidence(current: LogState | undefined, cp: Checkpoint, note: string) {
    if (!current || current.size !== cp.size) return;
    if (hashEquals(Buffer.from(current.root, 'base64'), cp.root)) return;
    const file = await this.#o.forks.record({
      origin: cp.origin,
      size: cp.size,
      notes: [current.note, note],
      detected: new Date(this.#o.now?.() ?? Date.now()).toISOString(),
    });
    this.#o.events?.fork?.(cp.origin, cp.size, file);
  }
}
