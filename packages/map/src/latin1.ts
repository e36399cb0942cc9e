// The in-memory tree keeps keys and hashes as 32-character one-byte ("latin1") strings rather than
// Uint8Arrays: V8 stores such a string in about 48 bytes, a 32-byte Uint8Array with its own
// ArrayBuffer in about 250. At a million keys that is the difference between ~200 MB and ~1 GB.

/** Bytes to a string with one char code (0..255) per byte. */
export function toLatin1(bytes: Uint8Array): string {
  return String.fromCharCode.apply(null, bytes as unknown as number[]);
}

/** Writes the char codes of `s` (all < 256) into `out` at `offset`. */
export function writeLatin1(s: string, out: Uint8Array, offset: number): void {
  for (let i = 0; i < s.length; i++) out[offset + i] = s.charCodeAt(i);
}

/** The bytes of chars [start, end) of `s`. */
export function fromLatin1(s: string, start = 0, end = s.length): Uint8Array {
  const out = new Uint8Array(end - start);
  for (let i = start; i < end; i++) out[i - start] = s.charCodeAt(i);
  return out;
}

/** Whether `s` is a hash in this form: 32 chars, each a byte (< 256). */
export function isLatin1Hash(s: string): boolean {
  if (s.length !== 32) return false;
  for (let i = 0; i < 32; i++) if (s.charCodeAt(i) > 0xff) return false;
  return true;
}

/** Bit `d` (MSB-first) of a key held as a latin1 string. */
export function bitOfString(s: string, d: number): number {
  return (s.charCodeAt(d >> 3) >> (7 - (d & 7))) & 1;
}

/** The first bit (0..255) where the 32-char keys at the start of `a` and `b` differ, or 256. */
export function firstDifferentBit(a: string, b: string): number {
  for (let i = 0; i < 32; i++) {
    const x = a.charCodeAt(i) ^ b.charCodeAt(i);
    if (x !== 0) return i * 8 + Math.clz32(x) - 24;
  }
  return 256;
}
