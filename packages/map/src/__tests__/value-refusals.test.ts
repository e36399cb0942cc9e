/**
 * The map's input checks word for word: a map value of the wrong shape (encode and decode), a
 * lookup key that UTF-8 cannot carry, a chain step or node hash over something that is not a
 * 32-byte hash. And the small byte helpers the tree rests on, at their edges.
 */
import { chainStep, EMPTY_CHAIN } from '../chain.ts';
import { MapError } from '../errors.ts';
import { bitAt, hashEquals, innerNodeHash, leafNodeHash } from '../hash.ts';
import { mapKey } from '../key.ts';
import { bitOfString, firstDifferentBit, fromLatin1, toLatin1, writeLatin1 } from '../latin1.ts';
import { decodeValue, encodeValue, valueHash, type MapValue } from '../value.ts';

const CHAIN = Buffer.from(new Uint8Array(32).fill(7)).toString('base64');
const te = new TextEncoder();

function refusal(fn: () => unknown): { code: string; message: string } | 'accepted' {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(MapError);
    return { code: (err as MapError).code, message: (err as MapError).message };
  }
  return 'accepted';
}

const invalid = (message: string) => ({
  code: 'MAP_VALUE_INVALID',
  message: `map value: ${message}`,
});

describe('map value refusals', () => {
  const cases: [string, unknown, string][] = [
    ['an unknown member', { n: 1, chain: CHAIN, x: 1 }, 'unknown member "x"'],
    ['no n', { chain: CHAIN }, '"n" must be a non-negative safe integer'],
    ['a fractional n', { n: 1.5, chain: CHAIN }, '"n" must be a non-negative safe integer'],
    ['a negative n', { n: -1, chain: CHAIN }, '"n" must be a non-negative safe integer'],
    ['n of 2^53', { n: 2 ** 53, chain: CHAIN }, '"n" must be a non-negative safe integer'],
    ['a string n', { n: '1', chain: CHAIN }, '"n" must be a non-negative safe integer'],
    ['a number chain', { n: 1, chain: 5 }, '"chain" must be canonical base64 of 32 bytes'],
    ['a short chain', { n: 1, chain: 'AAAA' }, '"chain" must be canonical base64 of 32 bytes'],
    ['an empty assert', { n: 1, chain: CHAIN, assert: [] }, '"assert" must be a non-empty array'],
    ['an object assert', { n: 1, chain: CHAIN, assert: {} }, '"assert" must be a non-empty array'],
    [
      'an unsorted assert',
      {
        n: 1,
        chain: CHAIN,
        assert: [
          ['b', 1],
          ['a', 2],
        ],
      },
      '"assert" must be sorted by identity name, one pair per identity',
    ],
    [
      'an identity twice',
      {
        n: 1,
        chain: CHAIN,
        assert: [
          ['a', 1],
          ['a', 2],
        ],
      },
      '"assert" must be sorted by identity name, one pair per identity',
    ],
    [
      'a triple',
      {
        n: 1,
        chain: CHAIN,
        assert: [
          ['a', 1],
          ['b', 1, 2],
        ],
      },
      '"assert"[1] not a pair',
    ],
    ['a single', { n: 1, chain: CHAIN, assert: [['a', 1], ['b']] }, '"assert"[1] not a pair'],
    ['a string pair', { n: 1, chain: CHAIN, assert: ['ab'] }, '"assert"[0] not a pair'],
    [
      'a number name',
      {
        n: 1,
        chain: CHAIN,
        assert: [
          ['a', 1],
          [5, 1],
        ],
      },
      '"assert"[1] identity must be a well-formed string',
    ],
    [
      'a lone surrogate name',
      { n: 1, chain: CHAIN, assert: [['\udc00', 1]] },
      '"assert"[0] identity must be a well-formed string',
    ],
    [
      'a fractional index',
      { n: 1, chain: CHAIN, assert: [['a', 0.5]] },
      '"assert"[0] index must be a non-negative integer',
    ],
    [
      'a negative index',
      { n: 1, chain: CHAIN, assert: [['a', -1]] },
      '"assert"[0] index must be a non-negative integer',
    ],
    [
      'a negative revoke',
      { n: 1, chain: CHAIN, revoke: -3 },
      '"revoke" must be a non-negative safe integer',
    ],
    [
      'a string revoke',
      { n: 1, chain: CHAIN, revoke: '3' },
      '"revoke" must be a non-negative safe integer',
    ],
    ['an array', [1], 'not an object'],
    ['null', null, 'not an object'],
    ['a string', 'x', 'not an object'],
  ];

  it.each(cases)('encodeValue refuses %s', (_what, v, message) => {
    expect(refusal(() => encodeValue(v as MapValue))).toEqual(invalid(message));
  });

  it.each(cases)('decodeValue refuses %s', (_what, v, message) => {
    expect(refusal(() => decodeValue(te.encode(JSON.stringify(v))))).toEqual(invalid(message));
  });

  it('decodeValue names bytes that are not UTF-8 JSON, and JSON not in canonical form', () => {
    for (const bytes of [te.encode('{'), te.encode('\ufeff{}'), Uint8Array.of(0xff, 0x7b, 0x7d)]) {
      expect(refusal(() => decodeValue(bytes))).toEqual(invalid('not UTF-8 JSON'));
    }
    for (const text of [`{"chain":"${CHAIN}","n":1.0}`, `{"chain":"${CHAIN}","n":1} `]) {
      expect(refusal(() => decodeValue(te.encode(text)))).toEqual(
        invalid('not in canonical form (RFC 8785)'),
      );
    }
    // Same length, one byte different: the canonical re-encoding is compared byte by byte.
    const canonical = `{"chain":"${CHAIN}","n":1}`;
    expect(decodeValue(te.encode(canonical))).toEqual({ n: 1, chain: CHAIN });
  });

  it('decodes assert and revoke into fresh values, absent members absent', () => {
    const text = `{"assert":[["a",1],["b",2]],"chain":"${CHAIN}","n":3,"revoke":0}`;
    const v = decodeValue(te.encode(text));
    expect(v).toEqual({
      n: 3,
      chain: CHAIN,
      assert: [
        ['a', 1],
        ['b', 2],
      ],
      revoke: 0,
    });
    const plain = decodeValue(te.encode(`{"chain":"${CHAIN}","n":0}`));
    expect(Object.keys(plain)).toEqual(['n', 'chain']);
  });

  it('encodes members given as undefined as absent', () => {
    const text = new TextDecoder().decode(
      encodeValue({ n: 1, chain: CHAIN, assert: undefined, revoke: undefined }),
    );
    expect(text).toBe(`{"chain":"${CHAIN}","n":1}`);
  });
});

describe('input checks of keys, chain steps and node hashes', () => {
  const input = (message: string) => ({ code: 'MAP_INPUT_INVALID', message });

  it('names what is wrong', () => {
    expect(refusal(() => valueHash('x' as unknown as Uint8Array))).toEqual(input('bytes expected'));
    expect(refusal(() => mapKey(5 as unknown as string))).toEqual(
      input('a lookup key must be a well-formed Unicode string'),
    );
    expect(refusal(() => chainStep(EMPTY_CHAIN, -1, EMPTY_CHAIN))).toEqual(
      input('log index must be a non-negative safe integer'),
    );
    expect(refusal(() => chainStep(new Uint8Array(31), 1, EMPTY_CHAIN))).toEqual(
      input('previous chain hash must be 32 bytes, got 31 bytes'),
    );
    expect(refusal(() => chainStep(EMPTY_CHAIN, 1, new Uint8Array(33)))).toEqual(
      input('leaf hash must be 32 bytes, got 33 bytes'),
    );
    expect(refusal(() => leafNodeHash(new Uint8Array(32), 'x' as unknown as Uint8Array))).toEqual(
      input('value hash must be 32 bytes, got string'),
    );
    expect(refusal(() => leafNodeHash(new Uint8Array(1), new Uint8Array(32)))).toEqual(
      input('map key must be 32 bytes, got 1 bytes'),
    );
    expect(refusal(() => innerNodeHash(new Uint8Array(0), new Uint8Array(32)))).toEqual(
      input('left child hash must be 32 bytes, got 0 bytes'),
    );
    expect(refusal(() => innerNodeHash(new Uint8Array(32), new Uint8Array(64)))).toEqual(
      input('right child hash must be 32 bytes, got 64 bytes'),
    );
  });

  it('chains index 0 and 2^53 - 1, the ends of the range', () => {
    expect(chainStep(EMPTY_CHAIN, 0, EMPTY_CHAIN)).toHaveLength(32);
    expect(chainStep(EMPTY_CHAIN, 2 ** 53 - 1, EMPTY_CHAIN)).toHaveLength(32);
  });
});

describe('byte helpers', () => {
  it('hashEquals compares length and every byte', () => {
    const a = new Uint8Array(32).fill(1);
    expect(hashEquals(a, a.slice())).toBe(true);
    expect(hashEquals(a, a.subarray(0, 31))).toBe(false);
    expect(hashEquals(a.subarray(0, 31), a)).toBe(false);
    for (const i of [0, 31]) {
      const b = a.slice();
      b[i] = 2;
      expect(hashEquals(a, b)).toBe(false);
    }
  });

  it('latin1 strings round-trip bytes, and their bits are read MSB first', () => {
    const bytes = Uint8Array.from({ length: 32 }, (_, i) => (i * 37 + 255) % 256);
    const s = toLatin1(bytes);
    expect(s).toHaveLength(32);
    expect(fromLatin1(s)).toEqual(bytes);
    expect(fromLatin1(s, 3, 7)).toEqual(bytes.subarray(3, 7));
    const out = new Uint8Array(40).fill(0xee);
    writeLatin1(s, out, 5);
    expect(out.subarray(5, 37)).toEqual(bytes);
    // Nothing written before or after the 32 bytes.
    expect([...out.subarray(0, 5), ...out.subarray(37)]).toEqual(new Array(8).fill(0xee));
    const one = toLatin1(Uint8Array.of(0b1000_0001, 0b0100_0000));
    expect([0, 1, 6, 7, 8, 9].map((d) => bitOfString(one, d))).toEqual([1, 0, 0, 1, 0, 1]);
    const key = Uint8Array.of(0b1000_0001, 0b0100_0000);
    expect([0, 1, 6, 7, 8, 9].map((d) => bitAt(key, d))).toEqual([1, 0, 0, 1, 0, 1]);
  });

  it('firstDifferentBit finds the first differing bit, or 256', () => {
    const zero = new Uint8Array(32);
    const z = toLatin1(zero);
    expect(firstDifferentBit(z, z)).toBe(256);
    for (const d of [0, 7, 8, 200, 255]) {
      const other = zero.slice();
      other[d >> 3] = 0x80 >> (d & 7);
      expect(firstDifferentBit(z, toLatin1(other))).toBe(d);
    }
  });
});
