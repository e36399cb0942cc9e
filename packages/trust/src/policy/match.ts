/**
 * Whether one identity's resolved status satisfies one rule, and if not, why, in words a person can
 * act on. Rules see only an identity's latest assertion: a newer unsigned or off-branch assertion
 * replaces an older signed one, it never falls back to it.
 */
import type { IdentityStatus } from '../resolve.ts';
import { globMatch } from './glob.ts';
import type { PolicyRule } from './types.ts';

/** Short names for CI conditions, mapped onto the CiContext field that holds the same thing. */
export const CI_ALIASES: Readonly<Record<string, string>> = Object.freeze({
  repository: 'project',
  project_path: 'project',
  sha: 'commit',
  workflow_ref: 'workflowRef',
  pipeline_id: 'pipelineId',
  job_id: 'jobId',
});

/**
 * Whether a rule's `ci:` conditions may only be met by claims the ledger verified: any rule that
 * conditions on `auth` (e.g. `auth: oidc`). Such a rule never reads the assertion's own `ci`
 * context, which the client writes.
 */
export function verifiedOnly(rule: PolicyRule): boolean {
  return rule.ci !== undefined && Object.hasOwn(rule.ci, 'auth');
}

/**
 * The value a `ci:` condition tests: the claim the ledger verified for the identity (e.g. OIDC
 * `repository`, `ref`), else — unless `claimsOnly` — the assertion's own CI context (under the key
 * or its alias). A claim is never translated between CIs: a GitLab token has `project_path`, not
 * `repository`, and a missing claim is no match.
 */
export function conditionValue(
  s: IdentityStatus,
  key: string,
  claimsOnly = false,
): string | undefined {
  const claim = Object.hasOwn(s.claims, key) ? s.claims[key] : undefined;
  if (typeof claim === 'string' || typeof claim === 'number' || typeof claim === 'boolean') {
    return String(claim);
  }
  if (claimsOnly) return undefined;
  const ci = s.ci as Record<string, unknown> | undefined;
  const value = ci?.[key] ?? ci?.[CI_ALIASES[key] ?? key];
  return typeof value === 'string' ? value : undefined;
}

/** The rule's identity and role selectors: which identities the rule is about at all. */
export function selects(rule: PolicyRule, s: IdentityStatus): boolean {
  if (rule.identity !== undefined && !globMatch(rule.identity, s.identity)) return false;
  if (rule.role !== undefined && !globMatch(rule.role, s.role)) return false;
  return true;
}

/**
 * Why a selected identity does not count for the rule, or undefined when it does.
 * `now` is what maxAge is measured against.
 */
export function whyNot(rule: PolicyRule, s: IdentityStatus, now: Date): string | undefined {
  if (s.status !== rule.status) return `holds ${s.status} (index ${s.index})`;
  if (rule.maxAge) {
    // With signedBy, age is measured from the signing time: a signature recorded (again) today
    // is as old as when it was made.
    const at = Date.parse(rule.signedBy && s.signedTime !== undefined ? s.signedTime : s.time);
    // A time that does not parse cannot prove freshness: it does not count for a require rule,
    // and still counts for a block rule, so a bad timestamp never lets an artifact through.
    const tooOld = Number.isFinite(at)
      ? now.getTime() - at > rule.maxAge.ms
      : !rule.where.startsWith('block');
    if (tooOld) {
      return `${s.status} at index ${s.index} (${s.time}) is older than ${rule.maxAge.text}`;
    }
  }
  if (rule.signedBy && !s.verifiedKeyIds.some((id) => rule.signedBy?.includes(id))) {
    return s.verifiedKeyIds.length === 0
      ? `${s.status} at index ${s.index} carries no signature verified with a signedBy key (if it is signed, give the gate the signer's public key: --trusted-key FILE)`
      : `${s.status} at index ${s.index} is signed by another key (${s.verifiedKeyIds.join(', ')})`;
  }
  const claimsOnly = verifiedOnly(rule);
  for (const [key, patterns] of Object.entries(rule.ci ?? {})) {
    const value = conditionValue(s, key, claimsOnly);
    if (value === undefined || !patterns.some((p) => globMatch(p, value))) {
      const missing = claimsOnly ? 'not a verified claim' : 'not recorded';
      return `${key} is ${value === undefined ? missing : value}, not ${patterns.join(' or ')}`;
    }
  }
  return undefined;
}

export function matches(rule: PolicyRule, s: IdentityStatus, now: Date): boolean {
  return selects(rule, s) && whyNot(rule, s, now) === undefined;
}

/** `(identity ci, status trusted, min 2)`: the rule as reasons quote it. */
export function describeRule(rule: PolicyRule): string {
  const parts: string[] = [];
  if (rule.identity !== undefined) parts.push(`identity ${rule.identity}`);
  if (rule.role !== undefined) parts.push(`role ${rule.role}`);
  parts.push(`status ${rule.status}`);
  if (rule.min !== 1) parts.push(`min ${rule.min}`);
  if (rule.maxAge) parts.push(`maxAge ${rule.maxAge.text}`);
  if (rule.signedBy) parts.push(`signedBy ${rule.signedBy.map((k) => k.slice(0, 12)).join('|')}`);
  for (const [k, v] of Object.entries(rule.ci ?? {})) parts.push(`${k} ${v.join('|')}`);
  return `(${parts.join(', ')})`;
}

/** "identity `trivy` (role scanner) marked it untrusted at index 4711: CVE-2026-1234". */
export function describeAssertion(s: IdentityStatus): string {
  const who = `identity \`${s.identity}\` (role ${s.role})`;
  const why = s.reason ? `: ${s.reason}` : '';
  if (s.status === 'revoked' && s.revocation) {
    const revokedWhy = s.revocation.reason ? ` (${s.revocation.reason})` : '';
    return (
      `${who} was revoked at index ${s.revocation.index}${revokedWhy}; ` +
      `its later assertion at index ${s.index} (${s.asserted}) counts as revoked`
    );
  }
  return `${who} marked it ${s.status} at index ${s.index}${why}`;
}
