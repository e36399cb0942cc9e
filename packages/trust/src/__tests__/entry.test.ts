import { encodeEntry, ENTRY_VERSION, type LedgerEntry } from '../entry.ts';
import { buildAssertion, toLedgerEntry } from '../statement.ts';
import { A } from './fixtures.ts';

function entry(): LedgerEntry {
  return toLedgerEntry(
    buildAssertion({ subjects: [{ name: 'app.tar', digest: A }], status: 'trusted', reason: 'ok' }),
    { identity: { name: 'ci', role: 'pipeline', auth: 'apikey' }, time: '2026-11-23T12:00:00Z' },
  );
}

describe('encodeEntry', () => {
  it('writes the entry as RFC 8785 canonical JSON, versioned', () => {
    const text = new TextDecoder().decode(encodeEntry(entry()));
    expect(text).toBe(
      '{"identity":{"auth":"apikey","name":"ci","role":"pipeline"},"kind":"assertion",' +
        '"statement":{"_type":"https://in-toto.io/Statement/v1","predicate":{"reason":"ok","status":"trusted"},' +
        '"predicateType":"https://notarize-action.dev/assertion/v1",' +
        `"subject":[{"digest":{"sha256":"${'a'.repeat(64)}"},"name":"app.tar"}]},` +
        '"time":"2026-11-23T12:00:00Z","v":1}',
    );
    expect(ENTRY_VERSION).toBe(1);
  });

  it('does not depend on member order and round-trips through JSON', () => {
    const e = entry();
    const shuffled = Object.fromEntries(Object.entries(e).reverse()) as unknown as LedgerEntry;
    expect(Object.keys(shuffled)[0]).toBe('time');
    expect(Buffer.from(encodeEntry(shuffled))).toEqual(Buffer.from(encodeEntry(e)));
    expect(JSON.parse(new TextDecoder().decode(encodeEntry(e)))).toEqual(e);
  });

  it('keeps the envelope when there is one', () => {
    const e = toLedgerEntry(
      { kind: 'assertion', statement: entry().statement },
      {
        identity: { name: 'ci', role: 'pipeline', auth: 'local' },
        time: '2026-11-23T12:00:00Z',
        envelope: { payloadType: 'application/vnd.in-toto+json', payload: 'e30=', signatures: [] },
      },
    );
    expect(new TextDecoder().decode(encodeEntry(e))).toContain('"envelope":{"payload":"e30="');
  });
});
