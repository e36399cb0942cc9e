import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { AuthError, BUILTIN_ROLES, validateAuthConfig } from '../index.ts';

const HASH = `sha256:${'ab'.repeat(32)}`;
const ISSUER = {
  issuer: 'https://token.actions.githubusercontent.com',
  audience: 'notarize',
  rules: [{ match: { repository: 'acme/*' }, identity: 'github:{repository}', role: 'pipeline' }],
};

function problem(doc: unknown): string {
  try {
    validateAuthConfig(doc);
  } catch (err) {
    if (err instanceof AuthError) {
      expect(err.code).toBe('AUTH_CONFIG_INVALID');
      expect(err.category).toBe('input');
      return err.message;
    }
    throw err;
  }
  throw new Error('expected the config to be refused');
}

describe('validateAuthConfig', () => {
  it('accepts the README example', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const yaml = /```yaml\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(yaml).toBeDefined();
    const config = validateAuthConfig(parse(yaml as string));
    expect(config.oidc.issuers.map((i) => i.issuer)).toEqual([
      'https://token.actions.githubusercontent.com',
      'https://gitlab.com',
    ]);
    expect(config.apiKeys.length).toBeGreaterThan(0);
    expect(Object.keys(config.roles)).toContain('release-manager');
  });

  it('an empty or missing config means built-in roles and nothing else', () => {
    for (const doc of [undefined, null, {}, { listen: '127.0.0.1:8080', storage: {} }]) {
      const config = validateAuthConfig(doc);
      expect(config.roles).toEqual(BUILTIN_ROLES);
      expect(config.apiKeys).toEqual([]);
      expect(config.oidc.issuers).toEqual([]);
      expect(config.oidc.clockToleranceSec).toBe(60);
    }
  });

  it('fills issuer defaults', () => {
    const [issuer] = validateAuthConfig({ oidc: { issuers: [ISSUER] } }).oidc.issuers;
    expect(issuer?.algorithms).toEqual(['RS256', 'ES256']);
    expect(issuer?.audience).toEqual(['notarize']);
    expect(issuer?.claims).toEqual([]);
  });

  it('resolves an API key role from its identity', () => {
    const config = validateAuthConfig({
      identities: { alice: { role: 'qa' } },
      apiKeys: [{ hash: HASH, identity: 'alice' }],
    });
    expect(config.apiKeys[0]?.role).toBe('qa');
  });

  it('custom roles default to read-only and replace a built-in wholesale', () => {
    const config = validateAuthConfig({ roles: { viewer: {}, qa: { assert: ['trusted'] } } });
    expect(config.roles.viewer).toEqual({ assert: [], evidence: false, read: true, admin: false });
    expect(config.roles.qa).toEqual({
      assert: ['trusted'],
      evidence: false,
      read: true,
      admin: false,
    });
  });

  it.each([
    ['a non-mapping', [], 'config'],
    ['an unknown role key', { roles: { x: { asert: ['trusted'] } } }, 'roles.x.asert'],
    ['a bad status', { roles: { x: { assert: ['revoked'] } } }, 'roles.x.assert[0]'],
    ['a bad role name', { roles: { 'Bad Name': {} } }, 'roles.Bad Name'],
    ['a non-boolean', { roles: { x: { admin: 'yes' } } }, 'roles.x.admin'],
    [
      'an identity with an unknown role',
      { identities: { a: { role: 'boss' } } },
      'identities.a.role',
    ],
    ['an identity name with spaces', { identities: { 'a b': { role: 'qa' } } }, 'identities.a b'],
    [
      'a bad hash',
      { apiKeys: [{ hash: 'nk_plaintext', identity: 'a', role: 'qa' }] },
      'apiKeys[0].hash',
    ],
    ['a key without a role', { apiKeys: [{ hash: HASH, identity: 'a' }] }, 'apiKeys[0].role'],
    [
      'a duplicate key',
      {
        apiKeys: [
          { hash: HASH, identity: 'a', role: 'qa' },
          { hash: HASH, identity: 'b', role: 'qa' },
        ],
      },
      'apiKeys[1].hash',
    ],
    [
      'an unknown key field',
      { apiKeys: [{ hash: HASH, identity: 'a', role: 'qa', key: 'x' }] },
      'apiKeys[0].key',
    ],
    [
      'an http issuer',
      { oidc: { issuers: [{ ...ISSUER, issuer: 'http://gitlab.example.com' }] } },
      'issuer',
    ],
    ['a typo in an issuer', { oidc: { issuers: [{ ...ISSUER, audiance: 'x' }] } }, 'audiance'],
    ['no audience', { oidc: { issuers: [{ ...ISSUER, audience: [] }] } }, 'audience'],
    ['alg none', { oidc: { issuers: [{ ...ISSUER, algorithms: ['none'] }] } }, 'algorithms[0]'],
    [
      'alg HS256',
      { oidc: { issuers: [{ ...ISSUER, algorithms: ['RS256', 'HS256'] }] } },
      'algorithms[1]',
    ],
    [
      'jwksUri and jwksFile',
      { oidc: { issuers: [{ ...ISSUER, jwksUri: 'https://x/j', jwksFile: 'j.json' }] } },
      'not both',
    ],
    [
      'an http jwksUri',
      { oidc: { issuers: [{ ...ISSUER, jwksUri: 'http://keys.example/j' }] } },
      'jwksUri',
    ],
    ['no rules', { oidc: { issuers: [{ ...ISSUER, rules: [] }] } }, 'rules'],
    [
      'a rule that matches everything',
      { oidc: { issuers: [{ ...ISSUER, rules: [{ match: {}, identity: 'x', role: 'qa' }] }] } },
      'at least one claim',
    ],
    [
      'a rule with an unknown role',
      {
        oidc: {
          issuers: [{ ...ISSUER, rules: [{ match: { sub: 'x' }, identity: 'x', role: 'boss' }] }],
        },
      },
      'rules[0].role',
    ],
    [
      'a broken template',
      {
        oidc: {
          issuers: [
            {
              ...ISSUER,
              rules: [{ match: { sub: 'x' }, identity: 'github:{repository', role: 'qa' }],
            },
          ],
        },
      },
      'rules[0].identity',
    ],
    [
      'a template placeholder that is no claim name',
      {
        oidc: {
          issuers: [
            { ...ISSUER, rules: [{ match: { sub: 'x' }, identity: 'a:{b c}', role: 'qa' }] },
          ],
        },
      },
      'rules[0].identity',
    ],
    [
      'an empty match list',
      {
        oidc: {
          issuers: [{ ...ISSUER, rules: [{ match: { sub: [] }, identity: 'x', role: 'qa' }] }],
        },
      },
      'match.sub',
    ],
    ['a duplicate issuer', { oidc: { issuers: [ISSUER, ISSUER] } }, 'issuers[1].issuer'],
    ['a zero JWKS timeout', { oidc: { jwksTimeoutMs: 0 } }, 'jwksTimeoutMs'],
    [
      'a large clock tolerance',
      { oidc: { issuers: [], clockToleranceSec: 3600 } },
      'clockToleranceSec',
    ],
  ])('refuses %s, naming %s', (_label, doc, where) => {
    expect(problem(doc)).toContain(where);
  });

  it('accepts a loopback http issuer (tests, sidecars)', () => {
    const config = validateAuthConfig({
      oidc: { issuers: [{ ...ISSUER, issuer: 'http://127.0.0.1:8080' }] },
    });
    expect(config.oidc.issuers[0]?.issuer).toBe('http://127.0.0.1:8080');
  });
});
