/**
 * LedgerVerifier.checkpoint on its own, with real signed notes and real proofs: the signature is
 * checked with the pinned key (not only its name and id), and every checkpoint is tied to the one
 * this client trusted: larger ones by a consistency proof, equal ones by their root, and smaller
 * ones (answers in flight while the trusted tree grew) only when they are at least as new as the
 * request and provably a prefix of the trusted tree.
 */
import { formatCheckpoint, type Hash } from '@notarize/tlog';
import { LedgerClientError } from '../errors.ts';
import { MemoryStateStore } from '../state.ts';
import { LedgerVerifier, type ConsistencySource } from '../verifier.ts';
import { b64, testKey, TestTree } from './test-tree.ts';

const key = testKey('log.example/verifier', new Uint8Array(32).fill(7));
const honest = new TestTree(12);
const forked = new TestTree(12, 'forked');

/** Serves proofs of `tree` and records what was asked. */
function proofsOf(tree: TestTree): ConsistencySource & { asked: [number, number][] } {
  const asked: [number, number][] = [];
  const source = async (size1: number, size2: number) => {
    asked.push([size1, size2]);
    return tree.consistency(size1, size2);
  };
  return Object.assign(source, { asked });
}

const noProofs: ConsistencySource = async (a, b) => {
  throw new Error(`no consistency proof expected, asked for ${a} -> ${b}`);
};

/** `text` under the signature lines of another (genuine) note. */
function withSignatureOf(text: string, genuine: string): string {
  return `${text}\n${genuine.slice(genuine.indexOf('\n\n') + 2)}`;
}

async function refusal(p: Promise<unknown>): Promise<{ code: string; category: string }> {
  const error = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof LedgerClientError)) {
    throw new Error(`expected a LedgerClientError, got ${String(error)}`);
  }
  return { code: error.code, category: error.category };
}

const verification = (code: string) => ({ code, category: 'verification' });

/** A verifier whose state trusts the honest tree at `size`. */
async function trusting(size: number): Promise<{ v: LedgerVerifier; state: MemoryStateStore }> {
  const state = new MemoryStateStore();
  const v = new LedgerVerifier(key.vkey, state);
  await v.checkpoint(key.sign(size, honest.root(size)), noProofs);
  expect(await v.knownSize()).toBe(size);
  return { v, state };
}

describe('the checkpoint signature', () => {
  it('accepts a note signed with the pinned key and records it', async () => {
    const state = new MemoryStateStore();
    const v = new LedgerVerifier(key.vkey, state);
    expect(await v.knownSize()).toBe(0);
    const note = key.sign(5, honest.root(5));
    const cp = await v.checkpoint(note, noProofs);
    expect(cp).toEqual({
      origin: 'log.example/verifier',
      size: 5,
      root: honest.root(5),
      rootBase64: b64(honest.root(5)),
      note,
    });
    expect(await state.trusted(key.vkey)).toMatchObject({
      origin: 'log.example/verifier',
      size: 5,
      root: b64(honest.root(5)),
      note,
    });
    expect(v.origin).toBe('log.example/verifier');
  });

  it('refuses a forged root under a signature line copied from a genuine note', async () => {
    const state = new MemoryStateStore();
    const v = new LedgerVerifier(key.vkey, state);
    const genuine = key.sign(5, honest.root(5));
    await v.checkpoint(genuine, noProofs); // the genuine note verifies (and is remembered)
    const forgedText = formatCheckpoint({
      origin: 'log.example/verifier',
      size: 9,
      root: new Uint8Array(32).fill(0xee),
      extensions: [],
    });
    const forgedNote = withSignatureOf(forgedText, genuine);
    // Same key name, same key id: only the signature bytes can tell.
    expect(forgedNote.split('\n').at(-2)).toBe(genuine.split('\n').at(-2));
    expect(await refusal(v.checkpoint(forgedNote, proofsOf(honest)))).toEqual(
      verification('CHECKPOINT_SIGNATURE'),
    );
    expect((await state.trusted(key.vkey))?.size).toBe(5);
  });

  it('refuses a forged root on a fresh verifier too (nothing remembered)', async () => {
    const v = new LedgerVerifier(key.vkey, new MemoryStateStore());
    const genuine = key.sign(3, honest.root(3));
    const forged = withSignatureOf(
      formatCheckpoint({
        origin: 'log.example/verifier',
        size: 3,
        root: forked.root(3),
        extensions: [],
      }),
      genuine,
    );
    expect(await refusal(v.checkpoint(forged, noProofs))).toEqual(
      verification('CHECKPOINT_SIGNATURE'),
    );
    expect(await v.knownSize()).toBe(0);
  });

  it('refuses a note signed by another key of the same name', async () => {
    const other = testKey('log.example/verifier', new Uint8Array(32).fill(8));
    const v = new LedgerVerifier(key.vkey, new MemoryStateStore());
    expect(await refusal(v.checkpoint(other.sign(4, honest.root(4)), noProofs))).toEqual(
      verification('CHECKPOINT_SIGNATURE'),
    );
  });

  it('refuses a validly signed note that is not a checkpoint', async () => {
    const v = new LedgerVerifier(key.vkey, new MemoryStateStore());
    const genuine = key.sign(4, honest.root(4));
    const { signNote, noteSignerFromSkey } = await import('@notarize/tlog');
    const notACheckpoint = signNote('log.example/verifier\nfour\n', noteSignerFromSkey(key.skey));
    expect(genuine).not.toBe(notACheckpoint);
    expect(await refusal(v.checkpoint(notACheckpoint, noProofs))).toEqual(
      verification('CHECKPOINT_SIGNATURE'),
    );
  });

  it('refuses a checkpoint of another log signed with the pinned key', async () => {
    const v = new LedgerVerifier(key.vkey, new MemoryStateStore());
    const note = key.sign(4, honest.root(4), 'log.example/other');
    expect(await refusal(v.checkpoint(note, noProofs))).toEqual(verification('ORIGIN_MISMATCH'));
    expect(await v.knownSize()).toBe(0);
  });

  it('refuses a pinned key that is not a verifier key (input error)', () => {
    expect(() => new LedgerVerifier('not-a-key', new MemoryStateStore())).toThrow(
      expect.objectContaining({ code: 'KEY_INVALID', category: 'input' }),
    );
  });
});

describe('a larger or equal checkpoint', () => {
  it('accepts a larger tree with a valid consistency proof from the trusted size', async () => {
    const { v, state } = await trusting(5);
    const proofs = proofsOf(honest);
    await v.checkpoint(key.sign(11, honest.root(11)), proofs);
    expect(proofs.asked).toEqual([[5, 11]]);
    expect((await state.trusted(key.vkey))?.size).toBe(11);
  });

  it('refuses a larger tree that does not extend the trusted one', async () => {
    const { v, state } = await trusting(5);
    const note = key.sign(11, forked.root(11));
    expect(await refusal(v.checkpoint(note, proofsOf(forked)))).toEqual(
      verification('CONSISTENCY_FAILED'),
    );
    expect((await state.trusted(key.vkey))?.size).toBe(5);
  });

  it('needs no proof from the empty tree', async () => {
    const { v } = await trusting(0);
    await v.checkpoint(key.sign(3, honest.root(3)), noProofs);
    expect(await v.knownSize()).toBe(3);
  });

  it('accepts the same tree again and refuses another root of the same size (fork)', async () => {
    const { v } = await trusting(6);
    await v.checkpoint(key.sign(6, honest.root(6)), noProofs);
    expect(await refusal(v.checkpoint(key.sign(6, forked.root(6)), noProofs))).toEqual(
      verification('FORK'),
    );
    expect(await v.knownSize()).toBe(6);
  });
});

describe('a smaller checkpoint (answer in flight while the trusted tree grew)', () => {
  it('accepts an honest prefix at least as new as the request, without moving back', async () => {
    const { v, state } = await trusting(10);
    const proofs = proofsOf(honest);
    const cp = await v.checkpoint(key.sign(7, honest.root(7)), proofs, 7);
    expect(cp.size).toBe(7);
    expect(proofs.asked).toEqual([[7, 10]]);
    expect((await state.trusted(key.vkey))?.size).toBe(10);
    const older = await v.checkpoint(key.sign(8, honest.root(8)), proofsOf(honest), 4);
    expect(older.root).toEqual(honest.root(8));
  });

  it('refuses a forked smaller checkpoint (not a prefix) with CONSISTENCY_FAILED', async () => {
    const { v, state } = await trusting(10);
    const note = key.sign(7, forked.root(7));
    // The fork's own proofs, and the honest ones: neither ties the forked root to the trusted tree.
    for (const tree of [forked, honest]) {
      expect(await refusal(v.checkpoint(note, proofsOf(tree), 6))).toEqual(
        verification('CONSISTENCY_FAILED'),
      );
    }
    expect(await state.trusted(key.vkey)).toMatchObject({ size: 10, root: b64(honest.root(10)) });
  });

  it('refuses a smaller checkpoint older than the request, or without a request size', async () => {
    const { v } = await trusting(10);
    const note = key.sign(7, honest.root(7));
    expect(await refusal(v.checkpoint(note, proofsOf(honest), 8))).toEqual(
      verification('ROLLBACK'),
    );
    expect(await refusal(v.checkpoint(note, proofsOf(honest)))).toEqual(verification('ROLLBACK'));
    // The boundary: exactly as new as the request is fine.
    await v.checkpoint(note, proofsOf(honest), 7);
  });

  it('refuses a smaller checkpoint whose proof is of the wrong length', async () => {
    const { v } = await trusting(10);
    const note = key.sign(7, honest.root(7));
    const padded: ConsistencySource = async (a, b) => [
      ...honest.consistency(a, b),
      honest.root(1) as Hash,
    ];
    expect(await refusal(v.checkpoint(note, padded, 7))).toEqual(
      verification('CONSISTENCY_FAILED'),
    );
  });
});
