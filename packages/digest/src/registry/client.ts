import { Agent, request, type Dispatcher } from 'undici';
import { DigestError } from '../errors.ts';
import { sha256Digest } from '../hash.ts';
import { MANIFEST_ACCEPT, documentMediaType, isIndexType, platformsOf } from '../media-types.ts';
import type { PlatformDigest } from '../types.ts';
import { parseChallenge } from './challenge.ts';
import { basicAuth, findCredentials, type Credentials } from './credentials.ts';
import { isNotTls, networkError } from './errors.ts';
import { formatReference, isLoopback, type RegistryReference } from './reference.ts';

export interface RegistryOptions {
  insecure?: boolean;
  dispatcher?: Dispatcher;
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
}

export interface RegistryManifest {
  digest: string;
  size: number;
  mediaType?: string;
  platforms?: PlatformDigest[];
}

/** Manifests are small; containers/image caps them at 4 MiB too. */
const MAX_MANIFEST = 4 << 20;
const MAX_TOKEN_RESPONSE = 1 << 20;
const DEFAULT_TIMEOUT = 30_000;

interface Response {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

const header = (r: Response, name: string): string | undefined => {
  const v = r.headers[name];
  return Array.isArray(v) ? v[0] : v;
};

/**
 * Resolves a registry reference to the digest of its manifest or index using the distribution
 * API v2: one GET of /v2/<repo>/manifests/<ref> (never a layer), answering a 401 challenge with a
 * bearer token (anonymous or with credentials) or basic auth. The body is hashed and must equal
 * the Docker-Content-Digest header and the digest asked for.
 */
export async function fetchManifestDigest(
  ref: RegistryReference,
  options: RegistryOptions = {},
): Promise<RegistryManifest> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT;
  const insecure = options.insecure ?? false;
  const ownAgent = options.dispatcher
    ? undefined
    : new Agent({
        connectTimeout: timeoutMs,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
        connect: { rejectUnauthorized: !insecure },
      });
  const dispatcher = options.dispatcher ?? (ownAgent as Agent);
  const plainHttpAllowed = insecure || isLoopback(ref.endpoint);
  const session = new Session(ref, dispatcher, timeoutMs, plainHttpAllowed, options);
  try {
    return await session.run();
  } finally {
    await ownAgent?.close();
  }
}

class Session {
  private readonly ref: RegistryReference;
  private readonly dispatcher: Dispatcher;
  private readonly timeoutMs: number;
  private readonly plainHttpAllowed: boolean;
  private readonly options: RegistryOptions;
  private credentials: Credentials | undefined | null = null;

  constructor(
    ref: RegistryReference,
    dispatcher: Dispatcher,
    timeoutMs: number,
    plainHttpAllowed: boolean,
    options: RegistryOptions,
  ) {
    this.ref = ref;
    this.dispatcher = dispatcher;
    this.timeoutMs = timeoutMs;
    this.plainHttpAllowed = plainHttpAllowed;
    this.options = options;
  }

  private get display(): string {
    return formatReference(this.ref);
  }

  async run(): Promise<RegistryManifest> {
    try {
      return await this.resolve();
    } catch (error) {
      throw networkError(error, `https://${this.ref.endpoint}`, this.timeoutMs);
    }
  }

  private async resolve(): Promise<RegistryManifest> {
    const path = `/v2/${this.ref.repository}/manifests/${this.ref.digest ?? this.ref.tag ?? 'latest'}`;
    let base = `https://${this.ref.endpoint}`;
    let response: Response;
    try {
      response = await this.get(`${base}${path}`, {});
    } catch (error) {
      // Like Docker for insecure/loopback registries: https first, plain http if the peer does not
      // speak TLS.
      if (!this.plainHttpAllowed || !isNotTls(error)) throw error;
      base = `http://${this.ref.endpoint}`;
      response = await this.get(`${base}${path}`, {});
    }
    if (response.status === 401) {
      const authorization = await this.authorize(header(response, 'www-authenticate'), base);
      response = await this.get(`${base}${path}`, { authorization });
      if (response.status === 401 || response.status === 403) {
        throw new DigestError(
          'DIGEST_REGISTRY_AUTH',
          `${this.display}: the registry refused the credentials from ${this.credentials?.source ?? '(anonymous)'} (HTTP ${response.status}); check them and the pull permission on ${this.ref.repository}`,
        );
      }
    }
    return this.manifestFrom(response);
  }

  private manifestFrom(response: Response): RegistryManifest {
    const { status } = response;
    if (status === 403) {
      throw new DigestError(
        'DIGEST_REGISTRY_AUTH',
        `${this.display}: access denied (HTTP 403); the identity lacks pull permission on ${this.ref.repository}`,
      );
    }
    if (status === 404) {
      throw new DigestError(
        'DIGEST_REGISTRY_NOT_FOUND',
        `${this.display}: not found in the registry (${registryErrorCodes(response.body) || 'HTTP 404'}); check the repository name and the ${this.ref.digest ? 'digest' : 'tag'}`,
      );
    }
    if (status !== 200) {
      throw new DigestError(
        'DIGEST_REGISTRY_PROTOCOL',
        `${this.display}: unexpected HTTP ${status} from the registry (${registryErrorCodes(response.body) || 'no error body'})`,
      );
    }
    const digest = sha256Digest(response.body);
    const announced = header(response, 'docker-content-digest');
    if (announced !== undefined && announced.startsWith('sha256:') && announced !== digest) {
      throw new DigestError(
        'DIGEST_MISMATCH',
        `${this.display}: the manifest body hashes to ${digest} but the registry announced ${announced}; refusing it (corrupted or tampered)`,
      );
    }
    if (this.ref.digest !== undefined && this.ref.digest !== digest) {
      throw new DigestError(
        'DIGEST_MISMATCH',
        `${this.display}: the registry returned a manifest that hashes to ${digest}, not the digest asked for; refusing it (corrupted or tampered)`,
      );
    }
    let doc: unknown;
    try {
      doc = JSON.parse(response.body.toString('utf8'));
    } catch (error) {
      throw new DigestError(
        'DIGEST_REGISTRY_PROTOCOL',
        `${this.display}: the manifest is not JSON`,
        {
          cause: error,
        },
      );
    }
    const contentType = header(response, 'content-type')?.split(';')[0]?.trim();
    const mediaType = documentMediaType(doc) ?? contentType;
    const result: RegistryManifest = { digest, size: response.body.length };
    if (mediaType) result.mediaType = mediaType;
    if (isIndexType(mediaType)) result.platforms = platformsOf(doc);
    return result;
  }

  /** Answers a 401 challenge: returns the Authorization header to retry with. */
  private async authorize(challengeHeader: string | undefined, base: string): Promise<string> {
    const challenge = parseChallenge(challengeHeader);
    const credentials = await this.getCredentials();
    if (challenge?.scheme === 'basic') {
      if (!credentials) {
        throw new DigestError(
          'DIGEST_REGISTRY_AUTH',
          `${this.display}: the registry requires a login; set NOTARIZE_REGISTRY_USERNAME/PASSWORD or log in with docker/skopeo login`,
        );
      }
      this.refuseCleartext(base);
      return basicAuth(credentials);
    }
    if (challenge?.scheme !== 'bearer' || !challenge.params.realm) {
      throw new DigestError(
        'DIGEST_REGISTRY_AUTH',
        `${this.display}: HTTP 401 with an unsupported challenge (${challengeHeader ?? 'none'})`,
      );
    }
    let realm: URL;
    try {
      realm = new URL(challenge.params.realm);
    } catch (error) {
      throw new DigestError(
        'DIGEST_REGISTRY_PROTOCOL',
        `${this.display}: bad token realm in the challenge`,
        {
          cause: error,
        },
      );
    }
    if (challenge.params.service) realm.searchParams.set('service', challenge.params.service);
    realm.searchParams.set(
      'scope',
      challenge.params.scope ?? `repository:${this.ref.repository}:pull`,
    );
    const headers: Record<string, string> = {};
    if (credentials) {
      this.refuseCleartext(realm.origin);
      headers.authorization = basicAuth(credentials);
    }
    let response: Response;
    try {
      response = await this.get(realm.toString(), headers, MAX_TOKEN_RESPONSE);
    } catch (error) {
      throw networkError(error, realm.origin, this.timeoutMs);
    }
    if (response.status === 401 || response.status === 403) {
      throw new DigestError(
        'DIGEST_REGISTRY_AUTH',
        `${this.display}: the token service refused ${credentials ? `the credentials from ${credentials.source}` : 'anonymous access'} (HTTP ${response.status}); ${credentials ? 'check them' : 'set NOTARIZE_REGISTRY_USERNAME/PASSWORD or log in'}`,
      );
    }
    if (response.status !== 200) {
      throw new DigestError(
        'DIGEST_REGISTRY_PROTOCOL',
        `${this.display}: token service answered HTTP ${response.status}`,
      );
    }
    let token: unknown;
    try {
      const body = JSON.parse(response.body.toString('utf8')) as {
        token?: unknown;
        access_token?: unknown;
      };
      token = body.token ?? body.access_token;
    } catch {
      token = undefined;
    }
    if (typeof token !== 'string' || token.length === 0) {
      throw new DigestError(
        'DIGEST_REGISTRY_PROTOCOL',
        `${this.display}: the token service returned no token`,
      );
    }
    return `Bearer ${token}`;
  }

  /** Credentials go over plain http only to loopback or when insecure was asked for. */
  private refuseCleartext(origin: string): void {
    if (
      origin.startsWith('http://') &&
      !this.plainHttpAllowed &&
      !isLoopback(new URL(origin).host)
    ) {
      throw new DigestError(
        'DIGEST_REGISTRY_TLS',
        `${this.display}: refusing to send credentials over plain http to ${origin}; use https or --insecure-registry`,
      );
    }
  }

  private async getCredentials(): Promise<Credentials | undefined> {
    if (this.credentials === null) {
      this.credentials = await findCredentials(this.ref.registry, this.options.env ?? process.env);
    }
    return this.credentials;
  }

  private async get(
    url: string,
    extraHeaders: Record<string, string>,
    max = MAX_MANIFEST,
  ): Promise<Response> {
    let current = url;
    let headers = extraHeaders;
    for (let hops = 0; hops <= 3; hops++) {
      const res = await request(current, {
        method: 'GET',
        dispatcher: this.dispatcher,
        headers: {
          accept: MANIFEST_ACCEPT.join(', '),
          'user-agent': 'notarize-digest',
          ...headers,
        },
        headersTimeout: this.timeoutMs,
        bodyTimeout: this.timeoutMs,
        signal: this.options.signal,
      });
      const location = res.headers.location;
      if (res.statusCode >= 300 && res.statusCode < 400 && typeof location === 'string') {
        await res.body.dump();
        const next = new URL(location, current);
        // Never carry a registry credential to another origin (e.g. a storage redirect).
        if (next.origin !== new URL(current).origin) headers = {};
        current = next.toString();
        continue;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of res.body as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size > max) {
          res.body.destroy();
          throw new DigestError(
            'DIGEST_REGISTRY_PROTOCOL',
            `${this.display}: response from ${new URL(current).origin} exceeds ${max} bytes; not a manifest`,
          );
        }
        chunks.push(chunk);
      }
      return { status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) };
    }
    throw new DigestError('DIGEST_REGISTRY_PROTOCOL', `${this.display}: too many redirects`);
  }
}

/** The `errors[].code` values of a distribution error body, for messages. */
function registryErrorCodes(body: Buffer): string {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { errors?: { code?: unknown }[] };
    return (parsed.errors ?? [])
      .map((e) => e.code)
      .filter((c): c is string => typeof c === 'string')
      .join(', ');
  } catch {
    return '';
  }
}
