import { createHash } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type net from 'node:net';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Agent, type Dispatcher } from 'undici';
import { digestSubject } from '../digest.ts';
import { parseChallenge } from '../registry/challenge.ts';
import { findCredentials } from '../registry/credentials.ts';
import { expectDigestError, sh, tempDir } from './helpers.ts';

/**
 * Fakes of a registry for the cases a real one cannot be made to produce (a body that does not
 * match its digest, a hang, a TLS certificate nobody trusts). The real registry is exercised in
 * test/digest-registry.test.ts.
 */
type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

interface Fake {
  host: string;
  requests: { url: string; headers: http.IncomingHttpHeaders }[];
  close(): Promise<void>;
}

async function listen(server: http.Server | https.Server, handler: Handler): Promise<Fake> {
  const requests: Fake['requests'] = [];
  const sockets = new Set<net.Socket>();
  server.on('connection', (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    requests.push({ url: req.url ?? '', headers: req.headers });
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    host: `127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

const fakeRegistry = (handler: Handler) => listen(http.createServer(), handler);

const MANIFEST = Buffer.from(
  JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: {
      mediaType: 'application/vnd.oci.image.config.v1+json',
      digest: `sha256:${'c'.repeat(64)}`,
      size: 2,
    },
    layers: [],
  }),
);
const digestOf = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const MANIFEST_DIGEST = digestOf(MANIFEST);

function serveManifest(
  res: http.ServerResponse,
  body = MANIFEST,
  announced = digestOf(body),
): void {
  res.writeHead(200, {
    'content-type': 'application/vnd.oci.image.manifest.v1+json',
    'docker-content-digest': announced,
    'content-length': body.length,
  });
  res.end(body);
}

let fakes: Fake[] = [];
afterEach(async () => {
  await Promise.all(fakes.map((f) => f.close()));
  fakes = [];
});
const track = (f: Fake) => (fakes.push(f), f);

describe('registry client against fakes', () => {
  it('asks for the manifest only, accepting OCI and Docker manifests and indexes', async () => {
    const fake = track(await fakeRegistry((_req, res) => serveManifest(res)));
    const result = await digestSubject(`docker://${fake.host}/team/app:v1`, { env: {} });
    expect(result).toEqual({
      subject: `docker://${fake.host}/team/app:v1`,
      type: 'registry',
      digest: MANIFEST_DIGEST,
      size: MANIFEST.length,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
    });
    expect(fake.requests.map((r) => r.url)).toEqual(['/v2/team/app/manifests/v1']);
    const accept = String(fake.requests[0]?.headers.accept);
    for (const t of [
      'application/vnd.oci.image.index.v1+json',
      'application/vnd.oci.image.manifest.v1+json',
      'application/vnd.docker.distribution.manifest.v2+json',
      'application/vnd.docker.distribution.manifest.list.v2+json',
    ]) {
      expect(accept).toContain(t);
    }
  });

  it('refuses a body whose digest differs from Docker-Content-Digest', async () => {
    const fake = track(
      await fakeRegistry((_req, res) => serveManifest(res, MANIFEST, `sha256:${'0'.repeat(64)}`)),
    );
    const e = await expectDigestError(
      digestSubject(`docker://${fake.host}/r:t`, { env: {} }),
      'DIGEST_MISMATCH',
    );
    expect(e.category).toBe('verification');
  });

  it('refuses a body that does not hash to the digest asked for, even without the header', async () => {
    const fake = track(
      await fakeRegistry((_req, res) => {
        res.writeHead(200, { 'content-type': 'application/vnd.oci.image.manifest.v1+json' });
        res.end(MANIFEST);
      }),
    );
    const asked = `sha256:${'a'.repeat(64)}`;
    await expectDigestError(
      digestSubject(`docker://${fake.host}/r@${asked}`, { env: {} }),
      'DIGEST_MISMATCH',
    );
    // The same body asked for by its true digest is accepted.
    const ok = await digestSubject(`docker://${fake.host}/r@${MANIFEST_DIGEST}`, { env: {} });
    expect(ok.digest).toBe(MANIFEST_DIGEST);
  });

  it('reports an index digest and each platform', async () => {
    const index = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.docker.distribution.manifest.list.v2+json',
        manifests: [
          {
            mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
            digest: `sha256:${'1'.repeat(64)}`,
            size: 10,
            platform: { os: 'linux', architecture: 'arm', variant: 'v7' },
          },
          {
            mediaType: 'application/vnd.oci.image.manifest.v1+json',
            digest: `sha256:${'2'.repeat(64)}`,
            size: 11,
          },
        ],
      }),
    );
    const fake = track(await fakeRegistry((_req, res) => serveManifest(res, index)));
    const result = await digestSubject(`docker://${fake.host}/r:t`, { env: {} });
    expect(result.digest).toBe(digestOf(index));
    expect(result.platforms).toEqual([
      {
        platform: 'linux/arm/v7',
        digest: `sha256:${'1'.repeat(64)}`,
        mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
        size: 10,
      },
      {
        platform: 'unknown',
        digest: `sha256:${'2'.repeat(64)}`,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        size: 11,
      },
    ]);
  });

  it('follows the bearer challenge: token from the realm with service and scope, then retries', async () => {
    let tokenRequest: URL | undefined;
    let tokenAuth: string | undefined;
    const tokens = track(
      await fakeRegistry((req, res) => {
        tokenRequest = new URL(req.url ?? '', 'http://x');
        tokenAuth = req.headers.authorization;
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ access_token: 'tok-123' }));
      }),
    );
    const registry = track(
      await fakeRegistry((req, res) => {
        if (req.headers.authorization !== 'Bearer tok-123') {
          res.writeHead(401, {
            'www-authenticate': `Bearer realm="http://${tokens.host}/token",service="fake registry",scope="repository:r/x:pull"`,
          });
          res.end('{"errors":[{"code":"UNAUTHORIZED"}]}');
          return;
        }
        serveManifest(res);
      }),
    );
    const env = { NOTARIZE_REGISTRY_USERNAME: 'alice', NOTARIZE_REGISTRY_PASSWORD: 's3cret' };
    const result = await digestSubject(`docker://${registry.host}/r/x:t`, { env });
    expect(result.digest).toBe(MANIFEST_DIGEST);
    expect(tokenRequest?.searchParams.get('service')).toBe('fake registry');
    expect(tokenRequest?.searchParams.get('scope')).toBe('repository:r/x:pull');
    expect(tokenAuth).toBe(`Basic ${Buffer.from('alice:s3cret').toString('base64')}`);
    expect(registry.requests).toHaveLength(2);
  });

  it('anonymous bearer flow sends no credentials; a refused token is DIGEST_REGISTRY_AUTH', async () => {
    const tokens = track(
      await fakeRegistry((req, res) => {
        res.writeHead(req.headers.authorization ? 500 : 401);
        res.end();
      }),
    );
    const registry = track(
      await fakeRegistry((_req, res) => {
        res.writeHead(401, {
          'www-authenticate': `Bearer realm="http://${tokens.host}/token",service="s"`,
        });
        res.end();
      }),
    );
    const e = await expectDigestError(
      digestSubject(`docker://${registry.host}/r:t`, { env: {} }),
      'DIGEST_REGISTRY_AUTH',
    );
    expect(e.category).toBe('forbidden');
    expect(tokens.requests[0]?.headers.authorization).toBeUndefined();
    expect(new URL(tokens.requests[0]?.url ?? '', 'http://x').searchParams.get('scope')).toBe(
      'repository:r:pull',
    );
  });

  it('maps 404, 403 and 500 to typed errors', async () => {
    const fake = track(
      await fakeRegistry((req, res) => {
        const status = req.url?.includes('missing') ? 404 : req.url?.includes('denied') ? 403 : 500;
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({ errors: [{ code: status === 404 ? 'MANIFEST_UNKNOWN' : 'DENIED' }] }),
        );
      }),
    );
    const nf = await expectDigestError(
      digestSubject(`docker://${fake.host}/r:missing`, { env: {} }),
      'DIGEST_REGISTRY_NOT_FOUND',
    );
    expect(nf.message).toContain('MANIFEST_UNKNOWN');
    await expectDigestError(
      digestSubject(`docker://${fake.host}/r:denied`, { env: {} }),
      'DIGEST_REGISTRY_AUTH',
    );
    const e = await expectDigestError(
      digestSubject(`docker://${fake.host}/r:boom`, { env: {} }),
      'DIGEST_REGISTRY_PROTOCOL',
    );
    expect(e.category).toBe('unavailable');
  });

  it('refuses an oversized manifest', async () => {
    const fake = track(
      await fakeRegistry((_req, res) => serveManifest(res, Buffer.alloc(5 << 20, 0x20))),
    );
    await expectDigestError(
      digestSubject(`docker://${fake.host}/r:t`, { env: {} }),
      'DIGEST_REGISTRY_PROTOCOL',
    );
  });

  it('times out on a registry that never answers', async () => {
    const fake = track(await fakeRegistry(() => undefined));
    const started = Date.now();
    await expectDigestError(
      digestSubject(`docker://${fake.host}/r:t`, { env: {}, timeoutMs: 300 }),
      'DIGEST_REGISTRY_TIMEOUT',
    );
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('reports an unreachable registry', async () => {
    const fake = await fakeRegistry(() => undefined);
    const host = fake.host;
    await fake.close();
    const e = await expectDigestError(
      digestSubject(`docker://${host}/r:t`, { env: {} }),
      'DIGEST_REGISTRY_UNREACHABLE',
    );
    expect(e.category).toBe('unavailable');
  });

  it('uses the injected dispatcher for every request', async () => {
    const fake = track(await fakeRegistry((_req, res) => serveManifest(res)));
    let dispatched = 0;
    class CountingAgent extends Agent {
      override dispatch(
        options: Dispatcher.DispatchOptions,
        handler: Dispatcher.DispatchHandler,
      ): boolean {
        dispatched++;
        return super.dispatch(options, handler);
      }
    }
    const dispatcher = new CountingAgent();
    try {
      await digestSubject(`docker://${fake.host}/r:t`, { env: {}, dispatcher });
      // One https attempt (the fake speaks plain http) and the http request.
      expect(dispatched).toBe(2);
    } finally {
      await dispatcher.close();
    }
  });

  describe('TLS', () => {
    let certDir: string;
    let cleanup: () => Promise<void>;
    let tlsFake: Fake;
    beforeAll(async () => {
      ({ dir: certDir, cleanup } = await tempDir());
      await sh(
        'openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout key.pem -out cert.pem ' +
          "-subj /CN=localhost -days 1 -addext 'subjectAltName=IP:127.0.0.1' 2>/dev/null",
        certDir,
      );
      const server = https.createServer({
        key: await readFile(path.join(certDir, 'key.pem')),
        cert: await readFile(path.join(certDir, 'cert.pem')),
      });
      tlsFake = await listen(server, (_req, res) => serveManifest(res));
    });
    afterAll(async () => {
      await tlsFake.close();
      await cleanup();
    });

    it('an untrusted certificate is DIGEST_REGISTRY_TLS, never a silent fallback to http', async () => {
      const e = await expectDigestError(
        digestSubject(`docker://${tlsFake.host}/r:t`, { env: {} }),
        'DIGEST_REGISTRY_TLS',
      );
      expect(e.message).toMatch(/--insecure-registry/);
    });

    it('insecure accepts it', async () => {
      const result = await digestSubject(`docker://${tlsFake.host}/r:t`, {
        env: {},
        insecure: true,
      });
      expect(result.digest).toBe(MANIFEST_DIGEST);
    });
  });
});

describe('registry credentials', () => {
  it('come from the env first, then the docker config auths', async () => {
    const { dir, cleanup } = await tempDir();
    try {
      await mkdir(path.join(dir, 'docker'));
      await writeFile(
        path.join(dir, 'docker', 'config.json'),
        JSON.stringify({
          auths: {
            'https://index.docker.io/v1/': { auth: Buffer.from('hub:hubpw').toString('base64') },
            'ghcr.io': { username: 'gh', password: 'ghpw' },
            'http://127.0.0.1:5000': { auth: Buffer.from('loc:al:pw').toString('base64') },
          },
        }),
      );
      const env = { DOCKER_CONFIG: path.join(dir, 'docker') };
      expect(await findCredentials('docker.io', env)).toMatchObject({
        username: 'hub',
        password: 'hubpw',
      });
      expect(await findCredentials('ghcr.io', env)).toMatchObject({
        username: 'gh',
        password: 'ghpw',
      });
      expect(await findCredentials('127.0.0.1:5000', env)).toMatchObject({
        username: 'loc',
        password: 'al:pw',
      });
      expect(await findCredentials('quay.io', env)).toBeUndefined();
      const both = { ...env, NOTARIZE_REGISTRY_USERNAME: 'u', NOTARIZE_REGISTRY_PASSWORD: 'p' };
      expect(await findCredentials('ghcr.io', both)).toMatchObject({
        username: 'u',
        password: 'p',
      });
      expect(await findCredentials('ghcr.io', { HOME: dir })).toBeUndefined();
    } finally {
      await cleanup();
    }
  });
});

describe('parseChallenge', () => {
  it('parses bearer and basic challenges', () => {
    expect(
      parseChallenge(
        'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull"',
      ),
    ).toEqual({
      scheme: 'bearer',
      params: {
        realm: 'https://auth.docker.io/token',
        service: 'registry.docker.io',
        scope: 'repository:library/alpine:pull',
      },
    });
    expect(parseChallenge('Basic realm="Registry Realm"')).toEqual({
      scheme: 'basic',
      params: { realm: 'Registry Realm' },
    });
    expect(parseChallenge('Bearer realm=https://x/t, service=s')).toEqual({
      scheme: 'bearer',
      params: { realm: 'https://x/t', service: 's' },
    });
    expect(parseChallenge(undefined)).toBeUndefined();
  });
});
