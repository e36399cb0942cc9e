/**
 * The registry transport against the real thing: Debian's docker-registry (distribution 2.8) on a
 * loopback port, images built with umoci and pushed with skopeo, our digests compared with what
 * skopeo reports. Auth: htpasswd (basic) and token (bearer, with a small token server that signs
 * ES256 JWTs the registry verifies against its root certificate).
 */
import { execFile } from 'node:child_process';
import { createHash, createPrivateKey, sign, X509Certificate } from 'node:crypto';
import http from 'node:http';
import type net from 'node:net';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { DigestError, digestSubject, digestSubjects } from '@notarize/digest';
import {
  addOciIndex,
  buildOciImage,
  pushOci,
  skopeoDigest,
  skopeoRawDigest,
  startRegistry,
  type Registry,
} from './support/registry.ts';

const pexecFile = promisify(execFile);
const CREDS = { username: 'ci-bot', password: 'pa ss:word' };

let work: string;
let layout: string;
beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'digest-registry-'));
  layout = path.join(work, 'layout');
  await buildOciImage(
    layout,
    'amd64',
    { 'app.txt': 'amd64 build' },
    { os: 'linux', architecture: 'amd64' },
  );
  await buildOciImage(
    layout,
    'arm64',
    { 'app.txt': 'arm64 build' },
    { os: 'linux', architecture: 'arm64' },
  );
  await addOciIndex(layout, 'multi', [
    { tag: 'amd64', os: 'linux', architecture: 'amd64' },
    { tag: 'arm64', os: 'linux', architecture: 'arm64' },
  ]);
});
afterAll(() => rm(work, { recursive: true, force: true }));

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'no error';
  } catch (error) {
    return error instanceof DigestError ? error.code : String(error);
  }
}

describe('docker:// against docker-registry (anonymous)', () => {
  let registry: Registry;
  beforeAll(async () => {
    registry = await startRegistry();
    await pushOci(layout, 'amd64', `${registry.host}/team/app:1.0`);
    await pushOci(layout, 'multi', `${registry.host}/team/app:multi`);
  });
  afterAll(() => registry.stop());

  it('single-platform: equals skopeo inspect, by tag and by digest', async () => {
    const ref = `docker://${registry.host}/team/app:1.0`;
    const expected = await skopeoDigest(ref);
    const byTag = await digestSubject(ref, { env: {} });
    expect(byTag).toMatchObject({
      type: 'registry',
      digest: expected,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
    });
    expect(byTag.platforms).toBeUndefined();
    const byDigest = await digestSubject(`docker://${registry.host}/team/app@${expected}`, {
      env: {},
    });
    expect(byDigest.digest).toBe(expected);
  });

  it('multi-platform: the index digest (skopeo, and sha256 of the raw index) and each platform', async () => {
    const ref = `docker://${registry.host}/team/app:multi`;
    const { digest: rawDigest, raw } = await skopeoRawDigest(ref);
    expect(await skopeoDigest(ref)).toBe(rawDigest);
    const result = await digestSubject(ref, { env: {} });
    expect(result.digest).toBe(rawDigest);
    expect(result.mediaType).toBe('application/vnd.oci.image.index.v1+json');
    const listed = (JSON.parse(raw) as { manifests: { digest: string }[] }).manifests.map(
      (m) => m.digest,
    );
    expect(result.platforms?.map((p) => [p.platform, p.digest])).toEqual([
      ['linux/amd64', listed[0]],
      ['linux/arm64', listed[1]],
    ]);
    // Each platform digest is what the registry serves for that platform.
    const amd = await digestSubject(`docker://${registry.host}/team/app@${listed[0]}`, { env: {} });
    expect(amd.digest).toBe(await skopeoDigest(`docker://${registry.host}/team/app:1.0`));
  });

  it('unknown tag, unknown repository and unknown digest are DIGEST_REGISTRY_NOT_FOUND', async () => {
    expect(
      await codeOf(digestSubject(`docker://${registry.host}/team/app:nope`, { env: {} })),
    ).toBe('DIGEST_REGISTRY_NOT_FOUND');
    expect(await codeOf(digestSubject(`docker://${registry.host}/no/such:1`, { env: {} }))).toBe(
      'DIGEST_REGISTRY_NOT_FOUND',
    );
    const d = `sha256:${'e'.repeat(64)}`;
    expect(
      await codeOf(digestSubject(`docker://${registry.host}/team/app@${d}`, { env: {} })),
    ).toBe('DIGEST_REGISTRY_NOT_FOUND');
  });

  it('digests many references in one call', async () => {
    const results = await digestSubjects(
      [`docker://${registry.host}/team/app:1.0`, `docker://${registry.host}/team/app:multi`],
      { env: {} },
    );
    expect(results.map((r) => r.type)).toEqual(['registry', 'registry']);
  });
});

describe('docker:// with htpasswd (basic) auth', () => {
  let registry: Registry;
  beforeAll(async () => {
    registry = await startRegistry({ htpasswd: CREDS });
    await pushOci(layout, 'amd64', `${registry.host}/private/app:1.0`, CREDS);
  });
  afterAll(() => registry.stop());
  const ref = () => `docker://${registry.host}/private/app:1.0`;

  it('anonymous is refused with DIGEST_REGISTRY_AUTH', async () => {
    expect(await codeOf(digestSubject(ref(), { env: {} }))).toBe('DIGEST_REGISTRY_AUTH');
  });

  it('wrong credentials are refused', async () => {
    const env = { NOTARIZE_REGISTRY_USERNAME: CREDS.username, NOTARIZE_REGISTRY_PASSWORD: 'wrong' };
    expect(await codeOf(digestSubject(ref(), { env }))).toBe('DIGEST_REGISTRY_AUTH');
  });

  it('credentials from the env work and equal skopeo', async () => {
    const env = {
      NOTARIZE_REGISTRY_USERNAME: CREDS.username,
      NOTARIZE_REGISTRY_PASSWORD: CREDS.password,
    };
    expect((await digestSubject(ref(), { env })).digest).toBe(await skopeoDigest(ref(), CREDS));
  });

  it('credentials from a docker config.json work', async () => {
    const dockerConfig = path.join(work, 'docker-config');
    await mkdir(dockerConfig, { recursive: true });
    const auth = Buffer.from(`${CREDS.username}:${CREDS.password}`).toString('base64');
    await writeFile(
      path.join(dockerConfig, 'config.json'),
      JSON.stringify({ auths: { [registry.host]: { auth } } }),
    );
    const result = await digestSubject(ref(), { env: { DOCKER_CONFIG: dockerConfig } });
    expect(result.digest).toBe(await skopeoDigest(ref(), CREDS));
  });
});

/**
 * A token server as registries expect one (distribution's token auth): it checks basic
 * credentials when `requireLogin`, and returns a JWT signed with a key whose certificate is the
 * registry's root certificate bundle.
 */
async function startTokenServer(
  keyPem: string,
  certPem: string,
  options: { requireLogin: boolean; service: string; issuer: string },
): Promise<{ url: string; requests: string[]; requireLogin: boolean; close(): Promise<void> }> {
  const key = createPrivateKey(keyPem);
  const x5c = new X509Certificate(certPem).raw.toString('base64');
  const requests: string[] = [];
  const state = { requireLogin: options.requireLogin };
  const b64url = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    requests.push(url.search);
    const expected = `Basic ${Buffer.from(`${CREDS.username}:${CREDS.password}`).toString('base64')}`;
    const loggedIn = req.headers.authorization === expected;
    if ((state.requireLogin && !loggedIn) || (req.headers.authorization && !loggedIn)) {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end('{"details":"bad credentials"}');
      return;
    }
    const access = url.searchParams.getAll('scope').map((scope) => {
      const [type, ...rest] = scope.split(':');
      const actions = (rest.pop() ?? '').split(',');
      return { type, name: rest.join(':'), actions };
    });
    const now = Math.floor(Date.now() / 1000);
    const header = b64url({ alg: 'ES256', typ: 'JWT', x5c: [x5c] });
    const claims = b64url({
      iss: options.issuer,
      sub: loggedIn ? CREDS.username : '',
      aud: options.service,
      exp: now + 300,
      nbf: now - 60,
      iat: now,
      jti: createHash('sha256').update(String(Math.random())).digest('hex'),
      access,
    });
    const signature = sign('sha256', Buffer.from(`${header}.${claims}`), {
      key,
      dsaEncoding: 'ieee-p1363',
    });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ token: `${header}.${claims}.${signature.toString('base64url')}` }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/token`,
    requests,
    get requireLogin() {
      return state.requireLogin;
    },
    set requireLogin(value: boolean) {
      state.requireLogin = value;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('docker:// with token (bearer) auth', () => {
  const service = 'test-registry';
  const issuer = 'test-token-issuer';
  let certDir: string;
  let keyPem: string;
  let certPem: string;
  beforeAll(async () => {
    certDir = path.join(work, 'token-certs');
    await mkdir(certDir);
    await pexecFile(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        'key.pem',
        '-out',
        'cert.pem',
        '-subj',
        '/CN=token-signer',
        '-days',
        '1',
      ],
      { cwd: certDir },
    );
    keyPem = await readFile(path.join(certDir, 'key.pem'), 'utf8');
    certPem = await readFile(path.join(certDir, 'cert.pem'), 'utf8');
  });

  async function withTokenRegistry(
    requireLogin: boolean,
    test: (host: string, tokens: { requests: string[] }) => Promise<void>,
  ) {
    // Pushing needs a login; the anonymous case opens pulls to everyone after the push.
    const tokens = await startTokenServer(keyPem, certPem, { requireLogin: true, service, issuer });
    const registry = await startRegistry({
      token: { realm: tokens.url, service, issuer, rootCertBundle: path.join(certDir, 'cert.pem') },
    });
    try {
      await pushOci(layout, 'amd64', `${registry.host}/secure/app:1.0`, CREDS);
      tokens.requireLogin = requireLogin;
      await test(registry.host, tokens);
    } finally {
      await registry.stop();
      await tokens.close();
    }
  }

  it('with credentials: token fetched with basic auth, scope for the repository, digest equals skopeo', async () => {
    await withTokenRegistry(true, async (host, tokens) => {
      const ref = `docker://${host}/secure/app:1.0`;
      expect(await codeOf(digestSubject(ref, { env: {} }))).toBe('DIGEST_REGISTRY_AUTH');
      const env = {
        NOTARIZE_REGISTRY_USERNAME: CREDS.username,
        NOTARIZE_REGISTRY_PASSWORD: CREDS.password,
      };
      const before = tokens.requests.length;
      const result = await digestSubject(ref, { env });
      expect(result.digest).toBe(await skopeoDigest(ref, CREDS));
      const query = new URLSearchParams(tokens.requests[before]);
      expect(query.get('service')).toBe(service);
      expect(query.get('scope')).toBe('repository:secure/app:pull');
    });
  });

  it('anonymous pull through the token flow', async () => {
    await withTokenRegistry(false, async (host, tokens) => {
      const ref = `docker://${host}/secure/app:1.0`;
      const before = tokens.requests.length;
      expect((await digestSubject(ref, { env: {} })).digest).toBe(await skopeoDigest(ref));
      expect(tokens.requests.length).toBeGreaterThan(before);
    });
  });
});
