/**
 * Claim matching for OIDC rules. A pattern is literal except: `**` matches anything, `*` anything
 * but `/` (one path segment: `acme/*` is every repository of acme, not `acme/x/y`), `?` one
 * character but `/`. A list matches when any element does. Whole values only (anchored).
 */
import { AuthError } from './errors.ts';

export type ClaimMatcher = (value: string) => boolean;

function compileOne(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === '*' && pattern[i + 1] === '*') {
      re += '.*';
      i++;
    } else if (c === '*') {
      re += '[^/]*';
    } else if (c === '?') {
      re += '[^/]';
    } else {
      re += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    }
  }
  return new RegExp(`^${re}$`, 'su');
}

export function compileClaimMatch(patterns: readonly string[]): ClaimMatcher {
  if (patterns.length === 0) {
    throw new AuthError('AUTH_CONFIG_INVALID', 'A claim match needs at least one pattern.');
  }
  const res = patterns.map(compileOne);
  return (value) => res.some((re) => re.test(value));
}
