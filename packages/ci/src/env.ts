/**
 * Reading and checking CI variables. A variable set to the empty string counts as unset: runners
 * and templates often export `VAR=` for "nothing".
 */
import { CiError } from './errors.ts';
import type { Env } from './context.ts';

/** A check returns a description of what was expected, or undefined when the value is fine. */
export type Check = (value: string) => string | undefined;

/** C0 controls and DEL: a value with them could forge log lines or HTTP headers. */
export function hasControl(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}
const MAX_TEXT = 1024;

export const text: Check = (v) =>
  v.length > MAX_TEXT || hasControl(v)
    ? `text of at most ${MAX_TEXT} characters without control characters`
    : undefined;

export const digits: Check = (v) => (/^[0-9]{1,20}$/.test(v) ? undefined : 'a decimal number');

export const positive: Check = (v) =>
  /^[1-9][0-9]{0,8}$/.test(v) ? undefined : 'a positive integer';

/** GitHub `owner/repo`. */
export const githubRepository: Check = (v) =>
  /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(v) ? undefined : '`owner/repository`';

/** GitLab `group[/subgroup...]/project`. */
export const gitlabProjectPath: Check = (v) =>
  /^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)+$/.test(v) ? undefined : '`group/project`';

/** A Git object id: SHA-1 (40 hex) or SHA-256 (64 hex) repositories. */
export const commitSha: Check = (v) =>
  /^([0-9a-f]{40}|[0-9a-f]{64})$/.test(v)
    ? undefined
    : 'a full commit SHA (40 or 64 lowercase hex)';

export const httpUrl: Check = (v) => {
  if (text(v) !== undefined) return 'an http(s) URL';
  try {
    const u = new URL(v);
    return u.protocol === 'https:' || u.protocol === 'http:' ? undefined : 'an http(s) URL';
  } catch {
    return 'an http(s) URL';
  }
};

export function readOptional(env: Env, name: string, check: Check): string | undefined {
  const value = env[name];
  if (value === undefined || value === '') return undefined;
  const problem = check(value);
  if (problem !== undefined) {
    // The value itself is not echoed: CI variables can hold secrets by mistake.
    throw new CiError(
      'CI_ENV_INVALID',
      'input',
      `${name} is not ${problem}; check the CI job's environment.`,
    );
  }
  return value;
}

export function readRequired(env: Env, name: string, check: Check, hint: string): string {
  const value = readOptional(env, name, check);
  if (value === undefined) {
    throw new CiError('CI_ENV_MISSING', 'input', `${name} is not set; ${hint}`);
  }
  return value;
}
