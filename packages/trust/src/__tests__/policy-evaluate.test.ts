import { DEFAULT_POLICY } from '../policy/default-policy.ts';
import { evaluateGate, evaluateSubject } from '../policy/evaluate.ts';
import { parsePolicy } from '../policy/parse.ts';
import { resolveSubject, type IndexedEntry } from '../resolve.ts';
import type { Policy } from '../policy/types.ts';
import { A, B, C, NOW, assert, daysAgo, revoke } from './fixtures.ts';

const KEY1 = '1'.repeat(64);
const KEY2 = '2'.repeat(64);

const DESIGN = `version: 1
require:
  - {identity: ci, status: trusted}
  - {role: qa, status: trusted, min: 2}
block:
  - {status: untrusted}
  - {role: pm, status: unsupported}
`;

interface Case {
  name: string;
  policy: string | Policy;
  entries: IndexedEntry[];
  revocations?: IndexedEntry[];
  asOfSize?: number;
  decision: 'allow' | 'block';
  code: number;
  /** Each pattern must match the reason at the same position. */
  reasons?: (string | RegExp)[];
}

const ciOk = () => assert(1, 'ci', 'trusted');
const qa = (i: number, name: string, status = 'trusted') => assert(i, name, status, { role: 'qa' });

const CASES: Case[] = [
  {
    name: 'DESIGN policy: all met',
    policy: DESIGN,
    entries: [ciOk(), qa(2, 'qa-alice'), qa(3, 'qa-bob')],
    decision: 'allow',
    code: 0,
    reasons: [
      'allowed: rule require[0] (identity ci, status trusted) needs 1, found 1: ci',
      'allowed: rule require[1] (role qa, status trusted, min 2) needs 2, found 2: qa-alice, qa-bob',
    ],
  },
  {
    name: 'N-of-M: one approval of two is not enough',
    policy: DESIGN,
    entries: [ciOk(), qa(2, 'qa-alice')],
    decision: 'block',
    code: 2,
    reasons: [
      'blocked: rule require[1] (role qa, status trusted, min 2) needs 2, found 1: qa-alice',
    ],
  },
  {
    name: 'N-of-M counts distinct identities, not assertions',
    policy: DESIGN,
    entries: [ciOk(), qa(2, 'qa-alice'), qa(3, 'qa-alice'), qa(4, 'qa-alice')],
    decision: 'block',
    code: 2,
  },
  {
    name: 'N-of-M: a revised approval no longer counts',
    policy: DESIGN,
    entries: [ciOk(), qa(2, 'qa-alice'), qa(3, 'qa-bob'), qa(4, 'qa-bob', 'untrusted')],
    decision: 'block',
    code: 1,
  },
  {
    name: 'nothing asserted: unknown',
    policy: DESIGN,
    entries: [],
    decision: 'block',
    code: 2,
    reasons: [
      'blocked: rule require[0] (identity ci, status trusted) needs 1, found 0; no matching identity has asserted anything about it',
      'blocked: rule require[1] (role qa, status trusted, min 2) needs 2, found 0; no matching identity has asserted anything about it',
    ],
  },
  {
    name: 'the unmet rule says what the identity holds instead',
    policy: 'version: 1\nrequire:\n  - {identity: ci, status: trusted}\n',
    entries: [assert(8, 'ci', 'unsupported')],
    decision: 'block',
    code: 2,
    reasons: [
      'blocked: rule require[0] (identity ci, status trusted) needs 1, found 0; not counted: ci holds unsupported (index 8)',
    ],
  },
  {
    name: 'block is checked before require',
    policy: DESIGN,
    entries: [
      ciOk(),
      qa(2, 'qa-alice'),
      qa(3, 'qa-bob'),
      assert(4711, 'trivy', 'untrusted', { role: 'scanner', reason: 'CVE-2026-1234' }),
    ],
    decision: 'block',
    code: 1,
    reasons: [
      'blocked: rule block[0] (status untrusted): identity `trivy` (role scanner) marked it untrusted at index 4711: CVE-2026-1234',
    ],
  },
  {
    name: 'the first matching block rule in file order sets the code',
    policy: 'version: 1\nblock:\n  - {role: pm, status: unsupported}\n  - {status: untrusted}\n',
    entries: [
      assert(1, 'trivy', 'untrusted', { role: 'scanner' }),
      assert(2, 'pm-eve', 'unsupported', { role: 'pm' }),
    ],
    decision: 'block',
    code: 3,
    reasons: [
      /^blocked: rule block\[0\] \(role pm, status unsupported\): identity `pm-eve` \(role pm\) marked it unsupported at index 2$/,
      /`trivy`/,
    ],
  },
  {
    name: 'file order, the other way round',
    policy: 'version: 1\nblock:\n  - {status: untrusted}\n  - {role: pm, status: unsupported}\n',
    entries: [
      assert(1, 'trivy', 'untrusted', { role: 'scanner' }),
      assert(2, 'pm-eve', 'unsupported', { role: 'pm' }),
    ],
    decision: 'block',
    code: 1,
  },
  {
    name: 'a block rule that matches nobody does not block',
    policy: 'version: 1\nblock:\n  - {role: pm, status: unsupported}\n',
    entries: [assert(1, 'ci', 'unsupported')],
    decision: 'allow',
    code: 0,
    reasons: ['allowed: no block rule matched'],
  },
  {
    name: 'block with min needs that many identities',
    policy: 'version: 1\nblock:\n  - {role: scanner, status: untrusted, min: 2}\n',
    entries: [assert(1, 'trivy', 'untrusted', { role: 'scanner', reason: 'CVE-1' })],
    decision: 'allow',
    code: 0,
  },
  {
    name: 'block with min met',
    policy: 'version: 1\nblock:\n  - {role: scanner, status: untrusted, min: 2}\n',
    entries: [
      assert(1, 'trivy', 'untrusted', { role: 'scanner', reason: 'CVE-1' }),
      assert(2, 'grype', 'untrusted', { role: 'scanner' }),
    ],
    decision: 'block',
    code: 1,
    reasons: [
      'blocked: rule block[0] (role scanner, status untrusted, min 2) needs 2, found 2: trivy at index 1 (CVE-1), grype at index 2',
    ],
  },
  {
    name: 'default policy: trusted and nothing else',
    policy: DEFAULT_POLICY,
    entries: [ciOk(), assert(2, 'qa', 'trusted')],
    decision: 'allow',
    code: 0,
  },
  {
    name: 'default policy: nothing asserted',
    policy: DEFAULT_POLICY,
    entries: [],
    decision: 'block',
    code: 2,
  },
  {
    name: 'default policy: unsupported blocks with 3',
    policy: DEFAULT_POLICY,
    entries: [ciOk(), assert(2, 'pm', 'eol', { role: 'pm' })],
    decision: 'block',
    code: 3,
  },
  {
    name: 'default policy: untrusted comes before unsupported',
    policy: DEFAULT_POLICY,
    entries: [assert(2, 'pm', 'unsupported'), assert(3, 'trivy', 'untrusted')],
    decision: 'block',
    code: 1,
  },
  {
    name: 'glob on identity names',
    policy: 'version: 1\nrequire:\n  - {identity: "github:org/*", status: trusted, min: 2}\n',
    entries: [
      assert(1, 'github:org/app', 'trusted'),
      assert(2, 'github:org/lib', 'trusted'),
      assert(3, 'github:other/app', 'trusted'),
    ],
    decision: 'allow',
    code: 0,
    reasons: [/needs 2, found 2: github:org\/app, github:org\/lib$/],
  },
  {
    name: 'glob does not cross a slash',
    policy: 'version: 1\nrequire:\n  - {identity: "github:org/*", status: trusted}\n',
    entries: [assert(1, 'github:org/app/sub', 'trusted')],
    decision: 'block',
    code: 2,
  },
  {
    name: 'glob on roles',
    policy: 'version: 1\nblock:\n  - {role: "scan*", status: untrusted}\n',
    entries: [assert(1, 'trivy', 'untrusted', { role: 'scanner' })],
    decision: 'block',
    code: 1,
  },
];

// Cases that need async fixtures (revocations) or time.
const MORE: Case[] = [
  {
    name: 'revocation: an assertion before the revocation stays trusted',
    policy: DEFAULT_POLICY,
    entries: [assert(3, 'ci', 'trusted')],
    revocations: [await revoke(5, 'ci')],
    decision: 'allow',
    code: 0,
  },
  {
    name: 'revocation: an assertion after it counts as revoked',
    policy: DEFAULT_POLICY,
    entries: [assert(3, 'qa', 'trusted'), assert(6, 'ci', 'trusted')],
    revocations: [await revoke(5, 'ci', 'key leaked')],
    decision: 'block',
    code: 4,
    reasons: [
      'blocked: rule block[2] (status revoked): identity `ci` (role pipeline) was revoked at index 5 (key leaked); its later assertion at index 6 (trusted) counts as revoked',
    ],
  },
  {
    name: 'revocation: a revoked identity no longer meets require',
    policy: 'version: 1\nrequire:\n  - {identity: ci, status: trusted}\n',
    entries: [assert(6, 'ci', 'trusted')],
    revocations: [await revoke(5, 'ci')],
    decision: 'block',
    code: 2,
    reasons: [/not counted: ci holds revoked \(index 6\)/],
  },
  {
    name: 'time travel: as of size 6 the later untrusted did not exist',
    policy: DEFAULT_POLICY,
    entries: [assert(3, 'ci', 'trusted'), assert(6, 'trivy', 'untrusted')],
    asOfSize: 6,
    decision: 'allow',
    code: 0,
  },
  {
    name: 'time travel: as of size 7 it did',
    policy: DEFAULT_POLICY,
    entries: [assert(3, 'ci', 'trusted'), assert(6, 'trivy', 'untrusted')],
    asOfSize: 7,
    decision: 'block',
    code: 1,
  },
  {
    name: 'time travel: before the revocation the identity was fine',
    policy: DEFAULT_POLICY,
    entries: [assert(3, 'ci', 'trusted'), assert(9, 'ci', 'trusted')],
    revocations: [await revoke(5, 'ci')],
    asOfSize: 5,
    decision: 'allow',
    code: 0,
  },
  {
    name: 'maxAge: a recent approval counts',
    policy: 'version: 1\nrequire:\n  - {role: qa, status: trusted, maxAge: 30d}\n',
    entries: [assert(1, 'qa-alice', 'trusted', { role: 'qa', time: daysAgo(29) })],
    decision: 'allow',
    code: 0,
  },
  {
    name: 'maxAge: an old approval is ignored',
    policy: 'version: 1\nrequire:\n  - {role: qa, status: trusted, maxAge: 30d}\n',
    entries: [assert(1, 'qa-alice', 'trusted', { role: 'qa', time: daysAgo(31) })],
    decision: 'block',
    code: 2,
    reasons: [/not counted: qa-alice trusted at index 1 \(.*\) is older than 30d$/],
  },
  {
    name: 'maxAge on a block rule: an old finding no longer blocks',
    policy: 'version: 1\nblock:\n  - {role: scanner, status: untrusted, maxAge: 12h}\n',
    entries: [assert(1, 'trivy', 'untrusted', { role: 'scanner', time: daysAgo(1) })],
    decision: 'allow',
    code: 0,
  },
  {
    name: 'maxAge: a time that does not parse does not count for require',
    policy: 'version: 1\nrequire:\n  - {role: qa, status: trusted, maxAge: 30d}\n',
    entries: [assert(1, 'qa-alice', 'trusted', { role: 'qa', time: 'yesterday' })],
    decision: 'block',
    code: 2,
  },
  {
    name: 'maxAge: a time that does not parse still blocks',
    policy: 'version: 1\nblock:\n  - {role: scanner, status: untrusted, maxAge: 12h}\n',
    entries: [assert(1, 'trivy', 'untrusted', { role: 'scanner', time: 'yesterday' })],
    decision: 'block',
    code: 1,
  },
  {
    name: 'signedBy: a signature by a listed key counts',
    policy: `version: 1\nrequire:\n  - {identity: ci, status: trusted, signedBy: [${KEY2}, ${KEY1}]}\n`,
    entries: [assert(1, 'ci', 'trusted', { keys: [KEY1] })],
    decision: 'allow',
    code: 0,
  },
  {
    name: 'signedBy: unsigned does not count',
    policy: `version: 1\nrequire:\n  - {identity: ci, status: trusted, signedBy: [${KEY1}]}\n`,
    entries: [assert(1, 'ci', 'trusted')],
    decision: 'block',
    code: 2,
    reasons: [/carries no signature verified with a signedBy key/],
  },
  {
    name: 'signedBy: another key does not count',
    policy: `version: 1\nrequire:\n  - {identity: ci, status: trusted, signedBy: [${KEY1}]}\n`,
    entries: [assert(1, 'ci', 'trusted', { keys: [KEY2] })],
    decision: 'block',
    code: 2,
    reasons: [/is signed by another key/],
  },
  {
    name: 'signedBy: a newer unsigned assertion replaces an older signed one',
    policy: `version: 1\nrequire:\n  - {identity: ci, status: trusted, signedBy: [${KEY1}]}\n`,
    entries: [assert(1, 'ci', 'trusted', { keys: [KEY1] }), assert(2, 'ci', 'trusted')],
    decision: 'block',
    code: 2,
  },
  {
    name: 'signedBy with min: two identities with one key count once',
    policy: `version: 1\nrequire:\n  - {role: qa, status: trusted, min: 2, signedBy: [${KEY1}, ${KEY2}]}\n`,
    entries: [
      assert(1, 'qa-alice', 'trusted', { role: 'qa', keys: [KEY1] }),
      assert(2, 'qa-mallory', 'trusted', { role: 'qa', keys: [KEY1] }),
    ],
    decision: 'block',
    code: 2,
    reasons: [
      /needs 2, found 1: qa-alice; not counted: qa-mallory is signed by a key already counted/,
    ],
  },
  {
    name: 'signedBy with min: two identities with two keys',
    policy: `version: 1\nrequire:\n  - {role: qa, status: trusted, min: 2, signedBy: [${KEY1}, ${KEY2}]}\n`,
    entries: [
      assert(1, 'qa-alice', 'trusted', { role: 'qa', keys: [KEY1] }),
      assert(2, 'qa-bob', 'trusted', { role: 'qa', keys: [KEY2, KEY1] }),
    ],
    decision: 'allow',
    code: 0,
  },
  {
    name: 'ci: verified claims are matched with globs',
    policy:
      'version: 1\nrequire:\n  - status: trusted\n    ci: {ref: "refs/heads/**", repository: org/app}\n',
    entries: [
      assert(1, 'gh', 'trusted', {
        claims: { auth: 'oidc', ref: 'refs/heads/release/1.0', repository: 'org/app' },
      }),
    ],
    decision: 'allow',
    code: 0,
  },
  {
    name: 'ci: a claim that does not match',
    policy: 'version: 1\nrequire:\n  - status: trusted\n    ci: {ref: refs/heads/main}\n',
    entries: [assert(1, 'gh', 'trusted', { claims: { ref: 'refs/heads/dev' } })],
    decision: 'block',
    code: 2,
    reasons: [/not counted: gh ref is refs\/heads\/dev, not refs\/heads\/main/],
  },
  {
    name: 'ci: without a claim, the assertion CI context (with aliases) is used',
    policy:
      'version: 1\nrequire:\n  - status: trusted\n    ci: {repository: [org/lib, org/app], ref: refs/heads/main}\n',
    entries: [
      assert(1, 'ci', 'trusted', {
        ci: { provider: 'gitlab', project: 'org/app', ref: 'refs/heads/main' },
      }),
    ],
    decision: 'allow',
    code: 0,
  },
  {
    name: 'ci: a condition on something not recorded fails',
    policy:
      'version: 1\nrequire:\n  - status: trusted\n    ci: {workflow_ref: "org/app/.github/workflows/release.yml@*"}\n',
    entries: [assert(1, 'ci', 'trusted')],
    decision: 'block',
    code: 2,
    reasons: [/workflow_ref is not recorded/],
  },
  {
    name: 'ci: claims win over the self-reported context',
    policy: 'version: 1\nrequire:\n  - status: trusted\n    ci: {ref: refs/heads/main}\n',
    entries: [
      assert(1, 'gh', 'trusted', {
        claims: { ref: 'refs/heads/fork' },
        ci: { provider: 'github', project: 'org/app', ref: 'refs/heads/main' },
      }),
    ],
    decision: 'block',
    code: 2,
  },
  {
    // Issue 14 item 2: legal signed `untrusted` after `trusted`; its older `trusted` signature,
    // recorded later (a replay), must not count as newer than the later signature.
    name: 'signedBy: an older signature recorded later does not replace a newer one',
    policy: `version: 1\nrequire:\n  - {status: trusted, signedBy: [${KEY1}]}\n`,
    entries: [
      assert(1, 'legal', 'untrusted', { keys: [KEY1], signedAt: daysAgo(1) }),
      assert(2, 'legal', 'trusted', { keys: [KEY1], signedAt: daysAgo(2) }),
    ],
    decision: 'block',
    code: 2,
    reasons: [/not counted: legal holds untrusted \(index 1\)/],
  },
  {
    name: 'signedBy with maxAge: age is measured from the signing time',
    policy: `version: 1\nrequire:\n  - {status: trusted, maxAge: 7d, signedBy: [${KEY1}]}\n`,
    entries: [
      assert(1, 'legal', 'trusted', { keys: [KEY1], signedAt: daysAgo(30), time: daysAgo(1) }),
    ],
    decision: 'block',
    code: 2,
  },
  {
    name: 'signedBy: a newer signature replaces an older one',
    policy: `version: 1\nrequire:\n  - {status: trusted, signedBy: [${KEY1}]}\n`,
    entries: [
      assert(1, 'legal', 'untrusted', { keys: [KEY1], signedAt: daysAgo(2) }),
      assert(2, 'legal', 'trusted', { keys: [KEY1], signedAt: daysAgo(1) }),
    ],
    decision: 'allow',
    code: 0,
  },
  {
    // Issue 14 item 1: a GitLab token for tools/evil has no `repository` claim; the client-written
    // predicate.ci.project must not stand in for it when the rule says `auth: oidc`.
    name: 'ci with auth: oidc: a missing claim is no match, the client-written context is ignored',
    policy:
      'version: 1\nrequire:\n  - status: trusted\n    ci: {repository: acme/widgets, workflow_ref: "acme/widgets/**", auth: oidc}\n',
    entries: [
      assert(1, 'gitlab:tools/evil', 'trusted', {
        claims: {
          auth: 'oidc',
          project_path: 'tools/evil',
          ci_config_ref_uri: 'gitlab.com/tools/evil//.gitlab-ci.yml@refs/heads/main',
        },
        ci: {
          provider: 'github',
          project: 'acme/widgets',
          workflowRef: 'acme/widgets/.github/workflows/release.yml@refs/heads/main',
        },
      }),
    ],
    decision: 'block',
    code: 2,
    reasons: [/not counted: gitlab:tools\/evil repository is not a verified claim/],
  },
  {
    name: 'ci with auth: oidc: met by the verified claims of a GitHub token',
    policy:
      'version: 1\nrequire:\n  - status: trusted\n    ci: {repository: acme/widgets, workflow_ref: "acme/widgets/**", auth: oidc}\n',
    entries: [
      assert(1, 'github:acme/widgets', 'trusted', {
        claims: {
          auth: 'oidc',
          repository: 'acme/widgets',
          workflow_ref: 'acme/widgets/.github/workflows/release.yml@refs/heads/main',
        },
      }),
    ],
    decision: 'allow',
    code: 0,
  },
];

describe('evaluateSubject', () => {
  it.each([...CASES, ...MORE])('$name', async (c) => {
    const policy = typeof c.policy === 'string' ? await parsePolicy(c.policy) : c.policy;
    const resolved = resolveSubject(A, c.entries, c.revocations, { asOfSize: c.asOfSize });
    const decision = evaluateSubject(policy, resolved, { now: NOW, subject: 'app.tar' });
    expect({ decision: decision.decision, code: decision.code }).toEqual({
      decision: c.decision,
      code: c.code,
    });
    expect(decision.reasons.length).toBeGreaterThan(0);
    for (const [i, pattern] of (c.reasons ?? []).entries()) {
      if (typeof pattern === 'string') expect(decision.reasons[i]).toBe(pattern);
      else expect(decision.reasons[i]).toMatch(pattern);
    }
    if (
      c.reasons &&
      typeof c.reasons[0] === 'string' &&
      c.reasons.every((r) => typeof r === 'string')
    ) {
      expect(decision.reasons).toHaveLength(c.reasons.length);
    }
  });
});

describe('evaluateGate', () => {
  const policy = DEFAULT_POLICY;
  const entries = [
    assert(1, 'ci', 'trusted', { digests: [A, B, C] }),
    assert(2, 'pm', 'unsupported', { digests: [B] }),
    assert(3, 'trivy', 'untrusted', { digests: [C] }),
  ];

  it('allows only when every subject is allowed', () => {
    const gate = evaluateGate(policy, [{ subject: 'a', digest: A, entries }], { now: NOW });
    expect(gate).toEqual({
      decision: 'allow',
      code: 0,
      subjects: [
        {
          subject: 'a',
          digest: A,
          decision: 'allow',
          code: 0,
          reasons: ['allowed: rule require[0] (status trusted) needs 1, found 1: ci'],
          identities: { ci: 'trusted' },
        },
      ],
    });
  });

  it('takes the code of the first blocked subject', () => {
    const gate = evaluateGate(
      policy,
      [
        { subject: 'a', digest: A, entries },
        { subject: 'c', digest: C, entries },
        { subject: 'b', digest: B, entries },
      ],
      { now: NOW },
    );
    expect(gate.decision).toBe('block');
    expect(gate.code).toBe(1);
    expect(gate.subjects.map((s) => [s.subject, s.decision, s.code])).toEqual([
      ['a', 'allow', 0],
      ['c', 'block', 1],
      ['b', 'block', 3],
    ]);
    expect(gate.subjects[1]?.identities).toEqual({ ci: 'trusted', trivy: 'untrusted' });
  });

  it('applies revocations and the size cut to every subject', async () => {
    const revocations = [await revoke(4, 'ci')];
    const later = [...entries, assert(5, 'ci', 'trusted', { digests: [A] })];
    const now = evaluateGate(policy, [{ subject: 'a', digest: A, entries: later }], {
      now: NOW,
      revocations,
    });
    expect([now.decision, now.code]).toEqual(['block', 4]);
    const before = evaluateGate(policy, [{ subject: 'a', digest: A, entries: later }], {
      now: NOW,
      revocations,
      asOfSize: 5,
    });
    expect([before.decision, before.code]).toEqual(['allow', 0]);
  });

  it('blocks an empty list of subjects? no: nothing to block, allow', () => {
    expect(evaluateGate(policy, [], { now: NOW })).toEqual({
      decision: 'allow',
      code: 0,
      subjects: [],
    });
  });
});
