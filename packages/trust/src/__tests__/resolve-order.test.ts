/**
 * resolveSubject does not depend on the order entries arrive in (a store may hand them over in
 * any order), reads an entry without a list of verified key ids as signed by none, and lets an
 * equally old signature not replace the one it already has.
 */
import { resolveSubject } from '../resolve.ts';
import { A, assert } from './fixtures.ts';

describe('resolveSubject', () => {
  it('takes entries in any order: the latest by log index wins, identities ordered by index', () => {
    const entries = [
      assert(10, 'ci', 'untrusted'),
      assert(5, 'ci', 'trusted'),
      assert(3, 'qa', 'trusted', { role: 'qa' }),
      assert(1, 'ci', 'trusted'),
    ];
    const resolved = resolveSubject(A, entries, []);
    // ci asserted first (index 1) but its latest is 10: qa (3) comes first.
    expect(resolved.identities.map((s) => [s.identity, s.status, s.index])).toEqual([
      ['qa', 'trusted', 3],
      ['ci', 'untrusted', 10],
    ]);
  });

  it('reads a missing list of verified key ids as none, even with a signer time', () => {
    const { verifiedKeyIds: _dropped, ...entry } = assert(4, 'ci', 'trusted', {
      signedAt: '2026-11-01T00:00:00Z',
      keys: ['k1'],
    });
    const [s] = resolveSubject(A, [entry], []).identities;
    expect(s?.verifiedKeyIds).toEqual([]);
    expect(s?.signedTime).toBeUndefined();
  });

  it('keeps the first of two assertions signed at the same time (a replay)', () => {
    const at = '2026-11-01T00:00:00Z';
    const first = assert(4, 'ci', 'trusted', { signedAt: at, keys: ['k1'] });
    const replay = assert(6, 'ci', 'untrusted', { signedAt: at, keys: ['k1'] });
    const [s] = resolveSubject(A, [first, replay], []).identities;
    expect([s?.index, s?.status, s?.signedTime]).toEqual([4, 'trusted', at]);
  });
});
