/**
 * What authentication and authorization say when they refuse, word for word (the message is the
 * user's only guide), and the edges of what they accept: the Authorization header's size limit
 * and syntax, identity-name length, loopback hosts, the first of two matching API keys.
 */
import {
  AuthError,
  Authenticator,
  authorize,
  generateApiKey,
  localPrincipal,
  validateAuthConfig,
} from '../index.ts';
import type { RequestHeaders } from '../index.ts';
import { findApiKey } from '../api-keys.ts';
import { isIdentityName, isLoopbackHttp } from '../names.ts';

async function refusal(p: Promise<unknown>): Promise<AuthError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof AuthError) return err;
    throw err;
  }
  throw new Error('expected an AuthError');
}

function thrown(fn: () => unknown): AuthError {
  try {
    fn();
  } catch (err) {
    if (err instanceof AuthError) return err;
    throw err;
  }
  throw new Error('expected an AuthError');
}

const MAX_HEADER = 16 * 1024 + 7; // 'Bearer ' + a 16 KiB credential

describe('Authenticator.authenticate refusals', () => {
  const key = generateApiKey();
  const auth = new Authenticator(
    validateAuthConfig({ apiKeys: [{ hash: key.hash, identity: 'alice', role: 'qa' }] }),
  );

  it.each([
    [
      'no header',
      {},
      'AUTH_MISSING',
      "No credentials: send `Authorization: Bearer <API key or OIDC token>` (NOTARIZE_TOKEN, or the CI's OIDC token).",
    ],
    [
      'two headers',
      { authorization: ['Bearer a', 'Bearer b'] },
      'AUTH_MALFORMED',
      'Send exactly one Authorization header of reasonable size.',
    ],
    [
      'not Bearer',
      { authorization: `Basic ${key.key}` },
      'AUTH_MALFORMED',
      'The Authorization header must be `Bearer <credential>`.',
    ],
    [
      'neither key nor JWT',
      { authorization: 'Bearer hello' },
      'AUTH_MALFORMED',
      'The bearer credential is neither an API key (nk_…) nor a JWT; check NOTARIZE_TOKEN.',
    ],
    [
      'an unknown key',
      { authorization: `Bearer ${generateApiKey().key}` },
      'AUTH_BAD_API_KEY',
      'The API key is not known to this ledger (mistyped, or removed from its config); ask the ledger admin for a key.',
    ],
    [
      'a JWT without issuers',
      { authorization: 'Bearer a.b.c' },
      'AUTH_TOKEN_ISSUER',
      'This ledger accepts no OIDC tokens (no oidc.issuers configured); use an API key.',
    ],
  ] as [string, RequestHeaders, string, string][])('%s', async (_label, headers, code, message) => {
    const err = await refusal(auth.authenticate(headers));
    expect({ code: err.code, message: err.message, name: err.name }).toEqual({
      code,
      message,
      name: 'AuthError',
    });
  });

  it('reads the Authorization header whatever its case and wherever it is among the others', async () => {
    const headers = {
      accept: 'application/json',
      'x-other': 'Bearer nk_x',
      AuThOrIzAtIoN: `Bearer ${key.key}`,
    };
    expect((await auth.authenticate(headers)).name).toBe('alice');
  });

  it('takes spaces around the credential, not text before Bearer or after it', async () => {
    expect((await auth.authenticate({ authorization: `Bearer   ${key.key}  ` })).name).toBe(
      'alice',
    );
    for (const authorization of [`x Bearer ${key.key}`, `Bearer ${key.key} extra`]) {
      expect((await refusal(auth.authenticate({ authorization }))).code).toBe('AUTH_MALFORMED');
    }
  });

  it('reads a header of up to 16 KiB of credential, refuses one byte more unread', async () => {
    const atLimit = `Bearer nk_${'a'.repeat(MAX_HEADER - 'Bearer nk_'.length)}`;
    expect(atLimit).toHaveLength(MAX_HEADER);
    // Read: refused as an unknown key, not as an oversized header.
    expect((await refusal(auth.authenticate({ authorization: atLimit }))).code).toBe(
      'AUTH_BAD_API_KEY',
    );
    const over = `${atLimit}a`;
    const err = await refusal(auth.authenticate({ authorization: over }));
    expect([err.code, err.message]).toEqual([
      'AUTH_MALFORMED',
      'Send exactly one Authorization header of reasonable size.',
    ]);
  });
});

describe('findApiKey', () => {
  it('returns the first of two entries with the same hash', () => {
    const k = generateApiKey();
    const first = { hash: k.hash, identity: 'first', role: 'qa' };
    const second = { hash: k.hash, identity: 'second', role: 'qa' };
    expect(findApiKey([first, second], k.key)).toBe(first);
  });

  it('skips an entry whose hash is not a sha256: hash, without throwing', () => {
    const k = generateApiKey();
    const entry = { hash: k.hash, identity: 'alice', role: 'qa' };
    expect(findApiKey([{ hash: 'sha256:short', identity: 'x', role: 'qa' }, entry], k.key)).toBe(
      entry,
    );
  });
});

describe('names', () => {
  it('identity names are 1 to 256 characters', () => {
    expect(isIdentityName('a'.repeat(256))).toBe(true);
    expect(isIdentityName('a'.repeat(257))).toBe(false);
    expect(isIdentityName('')).toBe(false);
    expect(isIdentityName('a\tb')).toBe(false);
  });

  it('loopback http is 127.0.0.1, localhost or [::1] over http only', () => {
    for (const u of ['http://127.0.0.1:8080/', 'http://localhost/', 'http://[::1]:9/']) {
      expect(isLoopbackHttp(new URL(u))).toBe(true);
    }
    for (const u of [
      'https://127.0.0.1/',
      'http://127.0.0.2/',
      'http://example.com/',
      'ftp://localhost/',
    ]) {
      expect(isLoopbackHttp(new URL(u))).toBe(false);
    }
  });
});

describe('localPrincipal and authorize messages', () => {
  it('names what an identity name must be', () => {
    const err = thrown(() => localPrincipal('a b'));
    expect([err.code, err.message]).toEqual([
      'AUTH_UNKNOWN_IDENTITY',
      'An identity name is 1-256 characters without spaces; pass --as NAME or set NOTARIZE_IDENTITY.',
    ]);
  });

  it('says what the role may do when it refuses', () => {
    const auditor = thrown(() => authorize({ name: 'eve', role: 'auditor' }, 'assert:trusted'));
    expect(auditor.message).toBe(
      'Identity "eve" (role "auditor") may not assert "trusted"; it may assert nothing. ' +
        'Use an identity whose role allows it, or ask the ledger admin to change the role.',
    );
    const pm = thrown(() => authorize({ name: 'pat', role: 'pm' }, 'evidence'));
    expect(pm.message).toBe(
      'Identity "pat" (role "pm") may not add evidence; it may assert unsupported. ' +
        'Use an identity whose role allows it, or ask the ledger admin to change the role.',
    );
    const legal = thrown(() => authorize({ name: 'lee', role: 'legal' }, 'revoke'));
    expect(legal.message).toBe(
      'Identity "lee" (role "legal") may not revoke identities; it may assert trusted, untrusted. ' +
        'Use an identity whose role allows it, or ask the ledger admin to change the role.',
    );
  });
});
