/**
 * Trust statuses and their codes (docs/trust-model.md), compatible with CodeNotary vcn's:
 * the code is also the CLI's exit code when a gate blocks.
 */
import { TrustError } from './errors.ts';

export type TrustStatus = 'trusted' | 'untrusted' | 'unknown' | 'unsupported' | 'revoked';

/** What a party can assert. `unknown` means "no assertion" and `revoked` is derived, never asserted. */
export type AssertableStatus = 'trusted' | 'untrusted' | 'unsupported';

export const STATUS_CODES: Readonly<Record<TrustStatus, number>> = Object.freeze({
  trusted: 0,
  untrusted: 1,
  unknown: 2,
  unsupported: 3,
  revoked: 4,
});

export const TRUST_STATUSES: readonly TrustStatus[] = [
  'trusted',
  'untrusted',
  'unknown',
  'unsupported',
  'revoked',
];

export const ASSERTABLE_STATUSES: readonly AssertableStatus[] = [
  'trusted',
  'untrusted',
  'unsupported',
];

/** Accepted spellings besides the canonical names. `eol` = end of life = unsupported. */
export const STATUS_ALIASES: Readonly<Record<string, TrustStatus>> = Object.freeze({
  eol: 'unsupported',
});

/** Parses a status name or alias (case-insensitive); throws STATUS_INVALID otherwise. */
export function parseStatus(text: string): TrustStatus {
  const name = text.trim().toLowerCase();
  if ((TRUST_STATUSES as readonly string[]).includes(name)) return name as TrustStatus;
  const alias = STATUS_ALIASES[name];
  if (alias) return alias;
  throw new TrustError(
    'STATUS_INVALID',
    'input',
    `"${text}" is not a trust status; use one of ${TRUST_STATUSES.join(', ')} (or the alias eol)`,
  );
}

/** Like parseStatus, but only for statuses a party may assert (trusted, untrusted, unsupported/eol). */
export function parseAssertableStatus(text: string): AssertableStatus {
  const status = parseStatus(text);
  if (!(ASSERTABLE_STATUSES as readonly string[]).includes(status)) {
    throw new TrustError(
      'STATUS_INVALID',
      'input',
      `"${text}" cannot be asserted; assert one of ${ASSERTABLE_STATUSES.join(', ')}`,
    );
  }
  return status as AssertableStatus;
}

export function statusForCode(code: number): TrustStatus | undefined {
  return TRUST_STATUSES.find((s) => STATUS_CODES[s] === code);
}
