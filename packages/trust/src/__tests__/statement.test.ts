import { createHash } from 'node:crypto';
import {
  buildAssertion,
  buildEvidence,
  buildRevocation,
  identityDigest,
  readAssertion,
  readEvidence,
  readRevocation,
  subjectDigests,
  toLedgerEntry,
  validateStatement,
} from '../statement.ts';
import {
  ASSERTION_PREDICATE_TYPE,
  EVIDENCE_PREDICATE_TYPE,
  REVOCATION_PREDICATE_TYPE,
} from '../predicates.ts';
import { A, B } from './fixtures.ts';

const ci = { provider: 'github', project: 'org/app', jobId: '42', ref: 'refs/heads/main' };

describe('buildAssertion', () => {
  it('builds an in-toto Statement v1 with the assertion predicate', () => {
    const draft = buildAssertion({
      subjects: [
        { name: 'app.tar', digest: A },
        { name: 'lib.tar', digest: B },
      ],
      status: 'eol',
      reason: 'replaced by 2.0',
      metadata: { ticket: 'REL-7' },
      ci,
    });
    expect(draft).toEqual({
      kind: 'assertion',
      statement: {
        _type: 'https://in-toto.io/Statement/v1',
        subject: [
          { name: 'app.tar', digest: { sha256: 'a'.repeat(64) } },
          { name: 'lib.tar', digest: { sha256: 'b'.repeat(64) } },
        ],
        predicateType: ASSERTION_PREDICATE_TYPE,
        predicate: {
          status: 'unsupported',
          reason: 'replaced by 2.0',
          metadata: { ticket: 'REL-7' },
          ci,
        },
      },
    });
    expect(subjectDigests(draft.statement)).toEqual([A, B]);
  });

  it('leaves out what was not given', () => {
    const draft = buildAssertion({ subjects: [{ name: 'x', digest: A }], status: 'trusted' });
    expect(draft.statement.predicate).toEqual({ status: 'trusted' });
  });

  it.each([
    [
      'a digest that is not sha256:<hex>',
      { subjects: [{ name: 'x', digest: 'sha256:ABC' }], status: 'trusted' },
      'DIGEST_INVALID',
    ],
    ['no subjects', { subjects: [], status: 'trusted' }, 'STATEMENT_INVALID'],
    [
      'a status nobody can assert',
      { subjects: [{ name: 'x', digest: A }], status: 'revoked' },
      'STATUS_INVALID',
    ],
    [
      'metadata that is not string -> string',
      {
        subjects: [{ name: 'x', digest: A }],
        status: 'trusted',
        metadata: { n: 1 as unknown as string },
      },
      'STATEMENT_INVALID',
    ],
    [
      'a CI context without project',
      {
        subjects: [{ name: 'x', digest: A }],
        status: 'trusted',
        ci: { provider: 'github' } as typeof ci,
      },
      'STATEMENT_INVALID',
    ],
  ])('refuses %s', (_what, input, code) => {
    expect(() => buildAssertion(input)).toThrow(
      expect.objectContaining({ code, category: 'input' }),
    );
  });
});

describe('buildEvidence', () => {
  const file = { name: 'sbom.json', mediaType: 'application/spdx+json', size: 1234, digest: B };

  it('names the artifacts as subjects and the file in the predicate', () => {
    const draft = buildEvidence({ subjects: [{ name: 'app.tar', digest: A }], ci, file });
    expect(draft.kind).toBe('evidence');
    expect(draft.statement.predicateType).toBe(EVIDENCE_PREDICATE_TYPE);
    expect(draft.statement.subject).toEqual([
      { name: 'app.tar', digest: { sha256: 'a'.repeat(64) } },
    ]);
    expect(draft.statement.predicate).toEqual({ ci, file });
  });

  it('makes the file its own subject when no artifact is named', () => {
    const draft = buildEvidence({ ci, file });
    expect(subjectDigests(draft.statement)).toEqual([B]);
  });

  it('refuses a negative size', () => {
    expect(() => buildEvidence({ ci, file: { ...file, size: -1 } })).toThrow(/file.size/);
  });
});

describe('buildRevocation', () => {
  it('uses SHA-256 of "identity:<name>" as the subject digest', async () => {
    const draft = await buildRevocation({ identity: 'trivy', reason: 'token leaked' });
    const hex = createHash('sha256').update('identity:trivy').digest('hex');
    expect(draft.statement.subject).toEqual([{ name: 'identity:trivy', digest: { sha256: hex } }]);
    expect(draft.statement.predicateType).toBe(REVOCATION_PREDICATE_TYPE);
    expect(draft.statement.predicate).toEqual({ identity: 'trivy', reason: 'token leaked' });
    expect(await identityDigest('trivy')).toBe(`sha256:${hex}`);
  });

  it('refuses an empty identity', async () => {
    await expect(buildRevocation({ identity: '', reason: 'x' })).rejects.toMatchObject({
      code: 'STATEMENT_INVALID',
    });
  });
});

describe('validateStatement and readers', () => {
  const identity = { name: 'ci', role: 'pipeline', auth: 'apikey' as const };
  const time = '2026-11-23T12:00:00Z';

  it('reads back what the builders made', async () => {
    const a = toLedgerEntry(
      buildAssertion({ subjects: [{ name: 'x', digest: A }], status: 'untrusted' }),
      { identity, time },
    );
    expect(readAssertion(a)).toEqual({ status: 'untrusted' });
    const e = toLedgerEntry(
      buildEvidence({ ci, file: { name: 'log', mediaType: 'text/plain', size: 0, digest: A } }),
      { identity, time },
    );
    expect(readEvidence(e).ci.jobId).toBe('42');
    const r = toLedgerEntry(await buildRevocation({ identity: 'x', reason: 'y' }), {
      identity,
      time,
    });
    expect(readRevocation(r).identity).toBe('x');
    expect(() => readAssertion(r)).toThrow(/expected a assertion entry/);
  });

  it('refuses unknown predicate members and reports where', () => {
    const { statement } = buildAssertion({
      subjects: [{ name: 'x', digest: A }],
      status: 'trusted',
    });
    const bad = { ...statement, predicate: { status: 'trusted', colour: 'red' } };
    expect(() => validateStatement('assertion', bad)).toThrow(/predicate: unknown key "colour"/);
  });

  it('refuses a predicate version it does not know, asking for an upgrade', () => {
    const { statement } = buildAssertion({
      subjects: [{ name: 'x', digest: A }],
      status: 'trusted',
    });
    const v2 = { ...statement, predicateType: 'https://notarize-action.dev/assertion/v2' };
    expect(() => validateStatement('assertion', v2)).toThrow(
      expect.objectContaining({
        code: 'ENTRY_UNSUPPORTED',
        message: expect.stringContaining('upgrade'),
      }),
    );
  });
});
