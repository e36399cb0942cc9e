/**
 * Gate decisions (docs/trust-model.md): per subject, the first matching block rule (file order)
 * blocks with its status's code; otherwise the first unmet require rule blocks with 2 (unknown);
 * otherwise allow (0). Several subjects: allow only if all are allowed, code of the first blocked.
 * reasons[0] is what decided; further reasons list every other problem, so one run shows all there
 * is to fix.
 */
import {
  identityStatusMap,
  resolveSubject,
  type IndexedEntry,
  type ResolveOptions,
  type ResolvedSubject,
} from '../resolve.ts';
import { STATUS_CODES, type TrustStatus } from '../status.ts';
import { describeAssertion, describeRule, matches, selects, whyNot } from './match.ts';
import type { Policy, PolicyRule } from './types.ts';

export type Decision = 'allow' | 'block';

/** One subject's decision; the `status`/`gate` JSON shape of docs/cli.md. */
export interface SubjectDecision {
  subject: string;
  digest: string;
  decision: Decision;
  code: number;
  reasons: string[];
  identities: Record<string, TrustStatus>;
}

export interface GateDecision {
  decision: Decision;
  code: number;
  subjects: SubjectDecision[];
}

export interface EvaluateOptions {
  /** What maxAge is measured against; default the current time. */
  now?: Date;
}

export interface GateSubject {
  /** As the user named it (file, image reference, digest). */
  subject: string;
  digest: string;
  /** The log entries that mention the digest (others are skipped). */
  entries: readonly IndexedEntry[];
}

export interface GateOptions extends EvaluateOptions, ResolveOptions {
  /** Every revocation entry in the log (they apply to all subjects). */
  revocations?: readonly IndexedEntry[];
}

/**
 * The identities that count for a rule. With `signedBy`, identities are counted only as far as
 * distinct keys back them: an envelope signs the statement, not the ledger identity, so two
 * identities presenting copies of one signed statement count once.
 */
function counted(rule: PolicyRule, resolved: ResolvedSubject, now: Date) {
  const matched = resolved.identities.filter((s) => matches(rule, s, now));
  if (!rule.signedBy) return matched;
  const keys = new Set<string>();
  return matched.filter((s) => {
    const key = s.verifiedKeyIds.find((id) => rule.signedBy?.includes(id) && !keys.has(id));
    if (key === undefined) return false;
    keys.add(key);
    return true;
  });
}

function blockReasons(rule: PolicyRule, matched: ResolvedSubject['identities']): string[] {
  // Every reason names the rule it comes from, so a summary can point at the policy's line.
  if (rule.min === 1) {
    return matched.map(
      (s) => `blocked: rule ${rule.where} ${describeRule(rule)}: ${describeAssertion(s)}`,
    );
  }
  const who = matched.map(
    (s) => `${s.identity} at index ${s.index}${s.reason ? ` (${s.reason})` : ''}`,
  );
  return [
    `blocked: rule ${rule.where} ${describeRule(rule)} needs ${rule.min}, found ${matched.length}: ${who.join(', ')}`,
  ];
}

function requireReason(
  rule: PolicyRule,
  resolved: ResolvedSubject,
  matched: ResolvedSubject['identities'],
  now: Date,
): string {
  const names = matched.map((s) => s.identity);
  let text =
    `blocked: rule ${rule.where} ${describeRule(rule)} needs ${rule.min}, found ${matched.length}` +
    (names.length > 0 ? `: ${names.join(', ')}` : '');
  const misses = resolved.identities
    .filter((s) => selects(rule, s) && !names.includes(s.identity))
    .map(
      (s) =>
        `${s.identity} ${whyNot(rule, s, now) ?? 'is signed by a key already counted for another identity'}`,
    );
  if (misses.length > 0) text += `; not counted: ${misses.join('; ')}`;
  else if (matched.length === 0) text += '; no matching identity has asserted anything about it';
  return text;
}

/** Evaluates one resolved subject against a policy. */
export function evaluateSubject(
  policy: Policy,
  resolved: ResolvedSubject,
  options: EvaluateOptions & { subject?: string } = {},
): SubjectDecision {
  const now = options.now ?? new Date();
  const reasons: string[] = [];
  let code: number | undefined;
  for (const rule of policy.block) {
    const matched = counted(rule, resolved, now);
    if (matched.length >= rule.min) {
      code ??= STATUS_CODES[rule.status];
      reasons.push(...blockReasons(rule, matched));
    }
  }
  const met: string[] = [];
  for (const rule of policy.require) {
    const matched = counted(rule, resolved, now);
    if (matched.length >= rule.min) {
      met.push(
        `allowed: rule ${rule.where} ${describeRule(rule)} needs ${rule.min}, found ${matched.length}: ` +
          matched.map((s) => s.identity).join(', '),
      );
    } else {
      code ??= STATUS_CODES.unknown;
      reasons.push(requireReason(rule, resolved, matched, now));
    }
  }
  const base = {
    subject: options.subject ?? resolved.digest,
    digest: resolved.digest,
    identities: identityStatusMap(resolved),
  };
  if (code !== undefined) return { ...base, decision: 'block', code, reasons };
  if (met.length === 0) met.push('allowed: no block rule matched');
  return { ...base, decision: 'allow', code: STATUS_CODES.trusted, reasons: met };
}

/** Resolves and evaluates every subject; allow only if all are allowed. */
export function evaluateGate(
  policy: Policy,
  subjects: readonly GateSubject[],
  options: GateOptions = {},
): GateDecision {
  const now = options.now ?? new Date();
  const decisions = subjects.map((s) =>
    evaluateSubject(policy, resolveSubject(s.digest, s.entries, options.revocations, options), {
      now,
      subject: s.subject,
    }),
  );
  return combineDecisions(decisions);
}

/** Several subjects' decisions -> the overall one (code of the first blocked subject). */
export function combineDecisions(subjects: SubjectDecision[]): GateDecision {
  const blocked = subjects.find((s) => s.decision === 'block');
  return blocked
    ? { decision: 'block', code: blocked.code, subjects }
    : { decision: 'allow', code: STATUS_CODES.trusted, subjects };
}
