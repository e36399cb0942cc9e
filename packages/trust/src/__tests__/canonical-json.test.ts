import { canonicalize, canonicalBytes, CanonicalJsonError } from '../canonical-json.ts';

// Input/output pairs from the RFC 8785 reference test data (cyberphone/json-canonicalization,
// testdata/input and testdata/output).
const FILES: [string, string, string][] = [
  [
    'arrays',
    '[\n  56,\n  {\n    "d": true,\n    "10": null,\n    "1": [ ]\n  }\n]',
    '[56,{"1":[],"10":null,"d":true}]',
  ],
  [
    'french',
    '{\n  "peach": "This sorting order",\n  "péché": "is wrong according to French",\n  "pêche": "but canonicalization MUST",\n  "sin":   "ingnore locale"\n}\n',
    '{"peach":"This sorting order","péché":"is wrong according to French","pêche":"but canonicalization MUST","sin":"ingnore locale"}',
  ],
  [
    'structures',
    '{\n  "1": {"f": {"f": "hi","F": 5} ,"\\n": 56.0},\n  "10": { },\n  "": "empty",\n  "a": { },\n  "111": [ { } ],\n  "A": { }\n}',
    '{"":"empty","1":{"\\n":56,"f":{"F":5,"f":"hi"}},"10":{},"111":[{}],"A":{},"a":{}}',
  ],
  [
    'unicode',
    '{\n  "Unnormalized Unicode":"\\u1e0d\\u0307"\n}\n',
    '{"Unnormalized Unicode":"\u1e0d\u0307"}',
  ],
  [
    'values',
    '{\n  "numbers": [1E30, 4.50, 333333333.33333329, 2e-3, 0.000000000000000000000000001],\n  "escaping": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/",\n  "literals": [null, true, false]\n}',
    '{"escaping":"\u20ac$\\u000f\\nA\'B\\"\\\\\\\\\\"/","literals":[null,true,false],"numbers":[1e+30,4.5,333333333.3333333,0.002,1e-27]}',
  ],
  [
    'weird',
    '{\n  "\\u20ac": "Euro Sign",\n  "1": "One",\n  "\\u0080": "Control\\u007f",\n  "\\ud83d\\ude02": "Smiley",\n  "\\u00f6": "Latin Small Letter O With Diaeresis",\n  "\\ufb33": "Hebrew Letter Dalet With Dagesh",\n  "</script>": "Browser Challenge"\n}\n',
    '{"1":"One","</script>":"Browser Challenge","\u0080":"Control\u007f","\u00f6":"Latin Small Letter O With Diaeresis","\u20ac":"Euro Sign","\u{1f602}":"Smiley","\ufb33":"Hebrew Letter Dalet With Dagesh"}',
  ],
];

// RFC 8785 Appendix B: IEEE 754 bit patterns and their only valid serialization.
const NUMBERS: [string, string][] = [
  ['0000000000000000', '0'],
  ['8000000000000000', '0'],
  ['0000000000000001', '5e-324'],
  ['8000000000000001', '-5e-324'],
  ['7fefffffffffffff', '1.7976931348623157e+308'],
  ['ffefffffffffffff', '-1.7976931348623157e+308'],
  ['4340000000000000', '9007199254740992'],
  ['c340000000000000', '-9007199254740992'],
  ['4430000000000000', '295147905179352830000'],
  ['44b52d02c7e14af5', '9.999999999999997e+22'],
  ['44b52d02c7e14af6', '1e+23'],
  ['44b52d02c7e14af7', '1.0000000000000001e+23'],
  ['444b1ae4d6e2ef4e', '999999999999999700000'],
  ['444b1ae4d6e2ef4f', '999999999999999900000'],
  ['444b1ae4d6e2ef50', '1e+21'],
  ['3eb0c6f7a0b5ed8c', '9.999999999999997e-7'],
  ['3eb0c6f7a0b5ed8d', '0.000001'],
  ['41b3de4355555553', '333333333.3333332'],
  ['41b3de4355555554', '333333333.33333325'],
  ['41b3de4355555555', '333333333.3333333'],
  ['41b3de4355555556', '333333333.3333334'],
  ['41b3de4355555557', '333333333.33333343'],
  ['becbf647612f3696', '-0.0000033333333333333333'],
  ['43143ff3c1cb0959', '1424953923781206.2'],
];

function fromBits(hex: string): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setBigUint64(0, BigInt(`0x${hex}`));
  return view.getFloat64(0);
}

describe('canonicalize (RFC 8785)', () => {
  it.each(FILES)('matches the reference output for %s.json', (_name, input, output) => {
    expect(canonicalize(JSON.parse(input))).toBe(output);
  });

  it.each(NUMBERS)('serializes the double %s as %s', (bits, expected) => {
    expect(canonicalize(fromBits(bits))).toBe(expected);
  });

  it.each([
    ['7fffffffffffffff', 'NaN'],
    ['7ff0000000000000', 'Infinity'],
    ['fff0000000000000', '-Infinity'],
  ])('refuses the double %s (%s)', (bits) => {
    expect(() => canonicalize({ n: [fromBits(bits)] })).toThrow(CanonicalJsonError);
  });

  it('sorts keys by UTF-16 code units, not code points', () => {
    // U+FB33 (one unit 0xFB33) sorts after U+1F602 (surrogates 0xD83D 0xDE02) in UTF-16 order.
    expect(canonicalize({ '\ufb33': 1, '\u{1f602}': 2 })).toBe('{"\u{1f602}":2,"\ufb33":1}');
  });

  it('gives the same bytes whatever the member order', () => {
    const a = canonicalBytes({ b: [1, { y: 2, x: 1 }], a: 'é' });
    const b = canonicalBytes({ a: 'é', b: [1, { x: 1, y: 2 }] });
    expect(Buffer.from(a).toString('utf8')).toBe('{"a":"é","b":[1,{"x":1,"y":2}]}');
    expect(Buffer.from(b)).toEqual(Buffer.from(a));
  });

  it.each([
    ['a lone surrogate', { s: '\ud800' }],
    ['a class instance', { d: new Date(0) }],
    ['a bigint', { n: 1n }],
    ['a function', { f: () => 1 }],
    ['undefined in an array', [undefined]],
  ])('refuses %s', (_what, value) => {
    expect(() => canonicalize(value)).toThrow(CanonicalJsonError);
  });

  it('drops undefined members as JSON.stringify does', () => {
    expect(canonicalize({ a: undefined, b: null })).toBe('{"b":null}');
  });

  it('names the error code and category', () => {
    try {
      canonicalize({ x: Number.NaN });
      throw new Error('no error');
    } catch (e) {
      expect(e).toMatchObject({ code: 'CANONICAL_JSON_INVALID', category: 'input' });
      expect((e as Error).message).toContain('$.x');
    }
  });
});

describe('canonicalize fast paths agree with the reference', () => {
  const nested = (depth: number): unknown =>
    depth === 0 ? { z: 1, a: 'x' } : { b: [nested(depth - 1)], a: depth };

  it.each([
    ['already ordered', { a: 1, b: [true, null, 'x'], c: { d: 1.5, e: -0 } }],
    ['unordered members', { b: 1, a: { d: 2, c: 3 } }],
    ['undefined members dropped', { b: undefined, a: 1 }],
    ['deeper than the fast path', nested(80)],
  ])('%s', (_name, value) => {
    const text = canonicalize(value);
    // Reference: sort keys recursively by UTF-16 code units, then JSON.stringify.
    const sortDeep = (v: unknown): unknown =>
      Array.isArray(v)
        ? v.map(sortDeep)
        : v && typeof v === 'object'
          ? Object.fromEntries(
              Object.keys(v)
                .sort()
                .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
                .map((k) => [k, sortDeep((v as Record<string, unknown>)[k])]),
            )
          : v;
    expect(text).toBe(JSON.stringify(sortDeep(value)));
  });

  it('refuses arrays with holes and non-finite numbers on every path', () => {
    // eslint-disable-next-line no-sparse-arrays
    expect(() => canonicalize([1, , 2])).toThrow(/not JSON/);
    expect(() => canonicalize({ a: 1, b: Number.NaN })).toThrow(/not a JSON number/);
    expect(() => canonicalize({ b: 1, a: [Infinity] })).toThrow(/\$\.a\[0\]/);
  });
});
