/**
 * Everything a client checks before it believes a ledger, shared by the HTTP and the embedded
 * client:
 * - the checkpoint's signature, with the pinned key, and its origin;
 * - its consistency with the last checkpoint this client trusted (state file): a smaller tree is a
 *   rollback, the same size with another root is a fork, a larger one needs a valid proof;
 * - for reads as of size `at`, that tree's consistency with the checkpoint;
 * - every entry's inclusion proof in that tree, with the leaf hash computed here from the entry's
 *   canonical bytes (never taken from the ledger).
 * Any failure is a 'verification' LedgerClientError that names what failed.
 */
import { canonicalBytes } from '@notarize/trust';
import { createHash } from 'node:crypto';
import { nodeHash } from '@notarize/ledger';
import {
  openNote,
  parseCheckpoint,
  verifyConsistency,
  verifyInclusion,
  type Hash,
  type NoteVerifier,
} from '@notarize/tlog';
import type { LedgerEntry } from '@notarize/trust';
import { LedgerClientError, verificationError } from './errors.ts';
import { fastNoteVerifier, rememberedNote, rememberNote } from './fast-note-verifier.ts';
import type { ProvedTree, VerifiedCheckpoint, VerifiedEntry } from './ledger-client.ts';
import type { StateStore } from './state.ts';
import { badResponse, type WireBundle, type WireEntry } from './wire.ts';

/** RFC 9162 leaf hash, SHA-256(0x00 || entry), via node:crypto (the hot path of every read). */
export function leafHash(entry: Uint8Array): Hash {
  return new Uint8Array(createHash('sha256').update(LEAF_PREFIX).update(entry).digest());
}
const LEAF_PREFIX = new Uint8Array([0]);

export function hashToBase64(hash: Uint8Array): string {
  return Buffer.from(hash.buffer, hash.byteOffset, hash.byteLength).toString('base64');
}

/** Strict: 32 bytes, canonical padded standard base64. */
export function hashFromBase64(text: string, what: string): Hash {
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length !== 32 || bytes.toString('base64') !== text) {
    throw badResponse(`${what} is not the base64 of a 32-byte hash`);
  }
  return new Uint8Array(bytes);
}

export const proofFromBase64 = (proof: readonly string[], what: string): Hash[] =>
  proof.map((p, i) => hashFromBase64(p, `${what}[${i}]`));

const sameBytes = (a: Uint8Array, b: Uint8Array) =>
  a.length === b.length && a.every((x, i) => x === b[i]);

/** Returns the proof for (size1 -> size2); the HTTP client answers from the bundle or fetches. */
export type ConsistencySource = (size1: number, size2: number) => Promise<Hash[]>;

export class LedgerVerifier {
  readonly vkey: string;
  readonly origin: string;
  private readonly verifier: NoteVerifier;
  private readonly state: StateStore;

  constructor(vkey: string, state: StateStore) {
    try {
      this.verifier = fastNoteVerifier(vkey);
    } catch (error) {
      throw new LedgerClientError(
        'KEY_INVALID',
        'input',
        `the pinned ledger key "${vkey}" is not a note verifier key (<name>+<hex id>+<base64>); check NOTARIZE_LEDGER_KEY`,
        { cause: error },
      );
    }
    this.vkey = vkey;
    this.origin = this.verifier.name;
    this.state = state;
  }

  /** Size of the last checkpoint this client trusted for this key (0 if none). */
  async knownSize(): Promise<number> {
    return (await this.state.trusted(this.vkey))?.size ?? 0;
  }

  /**
   * Verifies a signed checkpoint and its consistency with the trusted state, then records it.
   * `notBefore`: the trusted size when the request was sent (see the rollback rule below).
   */
  async checkpoint(
    note: string,
    consistency: ConsistencySource,
    notBefore?: number,
  ): Promise<VerifiedCheckpoint> {
    let text = rememberedNote(this.vkey, note);
    try {
      text ??= openNote(note, [this.verifier]).text;
      rememberNote(this.vkey, note, text);
    } catch (error) {
      throw verificationError(
        'CHECKPOINT_SIGNATURE',
        `the ledger's checkpoint is not validly signed by the pinned key ${this.vkey}: ${(error as Error).message}`,
        error,
      );
    }
    let cp;
    try {
      cp = parseCheckpoint(text);
    } catch (error) {
      throw verificationError(
        'CHECKPOINT_SIGNATURE',
        `the signed checkpoint does not parse: ${(error as Error).message}`,
        error,
      );
    }
    // The key name is the origin by convention (C2SP tlog-checkpoint); a note for another log
    // signed with this key would otherwise be accepted.
    if (cp.origin !== this.origin) {
      throw verificationError(
        'ORIGIN_MISMATCH',
        `the checkpoint is for log "${cp.origin}", but the pinned key is for "${this.origin}"`,
      );
    }
    const verified: VerifiedCheckpoint = {
      origin: cp.origin,
      size: cp.size,
      root: cp.root,
      rootBase64: hashToBase64(cp.root),
      note,
    };
    const trusted = await this.state.trusted(this.vkey);
    if (trusted) {
      const trustedRoot = hashFromBase64(trusted.root, 'trusted root');
      if (cp.size < trusted.size) {
        // Smaller than what this client trusts now. Honest only when the client's trusted state
        // moved on while this answer was in flight (concurrent requests of one process): the
        // answer is then at least as new as what the client knew when it asked, and a prefix of
        // the tree it trusts now. Anything older is a rollback.
        if (notBefore === undefined || cp.size < notBefore) {
          throw verificationError(
            'ROLLBACK',
            `the ledger ${cp.origin} served a checkpoint of size ${cp.size}, smaller than the size ${notBefore ?? trusted.size} this client had already verified: the log was rolled back or is being tampered with`,
          );
        }
        const proof = await consistency(cp.size, trusted.size);
        try {
          verifyConsistency(cp.size, trusted.size, cp.root, trustedRoot, proof);
        } catch (error) {
          throw verificationError(
            'CONSISTENCY_FAILED',
            `the ledger's tree of size ${cp.size} is not a prefix of the tree of size ${trusted.size} this client verified: ${(error as Error).message}`,
            error,
          );
        }
        return verified;
      }
      if (cp.size === trusted.size) {
        if (!sameBytes(cp.root, trustedRoot)) {
          const error = verificationError(
            'FORK',
            `the ledger ${cp.origin} served a tree of size ${cp.size} whose root differs from the one this client verified before: the log forked or is being tampered with`,
          );
          // Both notes verified with the pinned key: a signed proof of the fork.
          if (trusted.note) {
            error.forkEvidence = {
              origin: cp.origin,
              size: cp.size,
              vkey: this.vkey,
              notes: [trusted.note, note],
            };
          }
          throw error;
        }
      } else if (trusted.size > 0) {
        const proof = await consistency(trusted.size, cp.size);
        try {
          verifyConsistency(trusted.size, cp.size, trustedRoot, cp.root, proof);
        } catch (error) {
          throw verificationError(
            'CONSISTENCY_FAILED',
            `the ledger's tree of size ${cp.size} is not an extension of the tree of size ${trusted.size} this client verified before: ${(error as Error).message}`,
            error,
          );
        }
      }
    }
    await this.state.advance(this.vkey, {
      origin: cp.origin,
      size: cp.size,
      root: verified.rootBase64,
      note,
      recorded: new Date().toISOString(),
    });
    return verified;
  }

  /**
   * Verifies the tree a read was proved in: the checkpoint itself, or (at) its prefix of size `at`
   * with the consistency proof from it to the checkpoint.
   */
  tree(
    cp: VerifiedCheckpoint,
    wire: WireBundle['tree'],
    proof: readonly string[] | undefined,
    at: number | undefined,
  ): ProvedTree {
    const root = hashFromBase64(wire.root, 'tree.root');
    const expected = at ?? cp.size;
    if (wire.size !== expected) {
      throw verificationError(
        'CONSISTENCY_FAILED',
        `asked for the tree of size ${expected}, the ledger proved against size ${wire.size}`,
      );
    }
    if (wire.size > cp.size) {
      throw verificationError(
        'CONSISTENCY_FAILED',
        `the ledger proved against a tree of size ${wire.size}, larger than its checkpoint (${cp.size})`,
      );
    }
    if (wire.size === cp.size) {
      if (!sameBytes(root, cp.root)) {
        throw verificationError(
          'CONSISTENCY_FAILED',
          `the ledger proved against a root that is not its checkpoint's root (size ${cp.size})`,
        );
      }
    } else {
      try {
        verifyConsistency(
          wire.size,
          cp.size,
          root,
          cp.root,
          proofFromBase64(proof ?? [], 'consistency'),
        );
      } catch (error) {
        throw verificationError(
          'CONSISTENCY_FAILED',
          `the tree of size ${wire.size} the ledger answered from is not a prefix of its checkpoint (size ${cp.size}): ${(error as Error).message}`,
          error,
        );
      }
    }
    return { size: wire.size, root, rootBase64: wire.root };
  }

  /** Verifies one entry's inclusion in `tree`; the leaf hash is computed here. */
  entry(tree: ProvedTree, wire: WireEntry): VerifiedEntry {
    let bytes: Uint8Array;
    try {
      bytes = canonicalBytes(wire.entry);
    } catch {
      throw badResponse(`entry ${wire.index} is not canonicalizable JSON`);
    }
    const hash = leafHash(bytes);
    const proof = proofFromBase64(wire.proof, `entry ${wire.index} proof`);
    if (wire.index >= tree.size) {
      throw verificationError(
        'INCLUSION_FAILED',
        `the ledger returned entry ${wire.index}, beyond its tree of size ${tree.size}`,
      );
    }
    try {
      // node:crypto node hashes: a status over thousands of entries checks ~20 per entry.
      verifyInclusion(hash, wire.index, tree.size, proof, tree.root, nodeHash);
    } catch (error) {
      throw verificationError(
        'INCLUSION_FAILED',
        `entry ${wire.index} is not in the ledger's tree of size ${tree.size} as served (altered entry or wrong proof): ${(error as Error).message}`,
        error,
      );
    }
    return {
      index: wire.index,
      entry: wire.entry as LedgerEntry,
      leafHash: hash,
      proof,
      treeSize: tree.size,
    };
  }

  /** Verifies a list of entries: inclusion, strictly ascending indexes, and `matches`. */
  entries(
    tree: ProvedTree,
    wires: readonly WireEntry[],
    matches: (entry: LedgerEntry) => boolean,
    what: string,
  ): VerifiedEntry[] {
    let last = -1;
    return wires.map((w) => {
      if (w.index <= last) {
        throw badResponse(
          `entries are not in strictly ascending log order (${w.index} after ${last})`,
        );
      }
      last = w.index;
      const verified = this.entry(tree, w);
      if (!matches(verified.entry)) {
        throw verificationError(
          'ENTRY_MISMATCH',
          `the ledger returned entry ${w.index} for ${what}, but the entry is not about it`,
        );
      }
      return verified;
    });
  }
}
