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

describe('a smaller checkpoint, an answer in flight while the trusted tree grew', () => {
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

describe('what a refusal says', () => {
  /** The refusal's message, and whether it keeps the underlying error as its cause. */
  async function said(p: Promise<unknown>): Promise<{ message: string; cause: boolean }> {
    const error = await p.then(
      () => undefined,
      (e: unknown) => e,
    );
    if (!(error instanceof LedgerClientError)) throw new Error(`not refused: ${String(error)}`);
    return { message: error.message, cause: error.cause !== undefined };
  }

  it('names the pinned key that is not a key', () => {
    let error: unknown;
    try {
      new LedgerVerifier('not-a-key', new MemoryStateStore());
    } catch (e) {
      error = e;
    }
    expect((error as Error).message).toMatch(
      /^the pinned ledger key "not-a-key" is not a note verifier key .*NOTARIZE_LEDGER_KEY$/,
    );
    expect((error as Error).cause).toBeDefined();
  });

  it('says why a checkpoint is not believed', async () => {
    const fresh = () => new LedgerVerifier(key.vkey, new MemoryStateStore());
    const other = testKey('log.example/verifier', new Uint8Array(32).fill(8));
    const { signNote, noteSignerFromSkey } = await import('@notarize/tlog');
    expect(await said(fresh().checkpoint(other.sign(4, honest.root(4)), noProofs))).toEqual({
      message: expect.stringMatching(
        /^the ledger's checkpoint is not validly signed by the pinned key log\.example\/verifier\+[0-9a-f]{8}\+\S+: \S/,
      ),
      cause: true,
    });
    const notACheckpoint = signNote('log.example/verifier\nfour\n', noteSignerFromSkey(key.skey));
    expect(await said(fresh().checkpoint(notACheckpoint, noProofs))).toEqual({
      message: expect.stringMatching(/^the signed checkpoint does not parse: \S/),
      cause: true,
    });
    expect(
      await said(fresh().checkpoint(key.sign(4, honest.root(4), 'log.example/x'), noProofs)),
    ).toEqual({
      message:
        'the checkpoint is for log "log.example/x", but the pinned key is for "log.example/verifier"',
      cause: false,
    });
  });

  it('says how a checkpoint disagrees with the trusted one', async () => {
    const { v } = await trusting(10);
    expect(await said(v.checkpoint(key.sign(7, honest.root(7)), proofsOf(honest), 8))).toEqual({
      message:
        'the ledger log.example/verifier served a checkpoint of size 7, smaller than the size 8 this client had already verified: the log was rolled back or is being tampered with',
      cause: false,
    });
    expect(
      (await said(v.checkpoint(key.sign(7, honest.root(7)), proofsOf(honest)))).message,
    ).toMatch(/smaller than the size 10 this client had already verified/);
    expect(await said(v.checkpoint(key.sign(7, forked.root(7)), proofsOf(forked), 7))).toEqual({
      message: expect.stringMatching(
        /^the ledger's tree of size 7 is not a prefix of the tree of size 10 this client verified: \S/,
      ),
      cause: true,
    });
    expect(await said(v.checkpoint(key.sign(10, forked.root(10)), noProofs))).toEqual({
      message:
        'the ledger log.example/verifier served a tree of size 10 whose root differs from the one this client verified before: the log forked or is being tampered with',
      cause: false,
    });
    expect(await said(v.checkpoint(key.sign(12, forked.root(12)), proofsOf(forked)))).toEqual({
      message: expect.stringMatching(
        /^the ledger's tree of size 12 is not an extension of the tree of size 10 this client verified before: \S/,
      ),
      cause: true,
    });
  });

  it('keeps the first record of a tree it sees again (memory state)', async () => {
    const state = new MemoryStateStore();
    const v = new LedgerVerifier(key.vkey, state);
    await v.checkpoint(key.sign(4, honest.root(4)), noProofs);
    const first = (await state.trusted(key.vkey))?.recorded;
    await new Promise((r) => setTimeout(r, 5));
    await v.checkpoint(key.sign(4, honest.root(4)), noProofs);
    expect((await state.trusted(key.vkey))?.recorded).toBe(first);
  });

  it('refuses a trusted state whose root is not a hash, naming it', async () => {
    const state = new MemoryStateStore();
    await state.advance(key.vkey, {
      origin: 'log.example/verifier',
      size: 3,
      root: 'not a hash',
      note: '',
      recorded: '',
    });
    const v = new LedgerVerifier(key.vkey, state);
    await expect(v.checkpoint(key.sign(4, honest.root(4)), noProofs)).rejects.toThrow(
      /trusted root is not the base64 of a 32-byte hash/,
    );
  });
});
