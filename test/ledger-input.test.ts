import { canonicalize, MAX_ENTRY_BYTES, type LedgerEntry } from '@notarize/trust';
import { canonicalText, isCanonical, Ledger, LedgerError } from '@notarize/ledger';
import { entryBytes, makeEntry } from './support/ledger-fixtures.ts';
import { tempDir } from './support/ledger-helpers.ts';

const enc = new TextEncoder();

function mutate(fn: (e: Record<string, unknown> & LedgerEntry) => void): LedgerEntry {
  const e = structuredClone(makeEntry(1)) as Record<string, unknown> & LedgerEntry;
  fn(e);
  return e;
}

describe('canonical JSON fast path', () => {
  it('agrees with @notarize/trust canonicalize', () => {
    const values: unknown[] = [
      makeEntry(3),
      { b: 1, a: [1, 2.5, -0, 1e21, 1e-7, { z: null, y: true }], é: 'x', z: '\u2028', Z: '"\\' },
      { '\u{1F600}': 1, '\uFB01': 2, a: 'emoji \u{1F600}', '': 0 },
      { sorted: 1, zz: 2 },
      [],
      'plain',
      { u: undefined, k: 1 },
    ];
    for (const v of values) expect(canonicalText(v)).toBe(canonicalize(v));
  });

  it('rejects what JSON cannot hold', () => {
    expect(() => canonicalText({ a: NaN })).toThrow(LedgerError);
    expect(() => canonicalText({ a: '\ud800' })).toThrow(/surrogate/);
    expect(() => canonicalText({ a: new Date(0) })).toThrow(LedgerError);
  });

  it('tells canonical bytes from other encodings', () => {
    expect(isCanonical(entryBytes(1))).toBe(true);
    expect(isCanonical(enc.encode('{"a":1,"b":2}'))).toBe(true);
    for (const text of [
      '{"b":2,"a":1}',
      '{"a": 1}',
      '{"a":1.0}',
      '{"a":"\\u0041"}',
      '{"a":1,"a":1}',
      ' {}',
    ]) {
      expect(isCanonical(enc.encode(text))).toBe(false);
    }
  });
});

describe('append refuses bad input and leaves the log unchanged', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let ledger: Ledger;
  beforeAll(async () => {
    tmp = await tempDir();
    ledger = await Ledger.open({ dir: tmp.dir });
    await ledger.append([makeEntry(0), makeEntry(1)]);
  });
  afterAll(async () => {
    await ledger.close();
    await tmp.done();
  });

  const badBytes: [string, Uint8Array, string, RegExp][] = [
    ['invalid JSON', enc.encode('{"v":1,'), 'ENTRY_INVALID', /not valid JSON/],
    ['invalid UTF-8', new Uint8Array([0x7b, 0xff, 0x7d]), 'ENTRY_INVALID', /UTF-8/],
    [
      'non-canonical member order',
      enc.encode(JSON.stringify({ v: 1, kind: 'assertion' })),
      'ENTRY_NOT_CANONICAL',
      /canonical/,
    ],
    [
      'white space',
      enc.encode(JSON.stringify(JSON.parse(new TextDecoder().decode(entryBytes(1))), null, 1)),
      'ENTRY_NOT_CANONICAL',
      /canonical/,
    ],
    [
      'escaped characters',
      enc.encode(new TextDecoder().decode(entryBytes(1)).replace('"ci"', '"\\u0063i"')),
      'ENTRY_NOT_CANONICAL',
      /canonical/,
    ],
    ['oversize', enc.encode(`{"a":"${'x'.repeat(MAX_ENTRY_BYTES)}"}`), 'ENTRY_TOO_LARGE', /65535/],
  ];

  it.each(badBytes)('rejects %s', async (_name, bytes, code, message) => {
    const before = ledger.checkpoint();
    const error = await ledger.append(bytes).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LedgerError);
    expect(error).toMatchObject({ code, category: 'input' });
    expect((error as Error).message).toMatch(message);
    expect(ledger.checkpoint()).toEqual(before);
  });

  const badEntries: [string, LedgerEntry, RegExp][] = [
    ['v 2', mutate((e) => ((e as { v: number }).v = 2)), /v must be 1/],
    [
      'unknown kind',
      mutate((e) => ((e as { kind: string }).kind = 'gossip')),
      /kind must be one of/,
    ],
    ['no subject', mutate((e) => (e.statement.subject = [])), /at least one artifact/],
    [
      'uppercase digest',
      mutate((e) => (e.statement.subject[0]!.digest.sha256 = 'AB'.repeat(32))),
      /64 lowercase hex/,
    ],
    [
      'short digest',
      mutate((e) => (e.statement.subject[0]!.digest = { sha256: 'abc' })),
      /64 lowercase hex/,
    ],
    [
      'sha512 only',
      mutate((e) => (e.statement.subject[0]!.digest = { sha512: 'ab'.repeat(64) })),
      /sha256/,
    ],
    [
      'not in-toto',
      mutate(
        (e) => ((e.statement as { _type: string })._type = 'https://in-toto.io/Statement/v0.1'),
      ),
      /_type/,
    ],
    ['bad time', mutate((e) => (e.time = 'yesterday')), /RFC 3339/],
    ['bad date', mutate((e) => (e.time = '2026-13-45T99:00:00Z')), /RFC 3339/],
    ['no identity name', mutate((e) => (e.identity.name = '')), /identity: name/],
    ['unknown member', mutate((e) => (e.extra = 1)), /unknown member "extra"/],
    ['not JSON', mutate((e) => (e.statement.predicate = { n: Infinity })), /not JSON/],
  ];

  it.each(badEntries)('rejects an entry with %s', async (_name, entry, message) => {
    const before = ledger.checkpoint();
    const error = await ledger.append(entry).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ENTRY_INVALID', category: 'input' });
    expect((error as Error).message).toMatch(message);
    expect(ledger.checkpoint()).toEqual(before);
  });

  it('rejects a whole call when one entry is bad, naming it', async () => {
    const before = ledger.size;
    await expect(ledger.append([makeEntry(5), mutate((e) => (e.time = 'never'))])).rejects.toThrow(
      /entries\[1\]/,
    );
    expect(ledger.size).toBe(before);
    expect((await ledger.verify()).ok).toBe(true);
  });

  it('accepts canonical bytes and records equal to them alike', async () => {
    const r1 = await ledger.append(entryBytes(10));
    const r2 = await ledger.append(makeEntry(10));
    // Each append is closed by its own map head, so the two entries are not adjacent.
    const [a] = await ledger.entryBytes(r1.index, r1.index + 1);
    const [b] = await ledger.entryBytes(r2.index, r2.index + 1);
    expect(Buffer.from(a!).equals(Buffer.from(b!))).toBe(true);
  });
});
