import { identityStatusMap, resolveSubject, type IndexedEntry } from '../resolve.ts';
import type { TrustStatus } from '../status.ts';
import { buildEvidence, toLedgerEntry } from '../statement.ts';
import { A, B, assert, revoke } from './fixtures.ts';

function evidence(index: number, identity: string): IndexedEntry {
  const draft = buildEvidence({
    subjects: [{ name: 'app', digest: A }],
    ci: { provider: 'github', project: 'org/app', jobId: '1' },
    file: { name: 'log.txt', mediaType: 'text/plain', size: 3, digest: B },
  });
  const identityRecord = { name: identity, role: 'pipeline', auth: 'apikey' as const };
  return {
    index,
    entry: toLedgerEntry(draft, { identity: identityRecord, time: '2026-11-23T12:00:00Z' }),
  };
}

interface Case {
  name: string;
  entries: IndexedEntry[];
  revocations?: IndexedEntry[];
  asOfSize?: number;
  digest?: string;
  expected: Record<string, TrustStatus>;
}

async function makeCases(): Promise<Case[]> {
  return [
    { name: 'no assertions', entries: [], expected: {} },
    {
      name: 'latest assertion by index wins, whatever the input order',
      entries: [
        assert(9, 'ci', 'untrusted'),
        assert(3, 'ci', 'trusted'),
        assert(5, 'qa', 'trusted'),
      ],
      expected: { ci: 'untrusted', qa: 'trusted' },
    },
    {
      name: 'revising one digest changes nothing for another',
      entries: [
        assert(1, 'ci', 'trusted', { digests: [A, B] }),
        assert(2, 'ci', 'untrusted', { digests: [B] }),
      ],
      expected: { ci: 'trusted' },
    },
    {
      name: 'the other digest sees the revision',
      digest: B,
      entries: [
        assert(1, 'ci', 'trusted', { digests: [A, B] }),
        assert(2, 'ci', 'untrusted', { digests: [B] }),
      ],
      expected: { ci: 'untrusted' },
    },
    {
      name: 'evidence and revocation entries are not assertions',
      entries: [assert(1, 'ci', 'trusted'), await revoke(2, 'ci'), evidence(3, 'ci')],
      expected: { ci: 'trusted' },
    },
    {
      name: 'assertions before a revocation stay as they were',
      entries: [assert(1, 'ci', 'trusted'), assert(2, 'qa', 'trusted')],
      revocations: [await revoke(5, 'ci')],
      expected: { ci: 'trusted', qa: 'trusted' },
    },
    {
      name: 'assertions after a revocation count as revoked',
      entries: [
        assert(1, 'ci', 'untrusted'),
        assert(6, 'ci', 'trusted'),
        assert(7, 'qa', 'trusted'),
      ],
      revocations: [await revoke(5, 'ci')],
      expected: { ci: 'revoked', qa: 'trusted' },
    },
    {
      name: 'the earliest revocation applies',
      entries: [assert(6, 'ci', 'trusted')],
      revocations: [await revoke(9, 'ci'), await revoke(4, 'ci')],
      expected: { ci: 'revoked' },
    },
    {
      name: 'time travel: a size cut hides later assertions',
      entries: [
        assert(1, 'ci', 'trusted'),
        assert(10, 'ci', 'untrusted'),
        assert(11, 'qa', 'trusted'),
      ],
      asOfSize: 10,
      expected: { ci: 'trusted' },
    },
    {
      name: 'time travel: a size cut hides later revocations',
      entries: [assert(1, 'ci', 'trusted'), assert(8, 'ci', 'trusted')],
      revocations: [await revoke(5, 'ci')],
      asOfSize: 6,
      expected: { ci: 'trusted' },
    },
    {
      name: 'time travel: the entry at index N is outside size N',
      entries: [assert(0, 'ci', 'trusted'), assert(4, 'ci', 'untrusted')],
      asOfSize: 4,
      expected: { ci: 'trusted' },
    },
  ];
}

// Top-level await: the table holds revocations, whose builder is async (WebCrypto SHA-256).
const cases = await makeCases();

describe('resolveSubject', () => {
  it.each(cases)('$name', (c) => {
    const resolved = resolveSubject(c.digest ?? A, c.entries, c.revocations, {
      asOfSize: c.asOfSize,
    });
    expect(identityStatusMap(resolved)).toEqual(c.expected);
  });

  it('keeps the details a reason needs and orders identities by index', async () => {
    const resolved = resolveSubject(
      A,
      [
        assert(12, 'trivy', 'untrusted', { role: 'scanner', reason: 'CVE-1', keys: ['k1'] }),
        assert(2, 'ci', 'trusted'),
      ],
      [await revoke(10, 'trivy', 'token leaked')],
    );
    expect(resolved.identities.map((s) => s.identity)).toEqual(['ci', 'trivy']);
    expect(resolved.identities[1]).toMatchObject({
      identity: 'trivy',
      role: 'scanner',
      status: 'revoked',
      asserted: 'untrusted',
      index: 12,
      reason: 'CVE-1',
      verifiedKeyIds: ['k1'],
      revocation: { index: 10, reason: 'token leaked' },
    });
  });

  it('refuses an assertion entry it cannot read rather than guessing', () => {
    const bad = assert(1, 'ci', 'trusted');
    (bad.entry.statement.predicate as Record<string, unknown>).status = 'maybe';
    expect(() => resolveSubject(A, [bad])).toThrow(
      expect.objectContaining({ code: 'STATEMENT_INVALID' }),
    );
  });
});
