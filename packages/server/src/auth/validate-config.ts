/**
 * Checks the auth sections of the config. Strict on purpose: an unknown key is an error (a typo
 * such as `audiance` must not silently widen access), and every problem names its path.
 */
import { ASSERTABLE_STATUSES } from '@notarize/trust';
import type { AssertableStatus } from '@notarize/trust';
import { DEFAULT_ALGORITHMS, JWS_ALGORITHMS } from './config.ts';
import type {
  ApiKeyConfig,
  AuthConfig,
  IdentityConfig,
  JwsAlgorithm,
  OidcConfig,
  OidcIssuerConfig,
  OidcRule,
} from './config.ts';
import { AuthError } from './errors.ts';
import { compileClaimMatch } from './glob.ts';
import { BUILTIN_ROLES } from './roles.ts';
import type { RoleDefinition } from './roles.ts';
import { parseTemplate } from './template.ts';
import { isIdentityName, isLoopbackHttp } from './names.ts';

type Obj = Record<string, unknown>;

function fail(path: string, message: string): never {
  throw new AuthError('AUTH_CONFIG_INVALID', `Auth config: ${path}: ${message}.`);
}

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function obj(v: unknown, path: string, keys: readonly string[]): Obj {
  if (!isObj(v)) fail(path, 'expected a mapping');
  for (const k of Object.keys(v)) {
    if (!keys.includes(k)) fail(`${path}.${k}`, `unknown key; expected one of ${keys.join(', ')}`);
  }
  return v;
}

function str(v: unknown, path: string): string {
  if (typeof v !== 'string' || v === '') fail(path, 'expected a non-empty string');
  return v;
}

function bool(v: unknown, path: string, dflt: boolean): boolean {
  if (v === undefined) return dflt;
  if (typeof v !== 'boolean') fail(path, 'expected true or false');
  return v;
}

function int(v: unknown, path: string, dflt: number, min: number, max: number): number {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    fail(path, `expected an integer from ${min} to ${max}`);
  }
  return v;
}

function list(v: unknown, path: string): unknown[] {
  if (!Array.isArray(v)) fail(path, 'expected a list');
  return v;
}

const ROLE_NAME = /^[a-z][a-z0-9_-]{0,63}$/;

function roles(v: unknown): Record<string, RoleDefinition> {
  const table: Record<string, RoleDefinition> = {};
  for (const [name, def] of Object.entries(BUILTIN_ROLES)) table[name] = def;
  if (v === undefined || v === null) return table;
  if (!isObj(v)) fail('roles', 'expected a mapping of role name to permissions');
  for (const [name, raw] of Object.entries(v)) {
    const path = `roles.${name}`;
    if (!ROLE_NAME.test(name)) fail(path, 'a role name is lowercase letters, digits, - and _');
    const r = obj(raw ?? {}, path, ['assert', 'evidence', 'read', 'admin']);
    const assert = r.assert === undefined ? [] : list(r.assert, `${path}.assert`);
    for (const [i, s] of assert.entries()) {
      if (!ASSERTABLE_STATUSES.includes(s as AssertableStatus)) {
        fail(`${path}.assert[${i}]`, `expected one of ${ASSERTABLE_STATUSES.join(', ')}`);
      }
    }
    // A configured role replaces a built-in of the same name wholesale: no hidden inheritance.
    table[name] = Object.freeze({
      assert: [...new Set(assert as AssertableStatus[])],
      evidence: bool(r.evidence, `${path}.evidence`, false),
      read: bool(r.read, `${path}.read`, true),
      admin: bool(r.admin, `${path}.admin`, false),
    });
  }
  return table;
}

function roleRef(v: unknown, path: string, table: Record<string, RoleDefinition>): string {
  const name = str(v, path);
  if (!Object.hasOwn(table, name)) {
    fail(
      path,
      `role "${name}" is not defined; define it under roles: or use ${Object.keys(table).join(', ')}`,
    );
  }
  return name;
}

function identities(
  v: unknown,
  table: Record<string, RoleDefinition>,
): Record<string, IdentityConfig> {
  const out: Record<string, IdentityConfig> = {};
  if (v === undefined || v === null) return out;
  if (!isObj(v)) fail('identities', 'expected a mapping of identity name to {role}');
  for (const [name, raw] of Object.entries(v)) {
    const path = `identities.${name}`;
    if (!isIdentityName(name)) fail(path, 'an identity name is 1-256 characters without spaces');
    const r = obj(raw, path, ['role', 'description']);
    out[name] = { role: roleRef(r.role, `${path}.role`, table) };
    if (r.description !== undefined)
      out[name].description = str(r.description, `${path}.description`);
  }
  return out;
}

const HASH = /^sha256:[0-9a-f]{64}$/;

function apiKeys(
  v: unknown,
  table: Record<string, RoleDefinition>,
  ids: Record<string, IdentityConfig>,
): ApiKeyConfig[] {
  if (v === undefined || v === null) return [];
  const seen = new Set<string>();
  return list(v, 'apiKeys').map((raw, i) => {
    const path = `apiKeys[${i}]`;
    const r = obj(raw, path, ['hash', 'identity', 'role', 'description']);
    const hash = str(r.hash, `${path}.hash`);
    if (!HASH.test(hash)) {
      fail(
        `${path}.hash`,
        'expected sha256:<64 lowercase hex>, as `notarize keygen --api-key` prints',
      );
    }
    if (seen.has(hash)) fail(`${path}.hash`, 'the same key is listed twice');
    seen.add(hash);
    const identity = str(r.identity, `${path}.identity`);
    if (!isIdentityName(identity))
      fail(`${path}.identity`, 'expected 1-256 characters without spaces');
    const known = Object.hasOwn(ids, identity) ? ids[identity] : undefined;
    if (r.role === undefined && known === undefined) {
      fail(`${path}.role`, `no role given and "${identity}" is not under identities:`);
    }
    const key: ApiKeyConfig = {
      hash,
      identity,
      role:
        r.role === undefined
          ? (known as IdentityConfig).role
          : roleRef(r.role, `${path}.role`, table),
    };
    if (r.description !== undefined) key.description = str(r.description, `${path}.description`);
    return key;
  });
}

function url(v: unknown, path: string): string {
  const s = str(v, path);
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    fail(path, 'expected a URL');
  }
  // Plain http would let anyone on the path swap the keys; loopback is allowed for tests.
  if (u.protocol !== 'https:' && !isLoopbackHttp(u)) fail(path, 'expected an https URL');
  return s;
}

const CLAIM = /^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/;

function rule(v: unknown, path: string, table: Record<string, RoleDefinition>): OidcRule {
  const r = obj(v, path, ['match', 'identity', 'role']);
  if (!isObj(r.match) || Object.keys(r.match).length === 0) {
    fail(
      `${path}.match`,
      'at least one claim is required (e.g. repository or project_path): any project can get a token for your audience',
    );
  }
  const out: Record<string, string | string[]> = {};
  for (const [claim, m] of Object.entries(r.match)) {
    const p = `${path}.match.${claim}`;
    if (!CLAIM.test(claim)) fail(p, 'not a claim name');
    const values: unknown[] = Array.isArray(m) ? [...(m as unknown[])] : [m];
    if (values.length === 0) fail(p, 'expected a value, a glob or a non-empty list of them');
    for (const [i, x] of values.entries()) {
      if (typeof x === 'number' || typeof x === 'boolean') values[i] = String(x);
      else str(x, Array.isArray(m) ? `${p}[${i}]` : p);
    }
    compileClaimMatch(values as string[]);
    out[claim] = Array.isArray(m) ? (values as string[]) : (values[0] as string);
  }
  const identity = str(r.identity, `${path}.identity`);
  try {
    parseTemplate(identity);
  } catch (err) {
    fail(`${path}.identity`, (err as Error).message);
  }
  return { match: out, identity, role: roleRef(r.role, `${path}.role`, table) };
}

function issuer(v: unknown, path: string, table: Record<string, RoleDefinition>): OidcIssuerConfig {
  const r = obj(v, path, [
    'issuer',
    'audience',
    'jwksUri',
    'jwksFile',
    'algorithms',
    'claims',
    'rules',
  ]);
  const iss = url(r.issuer, `${path}.issuer`);
  const audience = Array.isArray(r.audience)
    ? r.audience.map((a, i) => str(a, `${path}.audience[${i}]`))
    : [str(r.audience, `${path}.audience`)];
  if (audience.length === 0) fail(`${path}.audience`, 'expected at least one audience');
  if (r.jwksUri !== undefined && r.jwksFile !== undefined) {
    fail(path, 'give jwksUri or jwksFile, not both');
  }
  const algorithms =
    r.algorithms === undefined
      ? [...DEFAULT_ALGORITHMS]
      : list(r.algorithms, `${path}.algorithms`).map((a, i) => {
          if (!JWS_ALGORITHMS.includes(a as JwsAlgorithm)) {
            fail(
              `${path}.algorithms[${i}]`,
              `expected one of ${JWS_ALGORITHMS.join(', ')} (none and HS* are never accepted)`,
            );
          }
          return a as JwsAlgorithm;
        });
  if (algorithms.length === 0) fail(`${path}.algorithms`, 'expected at least one algorithm');
  const claims =
    r.claims === undefined
      ? []
      : list(r.claims, `${path}.claims`).map((c, i) => {
          const name = str(c, `${path}.claims[${i}]`);
          if (!CLAIM.test(name)) fail(`${path}.claims[${i}]`, 'not a claim name');
          return name;
        });
  const rules = list(r.rules, `${path}.rules`).map((x, i) => rule(x, `${path}.rules[${i}]`, table));
  if (rules.length === 0)
    fail(`${path}.rules`, 'expected at least one rule; tokens matching none are refused');
  const out: OidcIssuerConfig = { issuer: iss, audience, algorithms, claims, rules };
  if (r.jwksUri !== undefined) out.jwksUri = url(r.jwksUri, `${path}.jwksUri`);
  if (r.jwksFile !== undefined) out.jwksFile = str(r.jwksFile, `${path}.jwksFile`);
  return out;
}

function oidc(v: unknown, table: Record<string, RoleDefinition>): OidcConfig {
  const r =
    v === undefined || v === null
      ? {}
      : obj(v, 'oidc', [
          'issuers',
          'clockToleranceSec',
          'maxTokenLifetimeSec',
          'jwksTimeoutMs',
          'jwksCooldownMs',
          'jwksCacheMaxAgeMs',
        ]);
  const issuers =
    r.issuers === undefined
      ? []
      : list(r.issuers, 'oidc.issuers').map((x, i) => issuer(x, `oidc.issuers[${i}]`, table));
  const seen = new Set<string>();
  for (const [i, x] of issuers.entries()) {
    // Tokens are routed to their issuer's config by `iss`: two entries for one issuer are ambiguous.
    if (seen.has(x.issuer))
      fail(`oidc.issuers[${i}].issuer`, 'listed twice; put all its rules in one entry');
    seen.add(x.issuer);
  }
  return {
    issuers,
    clockToleranceSec: int(r.clockToleranceSec, 'oidc.clockToleranceSec', 60, 0, 300),
    maxTokenLifetimeSec: int(r.maxTokenLifetimeSec, 'oidc.maxTokenLifetimeSec', 7200, 60, 604_800),
    jwksTimeoutMs: int(r.jwksTimeoutMs, 'oidc.jwksTimeoutMs', 5000, 1, 60_000),
    jwksCooldownMs: int(r.jwksCooldownMs, 'oidc.jwksCooldownMs', 30_000, 0, 3_600_000),
    jwksCacheMaxAgeMs: int(r.jwksCacheMaxAgeMs, 'oidc.jwksCacheMaxAgeMs', 600_000, 0, 86_400_000),
  };
}

/**
 * Validates the auth sections of a parsed config document. Other top-level sections (storage,
 * listen address...) are ignored here; they belong to the service's own validation.
 */
export function validateAuthConfig(doc: unknown): AuthConfig {
  const d: Obj =
    doc === undefined || doc === null
      ? {}
      : isObj(doc)
        ? doc
        : fail('config', 'expected a mapping');
  const table = roles(d.roles);
  const ids = identities(d.identities, table);
  return Object.freeze({
    roles: Object.freeze(table),
    identities: ids,
    apiKeys: apiKeys(d.apiKeys, table, ids),
    oidc: oidc(d.oidc, table),
  });
}
