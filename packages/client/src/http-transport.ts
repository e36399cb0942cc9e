/**
 * HTTP to a ledger service with undici: an explicit dispatcher (a keep-alive Agent owned by the
 * transport unless the caller passes one — no global state), per-request timeouts, and retries
 * with jittered exponential backoff on 429, 5xx, timeouts and connection errors. A POST is only
 * retried when it carries an idempotency key (FIELD-NOTES: undici's own retry skips POST for that
 * reason). Verification happens after a response was accepted, never inside this loop, so a
 * failed check is never retried into success.
 */
import { Agent, request, type Dispatcher } from 'undici';
import { LedgerClientError, type LedgerClientErrorCode } from './errors.ts';

export interface TransportOptions {
  dispatcher?: Dispatcher;
  token?: string;
  timeoutMs: number;
  retries: number;
  retryBaseMs: number;
  notice: (message: string) => void;
}

export interface RequestSpec {
  method: 'GET' | 'HEAD' | 'POST' | 'PUT';
  path: string;
  /** JSON-serialized when an object; sent as is when bytes or a stream. */
  json?: unknown;
  body?: Uint8Array | AsyncIterable<Uint8Array>;
  headers?: Record<string, string>;
  /** Safe to send again (GET, PUT of content-addressed bytes, POST with an idempotency key). */
  retryable: boolean;
  signal?: AbortSignal | undefined;
}

export type Response = Dispatcher.ResponseData;

const RETRY_STATUSES = new Set([429, 500, 502, 503, 504]);
const MAX_DELAY_MS = 30_000;

function statusError(
  status: number,
  serviceCode: string | undefined,
): {
  code: LedgerClientErrorCode;
  category: LedgerClientError['category'];
} {
  if (serviceCode === 'READ_ONLY') return { code: 'READ_ONLY', category: 'forbidden' };
  if (status === 401) return { code: 'UNAUTHENTICATED', category: 'forbidden' };
  if (status === 403) return { code: 'FORBIDDEN', category: 'forbidden' };
  if (status === 404) return { code: 'NOT_FOUND', category: 'input' };
  if (status === 409) return { code: 'CONFLICT', category: 'conflict' };
  if (status === 413) return { code: 'TOO_LARGE', category: 'input' };
  if (status === 429 || status === 503) return { code: 'OVERLOADED', category: 'unavailable' };
  if (status >= 500) return { code: 'SERVER_ERROR', category: 'unavailable' };
  return { code: 'REJECTED', category: 'input' };
}

function retryAfterMs(headers: Response['headers']): number | undefined {
  const value = headers['retry-after'];
  const text = Array.isArray(value) ? value[0] : value;
  if (!text) return undefined;
  const seconds = Number(text);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason as Error);
      },
      { once: true },
    );
  });

function networkCode(error: unknown): LedgerClientErrorCode {
  const code = (error as { code?: string }).code ?? '';
  return /TIMEOUT/i.test(code) ? 'TIMEOUT' : 'UNREACHABLE';
}

export class HttpTransport {
  readonly base: URL;
  private readonly dispatcher: Dispatcher;
  private readonly owned: boolean;
  private readonly options: TransportOptions;

  constructor(base: URL, options: TransportOptions) {
    this.base = base;
    this.options = options;
    this.owned = !options.dispatcher;
    this.dispatcher =
      options.dispatcher ??
      new Agent({ keepAliveTimeout: 10_000, connections: 16, connectTimeout: options.timeoutMs });
  }

  private url(path: string): URL {
    // The base may carry a path prefix (a service behind a reverse proxy at /ledger/).
    const prefix = this.base.pathname.endsWith('/') ? this.base.pathname : `${this.base.pathname}/`;
    return new URL(prefix + path.replace(/^\//, ''), this.base);
  }

  /** Sends `spec`; returns the 2xx response (body unread) or throws a typed error. */
  async send(spec: RequestSpec): Promise<Response> {
    const url = this.url(spec.path);
    const headers: Record<string, string> = { accept: 'application/json', ...spec.headers };
    if (this.options.token) headers.authorization = `Bearer ${this.options.token}`;
    let body: RequestSpec['body'] | string | undefined = spec.body;
    if (spec.json !== undefined) {
      body = JSON.stringify(spec.json);
      headers['content-type'] = 'application/json';
    }
    // A stream can only be sent once.
    const retries =
      spec.retryable && !(body && typeof body === 'object' && Symbol.asyncIterator in body)
        ? this.options.retries
        : 0;
    for (let attempt = 0; ; attempt++) {
      let response: Response;
      try {
        response = await request(url, {
          dispatcher: this.dispatcher,
          method: spec.method,
          headers,
          body: body as string | Uint8Array | undefined,
          headersTimeout: this.options.timeoutMs,
          bodyTimeout: this.options.timeoutMs,
          signal: spec.signal,
        });
      } catch (error) {
        if (spec.signal?.aborted) throw error;
        const code = networkCode(error);
        if (attempt < retries) {
          await this.backoff(
            attempt,
            undefined,
            `${spec.method} ${url.pathname}: ${code}`,
            spec.signal,
          );
          continue;
        }
        throw new LedgerClientError(
          code,
          'unavailable',
          `the ledger at ${this.base.href} is unreachable (${spec.method} ${url.pathname}: ${(error as Error).message}); check the URL and the network, or retry later`,
          { cause: error },
        );
      }
      if (response.statusCode >= 200 && response.statusCode < 300) return response;
      const text = await response.body.text().catch(() => '');
      let service: { code?: unknown; message?: unknown } = {};
      try {
        service = JSON.parse(text) as typeof service;
      } catch {
        // not a JSON error: a proxy's page, say
      }
      const serviceCode = typeof service.code === 'string' ? service.code : undefined;
      const serviceMessage =
        typeof service.message === 'string' ? service.message : text.slice(0, 200);
      if (RETRY_STATUSES.has(response.statusCode) && attempt < retries) {
        await this.backoff(
          attempt,
          retryAfterMs(response.headers),
          `${spec.method} ${url.pathname}: ${response.statusCode}`,
          spec.signal,
        );
        continue;
      }
      const { code, category } = statusError(response.statusCode, serviceCode);
      throw new LedgerClientError(
        code,
        category,
        `the ledger refused ${spec.method} ${url.pathname}: ${response.statusCode} ${serviceCode ?? ''} ${serviceMessage}`.replace(
          /\s+/g,
          ' ',
        ),
        { status: response.statusCode, ...(serviceCode ? { serviceCode } : {}) },
      );
    }
  }

  /** Sends `spec` and parses the JSON answer. */
  async json(
    spec: RequestSpec,
  ): Promise<{ status: number; headers: Response['headers']; value: unknown }> {
    const response = await this.send(spec);
    const text = await response.body.text();
    try {
      return { status: response.statusCode, headers: response.headers, value: JSON.parse(text) };
    } catch (error) {
      throw new LedgerClientError(
        'BAD_RESPONSE',
        'verification',
        `the ledger answered ${spec.method} ${spec.path} with something that is not JSON`,
        { cause: error },
      );
    }
  }

  private async backoff(
    attempt: number,
    retryAfter: number | undefined,
    what: string,
    signal?: AbortSignal,
  ): Promise<void> {
    const exp = this.options.retryBaseMs * 2 ** attempt;
    const jittered = exp * (0.5 + Math.random());
    const delay = Math.min(MAX_DELAY_MS, Math.max(jittered, retryAfter ?? 0));
    this.options.notice(
      `notarize: ledger busy or unreachable (${what}); retrying in ${Math.round(delay)} ms (attempt ${attempt + 2}/${this.options.retries + 1})`,
    );
    await sleep(delay, signal);
  }

  async close(): Promise<void> {
    if (this.owned) await this.dispatcher.close();
  }
}
