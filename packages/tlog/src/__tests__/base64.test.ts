// The strict base64 decoder against Node's encoder (every length 0..99 of random bytes) and
// against the non-canonical and malformed spellings it must refuse.
import { decodeBase64, encodeBase64 } from '../base64.ts';

describe('decodeBase64', () => {
  it('decodes what Buffer encodes, for every length up to 99, and encodeBase64 agrees', () => {
    for (let n = 0; n < 100; n++) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 151 + n * 7) & 0xff);
      const text = Buffer.from(bytes).toString('base64');
      expect(encodeBase64(bytes)).toBe(text);
      expect(Buffer.from(decodeBase64(text)!).equals(Buffer.from(bytes))).toBe(true);
    }
  });

  it.each([
    ['a length that is not a multiple of 4', 'AAA'],
    ['a URL-safe character', 'AA-_'],
    ['a character outside ASCII', 'AAé='],
    ['a surrogate pair', 'A\u{1F600}A'],
    ['padding in the middle', 'A=AA'],
    ['three padding characters', 'A==='],
    ['only padding', '===='],
    ['non-zero bits after the last byte (one pad)', 'AAB='],
    ['non-zero bits after the last byte (two pads)', 'AB=='],
    ['white space', 'AA A'],
  ])('refuses %s', (_, text) => {
    expect(decodeBase64(text)).toBeUndefined();
  });

  it('accepts the canonical spellings next to the refused ones', () => {
    expect([...decodeBase64('AAA=')!]).toEqual([0, 0]);
    expect([...decodeBase64('AQ==')!]).toEqual([1]);
    expect([...decodeBase64('')!]).toEqual([]);
  });
});
