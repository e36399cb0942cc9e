/**
 * Every refusal of validateAuthConfig, by its whole message: the path of what is wrong and what to
 * write instead (a message emptied or a path dropped is a mutant these tests kill); and the
 * accepted forms the refusals border on.
 */
import { AuthError, BUILTIN_ROLES, validateAuthConfig } from '../index.ts';

const HASH = `sha256:${'ab'.repeat(32)}`;
const ISSUER = {
  issuer: 'https://token.actions.githubusercontent.com',
  audience: 'notarize',
  rules: [{ match: { repository: 'acme/*' }, identity: 'github:{repository}', role: 'pipeline' }],
};
const rule = (r: object) => ({
  oidc: {
    issuers: [{ ...ISSUER, rules: [{ match: { sub: 'x' }, identity: 'x', role: 'qa', ...r }] }],
  },
});
const iss = (x: object) => ({ oidc: { issuers: [{ ...ISSUER, ...x }] } });

function refusal(doc: unknown): unknown {
  try {
    validateAuthConfig(doc);
  } catch (err) {
    return err;
  }
  return 'accepted';
}

const cases: [string, string, unknown][] = [
  ['config', 'Auth config: config: expected a mapping.', 'text'],
  ['config list', 'Auth config: config: expected a mapping.', []],
  [
    'roles list',
    'Auth config: roles: expected a mapping of role name to permissions.',
    { roles: [] },
  ],
  [
    'roles string',
    'Auth config: roles: expected a mapping of role name to permissions.',
    { roles: 'qa' },
  ],
  ['role list', 'Auth config: roles.x: expected a mapping.', { roles: { x: [] } }],
  [
    'role unknown key',
    'Auth config: roles.x.asert: unknown key; expected one of assert, evidence, read, admin.',
    { roles: { x: { asert: [] } } },
  ],
  [
    'role name',
    'Auth config: roles.X: a role name is lowercase letters, digits, - and _.',
    { roles: { X: {} } },
  ],
  [
    'role assert not list',
    'Auth config: roles.x.assert: expected a list.',
    { roles: { x: { assert: 'trusted' } } },
  ],
  [
    'role bad status',
    'Auth config: roles.x.assert[1]: expected one of trusted, untrusted, unsupported.',
    { roles: { x: { assert: ['trusted', 'revoked'] } } },
  ],
  [
    'role evidence',
    'Auth config: roles.x.evidence: expected true or false.',
    { roles: { x: { evidence: 'yes' } } },
  ],
  [
    'role read',
    'Auth config: roles.x.read: expected true or false.',
    { roles: { x: { read: 1 } } },
  ],
  [
    'identities list',
    'Auth config: identities: expected a mapping of identity name to {role}.',
    { identities: [] },
  ],
  ['identity null', 'Auth config: identities.a: expected a mapping.', { identities: { a: null } }],
  [
    'identity name',
    'Auth config: identities.a b: an identity name is 1-256 characters without spaces.',
    { identities: { 'a b': { role: 'qa' } } },
  ],
  [
    'identity unknown key',
    'Auth config: identities.a.x: unknown key; expected one of role, description.',
    { identities: { a: { role: 'qa', x: 1 } } },
  ],
  [
    'identity role empty',
    'Auth config: identities.a.role: expected a non-empty string.',
    { identities: { a: { role: '' } } },
  ],
  [
    'identity role number',
    'Auth config: identities.a.role: expected a non-empty string.',
    { identities: { a: { role: 5 } } },
  ],
  [
    'identity role unknown',
    'Auth config: identities.a.role: role "boss" is not defined; define it under roles: or use pipeline, scanner, qa, legal, pm, auditor, admin.',
    { identities: { a: { role: 'boss' } } },
  ],
  [
    'identity description empty',
    'Auth config: identities.a.description: expected a non-empty string.',
    { identities: { a: { role: 'qa', description: '' } } },
  ],
  ['apiKeys object', 'Auth config: apiKeys: expected a list.', { apiKeys: {} }],
  ['apiKeys string', 'Auth config: apiKeys: expected a list.', { apiKeys: 'x' }],
  [
    'apiKey hash number',
    'Auth config: apiKeys[0].hash: expected a non-empty string.',
    { apiKeys: [{ hash: 5, identity: 'a', role: 'qa' }] },
  ],
  [
    'apiKey hash bad',
    'Auth config: apiKeys[0].hash: expected sha256:<64 lowercase hex>, as `notarize keygen --api-key` prints.',
    { apiKeys: [{ hash: 'nk_x', identity: 'a', role: 'qa' }] },
  ],
  [
    'apiKey dup',
    'Auth config: apiKeys[1].hash: the same key is listed twice.',
    {
      apiKeys: [
        { hash: HASH, identity: 'a', role: 'qa' },
        { hash: HASH, identity: 'b', role: 'qa' },
      ],
    },
  ],
  [
    'apiKey identity empty',
    'Auth config: apiKeys[0].identity: expected a non-empty string.',
    { apiKeys: [{ hash: HASH, identity: '', role: 'qa' }] },
  ],
  [
    'apiKey identity spaces',
    'Auth config: apiKeys[0].identity: expected 1-256 characters without spaces.',
    { apiKeys: [{ hash: HASH, identity: 'a b', role: 'qa' }] },
  ],
  [
    'apiKey no role',
    'Auth config: apiKeys[0].role: no role given and "a" is not under identities:.',
    { apiKeys: [{ hash: HASH, identity: 'a' }] },
  ],
  [
    'apiKey role unknown',
    'Auth config: apiKeys[0].role: role "boss" is not defined; define it under roles: or use pipeline, scanner, qa, legal, pm, auditor, admin.',
    { apiKeys: [{ hash: HASH, identity: 'a', role: 'boss' }] },
  ],
  [
    'apiKey description empty',
    'Auth config: apiKeys[0].description: expected a non-empty string.',
    { apiKeys: [{ hash: HASH, identity: 'a', role: 'qa', description: '' }] },
  ],
  [
    'apiKey unknown key',
    'Auth config: apiKeys[0].key: unknown key; expected one of hash, identity, role, description.',
    { apiKeys: [{ hash: HASH, identity: 'a', role: 'qa', key: 'x' }] },
  ],
  ['oidc list', 'Auth config: oidc: expected a mapping.', { oidc: [] }],
  [
    'oidc unknown',
    'Auth config: oidc.issuer: unknown key; expected one of issuers, clockToleranceSec, maxTokenLifetimeSec, jwksTimeoutMs, jwksCooldownMs, jwksCacheMaxAgeMs.',
    { oidc: { issuer: [] } },
  ],
  ['issuers object', 'Auth config: oidc.issuers: expected a list.', { oidc: { issuers: {} } }],
  [
    'issuer number',
    'Auth config: oidc.issuers[0]: expected a mapping.',
    { oidc: { issuers: [5] } },
  ],
  [
    'issuer unknown',
    'Auth config: oidc.issuers[0].audiance: unknown key; expected one of issuer, audience, jwksUri, jwksFile, algorithms, claims, rules.',
    iss({ audiance: 'x' }),
  ],
  [
    'issuer not url',
    'Auth config: oidc.issuers[0].issuer: expected a URL.',
    iss({ issuer: 'not a url' }),
  ],
  [
    'issuer http',
    'Auth config: oidc.issuers[0].issuer: expected an https URL.',
    iss({ issuer: 'http://gitlab.example.com' }),
  ],
  [
    'audience empty string',
    'Auth config: oidc.issuers[0].audience: expected a non-empty string.',
    iss({ audience: '' }),
  ],
  [
    'audience list empty',
    'Auth config: oidc.issuers[0].audience: expected at least one audience.',
    iss({ audience: [] }),
  ],
  [
    'audience list bad',
    'Auth config: oidc.issuers[0].audience[1]: expected a non-empty string.',
    iss({ audience: ['a', ''] }),
  ],
  [
    'both jwks',
    'Auth config: oidc.issuers[0]: give jwksUri or jwksFile, not both.',
    iss({ jwksUri: 'https://x/j', jwksFile: 'j.json' }),
  ],
  [
    'algorithms string',
    'Auth config: oidc.issuers[0].algorithms: expected a list.',
    iss({ algorithms: 'RS256' }),
  ],
  [
    'algorithms empty',
    'Auth config: oidc.issuers[0].algorithms: expected at least one algorithm.',
    iss({ algorithms: [] }),
  ],
  [
    'algorithms HS',
    'Auth config: oidc.issuers[0].algorithms[1]: expected one of RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512, EdDSA, Ed25519 (none and HS* are never accepted).',
    iss({ algorithms: ['RS256', 'HS256'] }),
  ],
  [
    'claims string',
    'Auth config: oidc.issuers[0].claims: expected a list.',
    iss({ claims: 'sub' }),
  ],
  [
    'claims empty string',
    'Auth config: oidc.issuers[0].claims[0]: expected a non-empty string.',
    iss({ claims: [''] }),
  ],
  [
    'claims bad',
    'Auth config: oidc.issuers[0].claims[1]: not a claim name.',
    iss({ claims: ['sub', 'a b'] }),
  ],
  ['rules string', 'Auth config: oidc.issuers[0].rules: expected a list.', iss({ rules: 'x' })],
  [
    'rules empty',
    'Auth config: oidc.issuers[0].rules: expected at least one rule; tokens matching none are refused.',
    iss({ rules: [] }),
  ],
  [
    'rule number',
    'Auth config: oidc.issuers[0].rules[0]: expected a mapping.',
    iss({ rules: [5] }),
  ],
  [
    'jwksUri http',
    'Auth config: oidc.issuers[0].jwksUri: expected an https URL.',
    iss({ jwksUri: 'http://keys.example/j' }),
  ],
  [
    'jwksFile empty',
    'Auth config: oidc.issuers[0].jwksFile: expected a non-empty string.',
    iss({ jwksFile: '' }),
  ],
  [
    'match empty',
    'Auth config: oidc.issuers[0].rules[0].match: at least one claim is required (e.g. repository or project_path): any project can get a token for your audience.',
    rule({ match: {} }),
  ],
  [
    'match list',
    'Auth config: oidc.issuers[0].rules[0].match: at least one claim is required (e.g. repository or project_path): any project can get a token for your audience.',
    rule({ match: [] }),
  ],
  [
    'match claim bad',
    'Auth config: oidc.issuers[0].rules[0].match.a b: not a claim name.',
    rule({ match: { 'a b': 'x' } }),
  ],
  [
    'match empty list',
    'Auth config: oidc.issuers[0].rules[0].match.sub: expected a value, a glob or a non-empty list of them.',
    rule({ match: { sub: [] } }),
  ],
  [
    'match empty value',
    'Auth config: oidc.issuers[0].rules[0].match.sub: expected a non-empty string.',
    rule({ match: { sub: '' } }),
  ],
  [
    'match list empty value',
    'Auth config: oidc.issuers[0].rules[0].match.sub[1]: expected a non-empty string.',
    rule({ match: { sub: ['x', ''] } }),
  ],
  [
    'match null',
    'Auth config: oidc.issuers[0].rules[0].match.sub: expected a non-empty string.',
    rule({ match: { sub: null } }),
  ],
  [
    'rule identity empty',
    'Auth config: oidc.issuers[0].rules[0].identity: expected a non-empty string.',
    rule({ identity: '' }),
  ],
  [
    'rule template',
    'Auth config: oidc.issuers[0].rules[0].identity: unclosed "{" at 7; write "{{" for a literal brace.',
    rule({ identity: 'github:{repository' }),
  ],
  [
    'rule role unknown',
    'Auth config: oidc.issuers[0].rules[0].role: role "boss" is not defined; define it under roles: or use pipeline, scanner, qa, legal, pm, auditor, admin.',
    rule({ role: 'boss' }),
  ],
  [
    'rule unknown key',
    'Auth config: oidc.issuers[0].rules[0].roles: unknown key; expected one of match, identity, role.',
    rule({ roles: 'qa' }),
  ],
  [
    'duplicate issuer',
    'Auth config: oidc.issuers[1].issuer: listed twice; put all its rules in one entry.',
    { oidc: { issuers: [ISSUER, ISSUER] } },
  ],
  [
    'clock',
    'Auth config: oidc.clockToleranceSec: expected an integer from 0 to 300.',
    { oidc: { clockToleranceSec: 301 } },
  ],
  [
    'clock frac',
    'Auth config: oidc.clockToleranceSec: expected an integer from 0 to 300.',
    { oidc: { clockToleranceSec: 1.5 } },
  ],
  [
    'clock str',
    'Auth config: oidc.clockToleranceSec: expected an integer from 0 to 300.',
    { oidc: { clockToleranceSec: '60' } },
  ],
  [
    'lifetime',
    'Auth config: oidc.maxTokenLifetimeSec: expected an integer from 60 to 604800.',
    { oidc: { maxTokenLifetimeSec: 59 } },
  ],
  [
    'timeout',
    'Auth config: oidc.jwksTimeoutMs: expected an integer from 1 to 60000.',
    { oidc: { jwksTimeoutMs: 0 } },
  ],
  [
    'cooldown',
    'Auth config: oidc.jwksCooldownMs: expected an integer from 0 to 3600000.',
    { oidc: { jwksCooldownMs: -1 } },
  ],
  [
    'cachemax',
    'Auth config: oidc.jwksCacheMaxAgeMs: expected an integer from 0 to 86400000.',
    { oidc: { jwksCacheMaxAgeMs: 86_400_001 } },
  ],
];

describe('validateAuthConfig refusals', () => {
  it.each(cases)('%s', (_label, message, doc) => {
    const err = refusal(doc);
    expect(err).toBeInstanceOf(AuthError);
    expect(err).toMatchObject({ code: 'AUTH_CONFIG_INVALID', category: 'input', message });
  });
});

describe('validateAuthConfig accepted forms', () => {
  it('takes null sections as absent', () => {
    const config = validateAuthConfig({ roles: null, identities: null, apiKeys: null, oidc: null });
    expect(config.roles).toEqual(BUILTIN_ROLES);
    expect(config.identities).toEqual({});
    expect(config.apiKeys).toEqual([]);
    expect(config.oidc.issuers).toEqual([]);
  });

  it('takes the bounds of every number', () => {
    const low = validateAuthConfig({
      oidc: {
        clockToleranceSec: 0,
        maxTokenLifetimeSec: 60,
        jwksTimeoutMs: 1,
        jwksCooldownMs: 0,
        jwksCacheMaxAgeMs: 0,
      },
    }).oidc;
    expect(low).toEqual({
      issuers: [],
      clockToleranceSec: 0,
      maxTokenLifetimeSec: 60,
      jwksTimeoutMs: 1,
      jwksCooldownMs: 0,
      jwksCacheMaxAgeMs: 0,
    });
    const high = validateAuthConfig({
      oidc: {
        clockToleranceSec: 300,
        maxTokenLifetimeSec: 604_800,
        jwksTimeoutMs: 60_000,
        jwksCooldownMs: 3_600_000,
        jwksCacheMaxAgeMs: 86_400_000,
      },
    }).oidc;
    expect(high).toMatchObject({
      clockToleranceSec: 300,
      maxTokenLifetimeSec: 604_800,
      jwksTimeoutMs: 60_000,
      jwksCooldownMs: 3_600_000,
      jwksCacheMaxAgeMs: 86_400_000,
    });
  });

  it('keeps descriptions, claims, jwksUri and jwksFile', () => {
    const config = validateAuthConfig({
      identities: { alice: { role: 'qa', description: 'QA lead' } },
      apiKeys: [{ hash: HASH, identity: 'alice', description: 'laptop' }],
      oidc: {
        issuers: [
          { ...ISSUER, claims: ['sub', 'ref'], jwksUri: 'https://keys.example/jwks' },
          { ...ISSUER, issuer: 'https://gitlab.example', jwksFile: 'gitlab-jwks.json' },
        ],
      },
    });
    expect(config.identities).toEqual({ alice: { role: 'qa', description: 'QA lead' } });
    expect(config.apiKeys).toEqual([
      { hash: HASH, identity: 'alice', role: 'qa', description: 'laptop' },
    ]);
    const [github, gitlab] = config.oidc.issuers;
    expect(github).toMatchObject({ claims: ['sub', 'ref'], jwksUri: 'https://keys.example/jwks' });
    expect(github).not.toHaveProperty('jwksFile');
    expect(gitlab).toMatchObject({ claims: [], jwksFile: 'gitlab-jwks.json' });
    expect(gitlab).not.toHaveProperty('jwksUri');
  });

  it('matches numbers and booleans in a rule as their text, and keeps strings as given', () => {
    const [issuer] = validateAuthConfig(
      rule({ match: { run_attempt: 1, ref_protected: true, ref: ['main', 2, false], sub: 'x' } }),
    ).oidc.issuers;
    expect(issuer?.rules[0]?.match).toEqual({
      run_attempt: '1',
      ref_protected: 'true',
      ref: ['main', '2', 'false'],
      sub: 'x',
    });
  });
});
