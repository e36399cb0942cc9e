/**
 * resolve.ts in detail: which revocation counts (revocation entries only, within the size cut,
 * the earliest per identity, whatever the input order) and what an identity's status carries
 * (metadata, CI context, reason, the revocation only when it applies).
 */
import { resolveSubject, revocationsByIdentity, type IndexedEntry } from '../resolve.ts';
import { buildAssertion, toLedgerEntry } from '../statement.ts';
import { A, assert, daysAgo, revoke } from './fixtures.ts';

function assertWith(index: number, extra: { metadata?: Record<string, string> }): IndexedEntry {
  const draft = buildAssertion({
    subjects: [{ name: 'app', digest: A }],
    status: 'trusted',
    ...extra,
  });
  return {
    index,
    entry: toLedgerEntry(draft, {
      identity: { name: 'ci', role: 'pipeline', auth: 'apikey' },
      time: daysAgo(1),
    }),
  };
}

describe('revocationsByIdentity', () => {
  it('takes the earliest revocation of an identity, in either input order', async () => {
    const early = await revoke(5, 'ci', 'first');
    const late = await revoke(10, 'ci', 'second');
    for (const list of [
      [early, late],
      [late, early],
    ]) {
      expect([...revocationsByIdentity(list)]).toEqual([['ci', { index: 5, reason: 'first' }]]);
    }
  });

  it('counts only revocation entries, and only within the size cut', async () => {
    const list = [assert(3, 'ci', 'trusted'), await revoke(10, 'qa', 'gone')];
    expect([...revocationsByIdentity(list)]).toEqual([['qa', { index: 10, reason: 'gone' }]]);
    expect([...revocationsByIdentity(list, { asOfSize: 10 })]).toEqual([]);
    expect([...revocationsByIdentity(list, { asOfSize: 11 })]).toEqual([
      ['qa', { index: 10, reason: 'gone' }],
    ]);
  });

  it('ignores an assertion passed among the revocations when resolving', async () => {
    const resolved = resolveSubject(A, [assert(4, 'ci', 'trusted')], [assert(2, 'ci', 'trusted')]);
    expect(resolved.identities[0]).toMatchObject({ status: 'trusted' });
    expect(resolved.identities[0]!.revocation).toBeUndefined();
  });
});

describe('an identity status', () => {
  it('carries the metadata and the CI context of the assertion', () => {
    const ci = { provider: 'github', project: 'org/app', jobId: '7' };
    const [withMeta] = resolveSubject(A, [
      assertWith(1, { metadata: { ticket: 'T-1' } }),
    ]).identities;
    expect(withMeta!.metadata).toEqual({ ticket: 'T-1' });
    const [withCi] = resolveSubject(A, [assert(1, 'ci', 'trusted', { ci })]).identities;
    expect(withCi!.ci).toEqual(ci);
  });

  it('has no reason, metadata, CI context or revocation keys when there are none', async () => {
    const [status] = resolveSubject(
      A,
      [assert(1, 'ci', 'trusted')],
      [await revoke(5, 'ci', 'later')],
    ).identities;
    expect(status!.status).toBe('trusted');
    expect(Object.keys(status!).sort()).toEqual(
      [
        'asserted',
        'claims',
        'identity',
        'index',
        'role',
        'status',
        'time',
        'verifiedKeyIds',
      ].sort(),
    );
  });

  it('carries the revocation only for an assertion made after it', async () => {
    const revocation = await revoke(5, 'ci', 'leaked');
    const before = resolveSubject(A, [assert(4, 'ci', 'trusted')], [revocation]).identities[0]!;
    const after = resolveSubject(A, [assert(6, 'ci', 'trusted')], [revocation]).identities[0]!;
    expect(before.revocation).toBeUndefined();
    expect(before.status).toBe('trusted');
    expect(after).toMatchObject({
      status: 'revoked',
      asserted: 'trusted',
      revocation: { index: 5, reason: 'leaked' },
    });
  });
});
