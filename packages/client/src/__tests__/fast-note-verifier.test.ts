/**
 * The client's Ed25519 note verifier (node:crypto) and its memory of verified notes: the same
 * answers as @notarize/tlog's portable verifier, and a bounded memory.
 */
import { noteSignerFromSkey, noteVerifierFromVkey } from '@notarize/tlog';
import { fastNoteVerifier, rememberedNote, rememberNote } from '../fast-note-verifier.ts';
import { testKey } from './test-tree.ts';

const enc = (s: string) => new TextEncoder().encode(s);

describe('fastNoteVerifier', () => {
  // Seeds whose public keys' base64 holds a '+' or '/' (the vkey's separator is '+' too).
  const keys = [1, 2, 3, 4, 5, 6, 7, 8].map((n) =>
    testKey(`log.example/fast-${n}`, new Uint8Array(32).fill(n)),
  );

  it.each(keys.map((k) => [k.vkey, k] as const))(
    'agrees with the portable verifier (%s)',
    (_v, k) => {
      const fast = fastNoteVerifier(k.vkey);
      const slow = noteVerifierFromVkey(k.vkey);
      expect([fast.name, fast.keyId]).toEqual([slow.name, slow.keyId]);
      const msg = enc('log.example\n1\nAAAA\n');
      const sig = noteSignerFromSkey(k.skey).sign(msg);
      expect(sig).toHaveLength(64);
      expect(fast.verify(msg, sig)).toBe(true);
      expect(slow.verify(msg, sig)).toBe(true);
      const flipped = sig.slice();
      flipped[10]! ^= 1;
      expect(fast.verify(msg, flipped)).toBe(false);
      expect(fast.verify(enc('log.example\n2\nAAAA\n'), sig)).toBe(false);
      expect(fast.verify(msg, sig.slice(0, 63))).toBe(false);
      expect(fast.verify(msg, new Uint8Array([...sig, 0]))).toBe(false);
      expect(fast.verify(msg, new Uint8Array(64))).toBe(false);
    },
  );

  it('refuses a signature by another key', () => {
    const [a, b] = keys;
    const msg = enc('text\n');
    expect(fastNoteVerifier(a!.vkey).verify(msg, noteSignerFromSkey(b!.skey).sign(msg))).toBe(
      false,
    );
  });

  it('fails closed on a signature node:crypto cannot read (false, not a throw)', () => {
    const [k] = keys;
    const msg = enc('text\n');
    // 64 by its length, but not bytes: node:crypto throws ERR_INVALID_ARG_TYPE on it.
    const notBytes = { length: 64 } as unknown as Uint8Array;
    expect(fastNoteVerifier(k!.vkey).verify(msg, notBytes)).toBe(false);
  });

  it('refuses a key that is not a vkey', () => {
    expect(() => fastNoteVerifier('name+00000000+AAAA')).toThrow();
  });
});

describe('remembered notes', () => {
  it('remembers per key and note, and forgets the oldest beyond 512', () => {
    rememberNote('k', 'note-0', 'text-0');
    expect(rememberedNote('k', 'note-0')).toBe('text-0');
    expect(rememberedNote('other', 'note-0')).toBeUndefined();
    expect(rememberedNote('k', 'note-1')).toBeUndefined();
    for (let i = 1; i < 512; i++) rememberNote('k', `note-${i}`, `text-${i}`);
    expect(rememberedNote('k', 'note-0')).toBe('text-0');
    rememberNote('k', 'note-512', 'text-512');
    expect(rememberedNote('k', 'note-0')).toBeUndefined();
    expect(rememberedNote('k', 'note-1')).toBe('text-1');
    expect(rememberedNote('k', 'note-512')).toBe('text-512');
  });
});
