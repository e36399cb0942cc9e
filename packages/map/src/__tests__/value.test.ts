import { chainStep, EMPTY_CHAIN } from '../chain.ts';
import { mapKey } from '../key.ts';
import { decodeValue, encodeValue, valueHash, type MapValue } from '../value.ts';
import { codeOf, hex, sha } from './helpers.ts';

const te = new TextEncoder();
const CHAIN = Buffer.from(sha([1])).toString('base64');

describe('mapKey', () => {
  it('is SHA-256("notarize/map/key/v1\\n" || UTF-8(lookup key))', () => {
    for (const lk of [
      'subject:sha256:' + 'ab'.repeat(32),
      'job:github\nacme/w\n1/2',
      'identity:zoë',
    ]) {
      expect(hex(mapKey(lk))).toBe(hex(sha(te.encode('notarize/map/key/v1\n'), te.encode(lk))));
    }
    expect(hex(mapKey(''))).toBe(hex(sha(te.encode('notarize/map/key/v1\n'))));
  });

  it('rejects lone surrogates, which UTF-8 cannot carry', () => {
    expect(codeOf(() => mapKey('identity:\ud800'))).toBe('MAP_INPUT_INVALID');
  });
});

describe('chainStep', () => {
  it('is SHA-256(0x04 || prev || u64be(index) || leafHash), from 32 zero bytes', () => {
    const leaf = sha([0], te.encode('entry'));
    expect(hex(EMPTY_CHAIN)).toBe('00'.repeat(32));
    const idx = 2 ** 40 + 5; // above 32 bits: both halves of the u64 matter
    const u64 = [0, 0, 1, 0, 0, 0, 0, 5];
    expect(hex(chainStep(EMPTY_CHAIN, idx, leaf))).toBe(hex(sha([4], EMPTY_CHAIN, u64, leaf)));
    const c1 = chainStep(EMPTY_CHAIN, 3, leaf);
    expect(hex(chainStep(c1, 9, leaf))).toBe(hex(sha([4], c1, [0, 0, 0, 0, 0, 0, 0, 9], leaf)));
    expect(codeOf(() => chainStep(EMPTY_CHAIN, -1, leaf))).toBe('MAP_INPUT_INVALID');
    expect(codeOf(() => chainStep(EMPTY_CHAIN, 1.5, leaf))).toBe('MAP_INPUT_INVALID');
    expect(codeOf(() => chainStep(EMPTY_CHAIN, 2 ** 53, leaf))).toBe('MAP_INPUT_INVALID');
  });
});

describe('map values', () => {
  const full: MapValue = {
    n: 12,
    chain: CHAIN,
    assert: [
      ['Zed', 2 ** 53 - 1],
      ['ci', 4],
      ['ops "night"\t\u0001\u007f é 🚀', 7],
      ['\uff5e', 8], // above U+D800 in code points, but below the surrogates of 🚀 in UTF-16
      ['🚀', 9],
    ].sort(([a], [b]) => ((a as string) < (b as string) ? -1 : 1)) as [string, number][],
    revoke: 0,
  };

  it('encodes RFC 8785 canonical JSON: sorted members, minimal escapes, UTF-8', () => {
    expect(new TextDecoder().decode(encodeValue({ n: 0, chain: CHAIN }))).toBe(
      `{"chain":"${CHAIN}","n":0}`,
    );
    const text = new TextDecoder().decode(encodeValue(full));
    expect(text).toBe(
      `{"assert":[["Zed",9007199254740991],["ci",4],["ops \\"night\\"\\t\\u0001\u007f é 🚀",7],` +
        `["🚀",9],["\uff5e",8]],"chain":"${CHAIN}","n":12,"revoke":0}`,
    );
    // JSON.stringify agrees for this shape once members are in order (it is JCS for it).
    const ordered = { assert: full.assert, chain: full.chain, n: full.n, revoke: full.revoke };
    expect(text).toBe(JSON.stringify(ordered));
  });

  it('round-trips through decodeValue', () => {
    for (const v of [full, { n: 1, chain: CHAIN }, { n: 2, chain: CHAIN, revoke: 5 }]) {
      expect(decodeValue(encodeValue(v))).toEqual(v);
    }
  });

  it('valueHash is SHA-256(0x05 || bytes)', () => {
    const b = encodeValue(full);
    expect(hex(valueHash(b))).toBe(hex(sha([5], b)));
  });

  const bad: [string, unknown][] = [
    ['unknown member', { n: 1, chain: CHAIN, x: 1 }],
    ['missing n', { chain: CHAIN }],
    ['fractional n', { n: 1.5, chain: CHAIN }],
    ['negative n', { n: -1, chain: CHAIN }],
    ['n beyond 2^53', { n: 2 ** 53, chain: CHAIN }],
    ['string n', { n: '1', chain: CHAIN }],
    ['short chain', { n: 1, chain: 'AAAA' }],
    ['non-canonical base64 chain', { n: 1, chain: CHAIN.slice(0, 42) + 'B=' }],
    ['empty assert', { n: 1, chain: CHAIN, assert: [] }],
    [
      'unsorted assert',
      {
        n: 1,
        chain: CHAIN,
        assert: [
          ['b', 1],
          ['a', 2],
        ],
      },
    ],
    [
      'duplicate identity',
      {
        n: 1,
        chain: CHAIN,
        assert: [
          ['a', 1],
          ['a', 2],
        ],
      },
    ],
    ['triple in assert', { n: 1, chain: CHAIN, assert: [['a', 1, 2]] }],
    ['non-integer index', { n: 1, chain: CHAIN, assert: [['a', 0.5]] }],
    ['lone surrogate name', { n: 1, chain: CHAIN, assert: [['\udc00', 1]] }],
    ['bad revoke', { n: 1, chain: CHAIN, revoke: -3 }],
    ['array', [1]],
    ['null', null],
  ];
  it.each(bad)('encodeValue rejects %s', (_what, v) => {
    expect(codeOf(() => encodeValue(v as MapValue))).toBe('MAP_VALUE_INVALID');
  });
  it.each(bad)('decodeValue rejects %s', (_what, v) => {
    expect(codeOf(() => decodeValue(te.encode(JSON.stringify(v))))).toBe('MAP_VALUE_INVALID');
  });

  it('decodeValue rejects non-canonical bytes of a valid value', () => {
    const canonical = new TextDecoder().decode(encodeValue({ n: 1, chain: CHAIN, revoke: 2 }));
    const variants = [
      `{"n":1,"chain":"${CHAIN}","revoke":2}`, // member order
      `{"chain":"${CHAIN}", "n":1,"revoke":2}`, // white space
      `{"chain":"${CHAIN}","n":1.0,"revoke":2}`, // number form
      `{"chain":"${CHAIN}","n":1e0,"revoke":2}`,
      `{"chain":"${CHAIN}","n":1,"n":1,"revoke":2}`, // duplicate member
      `{"chain":"\\u00${CHAIN.charCodeAt(0).toString(16)}${CHAIN.slice(1)}","n":1,"revoke":2}`,
      `\ufeff${canonical}`, // byte order mark
      `${canonical}\n`,
    ];
    for (const text of variants) {
      expect(codeOf(() => decodeValue(te.encode(text)))).toBe('MAP_VALUE_INVALID');
    }
    expect(codeOf(() => decodeValue(Uint8Array.of(0xff, 0x7b, 0x7d)))).toBe('MAP_VALUE_INVALID');
    expect(decodeValue(te.encode(canonical))).toEqual({ n: 1, chain: CHAIN, revoke: 2 });
  });
});
