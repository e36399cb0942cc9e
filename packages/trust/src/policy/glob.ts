/**
 * Glob patterns for identity names, roles and CI conditions. `*` matches within one `/`-separated
 * segment, `**` across segments, `?` one character other than `/`; everything else is literal.
 * So `github:org/*` matches `github:org/app` but not `github:org/app/sub`, and `refs/heads/**`
 * matches every branch.
 */
const cache = new Map<string, RegExp>();

export function isGlob(pattern: string): boolean {
  return /[*?]/.test(pattern);
}

export function globToRegExp(pattern: string): RegExp {
  let re = cache.get(pattern);
  if (re) return re;
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === '*') {
      if (pattern[i + 1] === '*') {
        source += '.*';
        i++;
      } else {
        source += '[^/]*';
      }
    } else if (c === '?') {
      source += '[^/]';
    } else {
      source += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    }
  }
  re = new RegExp(`^${source}$`, 'su');
  cache.set(pattern, re);
  return re;
}

export function globMatch(pattern: string, value: string): boolean {
  return isGlob(pattern) ? globToRegExp(pattern).test(value) : pattern === value;
}
