import { createHash } from 'node:crypto';
import {
  AuthError,
  Authenticator,
  generateApiKey,
  hashApiKey,
  localPrincipal,
  validateAuthConfig,
} from '../index.ts';
import type { AuthErrorCode, RequestHeaders } from '../index.ts';

async function failure(p: Promise<unknown>): Promise<AuthError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof AuthError) return err;
    throw err;
  }
  throw new Error('expected an AuthError');
}

describe('generateApiKey / hashApiKey', () => {
  it('makes nk_ keys of 32 random bytes and their sha256 hash', () => {
    const a = generateApiKey();
    const b = generateApiKey();
    expect(a.key).toMatch(/^nk_[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(a.key.slice(3), 'base64url')).toHaveLength(32);
    expect(a.key).not.toBe(b.key);
    expect(a.hash).toBe(`sha256:${createHash('sha256').update(a.key).digest('hex')}`);
    expect(hashApiKey(a.key)).toBe(a.hash);
  });
});

describe('API key authentication', () => {
  const alice = generateApiKey();
  const ci = generateApiKey();
  const removed = generateApiKey();
  const auth = new Authenticator(
    validateAuthConfig({
      identities: { alice: { role: 'qa' } },
      apiKeys: [
        { hash: alice.hash, identity: 'alice' },
        { hash: ci.hash, identity: 'release-bot', role: 'pipeline', description: 'CI' },
      ],
    }),
  );

  it('maps a good key to its identity and role', async () => {
    await expect(auth.authenticate({ authorization: `Bearer ${alice.key}` })).resolves.toEqual({
      name: 'alice',
      role: 'qa',
      auth: 'apikey',
      claims: { keyId: alice.hash.slice(0, 23) },
    });
    const p = await auth.authenticate({ Authorization: `bearer ${ci.key}` });
    expect([p.name, p.role]).toEqual(['release-bot', 'pipeline']);
  });

  it('reads fetch Headers too', async () => {
    const headers = new Headers({ authorization: `Bearer ${ci.key}` });
    expect((await auth.authenticate(headers)).name).toBe('release-bot');
  });

  it.each([
    ['an unknown key', { authorization: `Bearer ${removed.key}` }, 'AUTH_BAD_API_KEY'],
    [
      'a key one character off',
      { authorization: `Bearer ${alice.key.slice(0, -1)}${alice.key.endsWith('A') ? 'B' : 'A'}` },
      'AUTH_BAD_API_KEY',
    ],
    ['a truncated key', { authorization: `Bearer ${alice.key.slice(0, 20)}` }, 'AUTH_BAD_API_KEY'],
    ['the stored hash itself', { authorization: `Bearer nk_${alice.hash}` }, 'AUTH_BAD_API_KEY'],
    ['no header', {}, 'AUTH_MISSING'],
    ['an empty header', { authorization: '' }, 'AUTH_MISSING'],
    ['basic auth', { authorization: `Basic ${alice.key}` }, 'AUTH_MALFORMED'],
    ['a bare key', { authorization: alice.key }, 'AUTH_MALFORMED'],
    [
      'two headers',
      { authorization: [`Bearer ${alice.key}`, `Bearer ${ci.key}`] },
      'AUTH_MALFORMED',
    ],
    ['garbage', { authorization: 'Bearer hello' }, 'AUTH_MALFORMED'],
    ['a huge header', { authorization: `Bearer nk_${'a'.repeat(20000)}` }, 'AUTH_MALFORMED'],
  ] as [string, RequestHeaders, AuthErrorCode][])('refuses %s', async (_label, headers, code) => {
    const err = await failure(auth.authenticate(headers));
    expect(err.code).toBe(code);
    expect(err.httpStatus).toBe(401);
    expect(err.message).not.toContain(alice.key);
  });

  it('refuses a JWT when no issuer is configured', async () => {
    const err = await failure(auth.authenticate({ authorization: 'Bearer a.b.c' }));
    expect(err.code).toBe('AUTH_TOKEN_ISSUER');
  });
});

describe('localPrincipal', () => {
  const config = validateAuthConfig({ identities: { alice: { role: 'qa' } } });

  it('a ledger without config is single-user', () => {
    expect(localPrincipal('anyone')).toEqual({
      name: 'anyone',
      role: 'admin',
      auth: 'local',
      claims: {},
    });
  });

  it('takes the role from the config', () => {
    expect(localPrincipal('alice', config).role).toBe('qa');
  });

  it('refuses names the config does not list, and malformed names', () => {
    expect(() => localPrincipal('mallory', config)).toThrow(/not under identities/);
    expect(() => localPrincipal('a b')).toThrow(AuthError);
    expect(() => localPrincipal('')).toThrow(AuthError);
  });
});
