/**
 * Authentication and authorization over HTTP: every built-in role x every action, OIDC tokens
 * from a local issuer accepted and refused, anonymous reads, read-only mode, revocation.
 */
import { ACTIONS, type Action } from '../packages/server/src/auth/roles.ts';
import { buildEvidence, buildRevocation } from '@notarize/trust';
import { openLedgerClient } from '@notarize/client';
import { githubClaims, startOidcIssuer, type OidcIssuer } from './support/oidc-issuer.ts';
import {
  ROLES,
  assertion,
  digestOf,
  startHarness,
  type BuiltinRole,
  type Harness,
} from './support/service-harness.ts';

async function call(
  h: Harness,
  token: string | undefined,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(h.url + path, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

const size = async (h: Harness) =>
  ((await call(h, undefined, 'GET', '/healthz')).json.size as number) ?? -1;

function requestFor(action: Action, role: string): [string, string, unknown] {
  const d = digestOf(`matrix-${role}-${action}`);
  switch (action) {
    case 'read':
      return ['GET', `/v1/subjects/${d}`, undefined];
    case 'revoke':
      // force: the identity never wrote to the ledger (see the IDENTITY_UNKNOWN test below).
      return [
        'POST',
        '/v1/revocations',
        { identity: `nobody-${role}`, reason: 'matrix', force: true },
      ];
    case 'evidence':
      return [
        'POST',
        '/v1/entries',
        {
          entries: [
            buildEvidence({
              subjects: [{ name: 'a', digest: d }],
              ci: { provider: 'github', project: 'acme/widgets', jobId: '1' },
              // The blob uploaded in beforeAll: evidence of a blob the service lacks is refused.
              file: { name: 'x.log', mediaType: 'text/plain', size: 1, digest: blobDigest },
            }),
          ],
        },
      ];
    default:
      return [
        'POST',
        '/v1/entries',
        { entries: [assertion(d, action.slice('assert:'.length) as 'trusted')] },
      ];
  }
}

let blobDigest = '';

describe('authorization matrix over HTTP (anonymous reads off)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ config: { anonymousRead: false } });
    const put = await fetch(`${h.url}/v1/blobs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${h.keys.pipeline}` },
      body: 'x',
    });
    blobDigest = ((await put.json()) as { digest: string }).digest;
  });
  afterAll(() => h.close());

  // The expected answers are written out here, not derived from the roles code under test.
  const MAY: Record<BuiltinRole, readonly Action[]> = {
    pipeline: ['assert:trusted', 'assert:untrusted', 'evidence', 'read'],
    scanner: ['assert:trusted', 'assert:untrusted', 'evidence', 'read'],
    qa: ['assert:trusted', 'assert:untrusted', 'evidence', 'read'],
    legal: ['assert:trusted', 'assert:untrusted', 'read'],
    pm: ['assert:unsupported', 'read'],
    auditor: ['read'],
    admin: [
      'assert:trusted',
      'assert:untrusted',
      'assert:unsupported',
      'evidence',
      'read',
      'revoke',
    ],
  };

  it('covers every action', () => {
    expect(ACTIONS).toEqual([
      'assert:trusted',
      'assert:untrusted',
      'assert:unsupported',
      'evidence',
      'read',
      'revoke',
    ]);
  });

  const cases = ROLES.flatMap((role) => ACTIONS.map((action) => [role, action] as const));
  it.each(cases)('role %s, action %s', async (role: BuiltinRole, action: Action) => {
    const allowed = MAY[role].includes(action);
    const [method, path, body] = requestFor(action, role);
    const before = await size(h);
    const res = await call(h, h.keys[role], method, path, body);
    if (allowed) {
      expect(res.status).toBe(method === 'GET' ? 200 : 201);
      // The entry and the map head that closes its batch.
      if (method === 'POST') expect(await size(h)).toBe(before + 2);
    } else {
      expect(res.status).toBe(403);
      expect(res.json.code).toBe('FORBIDDEN');
      expect(await size(h)).toBe(before);
    }
  });

  it('refuses anonymous reads and unknown keys with 401', async () => {
    const anon = await call(h, undefined, 'GET', '/v1/info');
    expect(anon.status).toBe(401);
    expect(anon.json.code).toBe('UNAUTHENTICATED');
    const bad = await call(h, `nk_${'A'.repeat(43)}`, 'GET', '/v1/info');
    expect(bad.status).toBe(401);
  });

  it('refuses every write of a revoked identity', async () => {
    const d = digestOf('revoked');
    expect(
      (await call(h, h.keys.legal, 'POST', '/v1/entries', { entries: [assertion(d)] })).status,
    ).toBe(201);
    const rev = await call(h, h.keys.admin, 'POST', '/v1/revocations', {
      identity: 'legal-bot',
      reason: 'left',
    });
    expect(rev.status).toBe(201);
    const receipts = rev.json.receipts as { entry: { kind: string; identity: { name: string } } }[];
    expect(receipts[0]!.entry).toMatchObject({
      kind: 'revocation',
      identity: { name: 'admin-bot' },
    });
    const after = await call(h, h.keys.legal, 'POST', '/v1/entries', { entries: [assertion(d)] });
    expect(after.status).toBe(403);
    expect(after.json.code).toBe('IDENTITY_REVOKED');
  });

  it('refuses to revoke an identity that does not exist (a look-alike name) unless forced', async () => {
    // Issue 14 item 4: "qa\u2010bot" (U+2010 HYPHEN) looks like qa-bot but is nobody; revoking it
    // used to be accepted and change nothing.
    await call(h, h.keys.qa, 'POST', '/v1/entries', { entries: [assertion(digestOf('qa'))] });
    const before = await size(h);
    for (const route of ['/v1/revocations', '/v1/entries'] as const) {
      const body =
        route === '/v1/revocations'
          ? { identity: 'qa\u2010bot', reason: 'left' }
          : {
              entries: [
                (await buildRevocation({ identity: 'qa\u2010bot', reason: 'x' })) as object,
              ],
            };
      const res = await call(h, h.keys.admin, 'POST', route, body);
      expect(res.status).toBe(404);
      expect(res.json).toMatchObject({ code: 'IDENTITY_UNKNOWN' });
      expect(String(res.json.message)).toMatch(/force/);
    }
    expect(await size(h)).toBe(before);
    // A configured identity, and one that wrote, can be revoked; force revokes a name ahead of use.
    const forced = await call(h, h.keys.admin, 'POST', '/v1/revocations', {
      identity: 'qa\u2010bot',
      reason: 'squatting a look-alike name',
      force: true,
    });
    expect(forced.status).toBe(201);
    // The revocation and the map head of its batch.
    expect(await size(h)).toBe(before + 2);
  });
});

describe('OIDC tokens over HTTP', () => {
  let issuer: OidcIssuer;
  let h: Harness;
  beforeAll(async () => {
    issuer = await startOidcIssuer({ defaultAudience: 'notarize-test' });
    h = await startHarness({
      config: {
        oidc: {
          issuers: [
            {
              issuer: issuer.url,
              audience: 'notarize-test',
              jwksUri: issuer.jwksUri,
              rules: [
                {
                  match: { repository: 'acme/*' },
                  identity: 'github:{repository}',
                  role: 'pipeline',
                },
              ],
            },
          ],
        },
      },
    });
  });
  afterAll(async () => {
    await h.close();
    await issuer.close();
  });

  it('accepts a valid token and records the verified claims in the entry', async () => {
    const token = await issuer.mint(githubClaims());
    const res = await call(h, token, 'POST', '/v1/entries', {
      entries: [assertion(digestOf('oidc-ok'))],
    });
    expect(res.status).toBe(201);
    const identity = (res.json.receipts as { entry: { identity: Record<string, unknown> } }[])[0]!
      .entry.identity;
    expect(identity).toMatchObject({
      name: 'github:acme/widgets',
      role: 'pipeline',
      auth: 'oidc',
      repository: 'acme/widgets',
    });
    expect(JSON.stringify(identity)).not.toContain(token);
  });

  it.each([
    ['expired', { expiresIn: -600 }],
    ['wrong audience', { audience: 'someone-else' }],
  ])('refuses a token that is %s, writing nothing', async (_what, options) => {
    const before = await size(h);
    const token = await issuer.mint(githubClaims(), options);
    const res = await call(h, token, 'POST', '/v1/entries', {
      entries: [assertion(digestOf('oidc-bad'))],
    });
    expect(res.status).toBe(401);
    expect(res.json.code).toBe('UNAUTHENTICATED');
    expect(await size(h)).toBe(before);
  });

  it.each(['alg-none', 'hs256-public-key', 'wrong-key', 'tampered'] as const)(
    'refuses a forged token (%s)',
    async (kind) => {
      const token = await issuer.mintBad(kind, githubClaims());
      const res = await call(h, token, 'POST', '/v1/entries', {
        entries: [assertion(digestOf('forged'))],
      });
      expect(res.status).toBe(401);
    },
  );

  it('refuses a token no rule maps to an identity with 403', async () => {
    const token = await issuer.mint(githubClaims({ repository: 'evil/repo' }));
    const res = await call(h, token, 'POST', '/v1/entries', {
      entries: [assertion(digestOf('norule'))],
    });
    expect(res.status).toBe(403);
  });
});

describe('read-only service (no config)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ readOnly: true });
  });
  afterAll(() => h.close());

  it('serves reads to anyone and refuses every write with READ_ONLY', async () => {
    expect((await call(h, undefined, 'GET', '/v1/info')).json.readOnly).toBe(true);
    expect((await call(h, 'whatever', 'GET', `/v1/subjects/${digestOf('ro')}`)).status).toBe(200);
    const write = await call(h, h.keys.admin, 'POST', '/v1/entries', {
      entries: [assertion(digestOf('ro'))],
    });
    expect(write.status).toBe(403);
    expect(write.json.code).toBe('READ_ONLY');
  });

  it('follows entries the CLI appends to the same directory (file: ledger)', async () => {
    const reader = await h.client();
    const before = (await reader.checkpoint()).size;
    const local = await openLedgerClient(`file:${h.dataDir}`, {
      identity: 'alice',
      statePath: false,
      env: {},
      notice: () => {},
    });
    const d = digestOf('ro-follow');
    await local.append([assertion(d)]);
    await local.close();
    await new Promise((r) => setTimeout(r, 1100));
    expect((await reader.subject(d)).entries).toHaveLength(1);
    // The entry and the map head that closes its batch.
    expect((await reader.checkpoint()).size).toBe(before + 2);
  });
});
