/**
 * The small parts of rule matching at their edges, by exact result: glob syntax (`*` within a
 * segment, `**` across, `?` one character, everything else literal), durations, which claim or
 * CI value a condition reads, the maxAge boundary, and the words of rules and assertions that
 * reasons quote.
 */
import { parseDuration } from '../policy/duration.ts';
import { globMatch } from '../policy/glob.ts';
import { conditionValue, describeAssertion, describeRule, whyNot } from '../policy/match.ts';
import type { PolicyRule } from '../policy/types.ts';
import type { IdentityStatus } from '../resolve.ts';

const status = (over: Partial<IdentityStatus> = {}): IdentityStatus => ({
  identity: 'ci',
  role: 'pipeline',
  status: 'trusted',
  asserted: 'trusted',
  index: 7,
  time: '2026-01-01T00:00:00Z',
  claims: { name: 'ci', auth: 'apikey' } as unknown as IdentityStatus['claims'],
  verifiedKeyIds: [],
  ...over,
});
const rule = (over: Partial<PolicyRule> = {}): PolicyRule => ({
  where: 'require[0]',
  line: 3,
  status: 'trusted',
  min: 1,
  ...over,
});

describe('globMatch', () => {
  it.each([
    ['github:org/*', 'github:org/app', true],
    ['github:org/*', 'github:org/app/sub', false],
    ['refs/heads/**', 'refs/heads/a/b', true],
    ['**/main', 'refs/heads/main', true],
    ['**/main', 'refs/heads/xmain', false],
    ['release-?', 'release-1', true],
    ['release-?', 'release-10', false],
    ['release-?', 'release', false],
    ['x?', 'x🚀', true],
    ['v1.2.*', 'v1.2.3', true],
    ['v1.2.*', 'v1x2.3', false],
    ['a/**', 'a/x\ny', true],
    ['plain', 'plain', true],
    ['plain', 'plainer', false],
    ['a+b', 'a+b', true],
    ['a+b', 'aab', false],
  ])('%j ~ %j -> %s', (pattern, value, expected) => {
    expect(globMatch(pattern, value)).toBe(expected);
  });
});

describe('parseDuration', () => {
  it('reads each unit and names a bad duration', () => {
    expect(['90s', '15m', '12h', '30d', '2w'].map(parseDuration)).toEqual([
      90_000, 900_000, 43_200_000, 2_592_000_000, 1_209_600_000,
    ]);
    expect(() => parseDuration('30x')).toThrow(
      '"30x" is not a duration; write a number and a unit s, m, h, d or w (e.g. 30d)',
    );
  });
});

describe('conditionValue', () => {
  it('reads a verified claim as text, numbers and booleans included', () => {
    const s = status({
      claims: { run_attempt: 2, ref_protected: true, ref: 'main' } as never,
      ci: { project: 'acme/app' } as never,
    });
    expect(conditionValue(s, 'run_attempt')).toBe('2');
    expect(conditionValue(s, 'ref_protected')).toBe('true');
    expect(conditionValue(s, 'ref')).toBe('main');
  });

  it('falls back to the CI context, under the key or its alias, unless claims only', () => {
    const s = status({ ci: { project: 'acme/app', ref: 'main' } as never });
    expect(conditionValue(s, 'repository')).toBe('acme/app');
    expect(conditionValue(s, 'ref')).toBe('main');
    expect(conditionValue(s, 'repository', true)).toBeUndefined();
  });
});

describe('whyNot', () => {
  const now = new Date('2026-01-31T00:00:00Z');

  it('counts an assertion exactly maxAge old, not one a millisecond older', () => {
    const maxAge = { text: '30d', ms: 30 * 86_400_000 };
    expect(whyNot(rule({ maxAge }), status({ time: '2026-01-01T00:00:00.000Z' }), now)).toBe(
      undefined,
    );
    expect(whyNot(rule({ maxAge }), status({ time: '2025-12-31T23:59:59.999Z' }), now)).toBe(
      'trusted at index 7 (2025-12-31T23:59:59.999Z) is older than 30d',
    );
  });

  it('names every key that did sign when none is a signedBy key', () => {
    const r = rule({ signedBy: ['a'.repeat(64)] });
    expect(whyNot(r, status({ verifiedKeyIds: ['k1', 'k2'] }), now)).toBe(
      'trusted at index 7 is signed by another key (k1, k2)',
    );
  });
});

describe('words quoted in reasons', () => {
  it('describeRule names every condition', () => {
    const r = rule({
      identity: 'ci',
      role: 'qa',
      min: 2,
      maxAge: { text: '30d', ms: 1 },
      signedBy: ['0123456789abcdef'.repeat(4), 'fedcba9876543210'.repeat(4)],
      ci: { ref: ['main', 'release/*'], repository: ['acme/app'] },
    });
    expect(describeRule(r)).toBe(
      '(identity ci, role qa, status trusted, min 2, maxAge 30d, signedBy 0123456789ab|fedcba987654, ref main|release/*, repository acme/app)',
    );
    expect(describeRule(rule())).toBe('(status trusted)');
  });

  it('describeAssertion says who marked what, and why', () => {
    expect(describeAssertion(status({ status: 'untrusted', reason: 'CVE-2026-1' }))).toBe(
      'identity `ci` (role pipeline) marked it untrusted at index 7: CVE-2026-1',
    );
    expect(describeAssertion(status())).toBe(
      'identity `ci` (role pipeline) marked it trusted at index 7',
    );
    expect(
      describeAssertion(status({ status: 'revoked', revocation: { index: 3, reason: '' } })),
    ).toBe(
      'identity `ci` (role pipeline) was revoked at index 3; its later assertion at index 7 (trusted) counts as revoked',
    );
    expect(
      describeAssertion(
        status({ status: 'revoked', revocation: { index: 3, reason: 'key leaked' } }),
      ),
    ).toBe(
      'identity `ci` (role pipeline) was revoked at index 3 (key leaked); its later assertion at index 7 (trusted) counts as revoked',
    );
  });
});
