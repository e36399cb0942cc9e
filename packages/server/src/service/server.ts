/**
 * The ledger service on node:http. Request flow: admission (shutting down -> 503, too many
 * in flight -> 503 + Retry-After, both answered before any work), routing, the handler (which
 * authenticates and validates before it sequences anything), JSON errors with stable codes,
 * metrics and one structured access-log line.
 *
 * Graceful shutdown: stop accepting connections, answer new requests on open keep-alive
 * connections with 503 SHUTTING_DOWN, wait for in-flight requests (appends included: an
 * acknowledged append is always answered) up to limits.shutdownTimeoutMs, then close the rest.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Authenticator } from '../auth/authenticator.ts';
import type { ServiceBackend } from './backend.ts';
import { BlobStore } from './blob-store.ts';
import type { ServiceConfig } from './config.ts';
import type { RequestContext, ServiceParts } from './context.ts';
import { guardConnections } from './connection-guard.ts';
import { refusalReason, ServiceError, toServiceError } from './errors.ts';
import { sendError, sendJson } from './http-io.ts';
import { IdempotencyCache } from './idempotency.ts';
import type { IdempotencyRecordStore } from './idempotency-store.ts';
import { jsonLogger, type Logger } from './logger.ts';
import { ServiceMetrics } from './metrics.ts';
import { RevocationCache } from './revocations.ts';
import { matchRoute } from './routes.ts';
import { attachWitnesses } from './witnesses/attach.ts';

export const SERVICE_VERSION = '0.1.0';

export interface LedgerServiceOptions {
  config: ServiceConfig;
  backend: ServiceBackend;
  logger?: Logger;
  /** Base directory for relative jwksFile paths (the config file's directory). */
  configDir?: string;
  /** Idempotency records that survive restarts (closed with the service). */
  idempotencyStore?: IdempotencyRecordStore;
}

export class LedgerService {
  readonly parts: ServiceParts;
  private readonly server: Server;
  private inflight = 0;
  private draining = false;
  private drained: (() => void) | undefined;
  private treeSize = 0;
  private readonly idempotencyStore: IdempotencyRecordStore | undefined;

  constructor(options: LedgerServiceOptions) {
    const { config } = options;
    this.idempotencyStore = options.idempotencyStore;
    const logger = options.logger ?? jsonLogger(config.logLevel);
    const witnessed = config.witnesses
      ? attachWitnesses(options.backend, config.witnesses, logger)
      : undefined;
    const backend = witnessed?.backend ?? options.backend;
    const authenticator = new Authenticator(
      config.auth,
      options.configDir ? { configDir: options.configDir } : {},
    );
    const queue = { entries: 0 };
    this.parts = {
      config,
      backend,
      authenticator,
      blobs: new BlobStore(config.dataDir, config.limits.maxBlobBytes),
      idempotency: new IdempotencyCache(
        options.idempotencyStore ? { store: options.idempotencyStore } : {},
      ),
      revocations: new RevocationCache(backend),
      metrics: new ServiceMetrics(
        () => this.treeSize,
        () => this.inflight,
        () => queue.entries,
      ),
      logger,
      queue,
      version: SERVICE_VERSION,
      ...(witnessed ? { witnesses: witnessed.collector } : {}),
    };
    witnessed?.collector.start();
    const { limits } = config;
    this.server = createServer(
      {
        headersTimeout: limits.headersTimeoutMs,
        // Node's whole-request timeout must allow the longest legitimate request (a blob upload);
        // JSON bodies have their own, shorter deadline (http-io.ts).
        requestTimeout: Math.max(limits.blobTimeoutMs, limits.requestTimeoutMs),
        keepAliveTimeout: limits.keepAliveTimeoutMs,
        // How often Node looks for requests past their timeouts (default 30 s, which let slow
        // clients hold connections for up to headersTimeout + 30 s).
        connectionsCheckingInterval: Math.min(1000, limits.headersTimeoutMs),
      },
      (req, res) => void this.handle(req, res),
    );
    this.server.maxConnections = limits.maxConnections;
    guardConnections(this.server, {
      maxConnectionsPerClient: limits.maxConnectionsPerClient,
      onError: (code) => this.parts.metrics.errors.inc({ code }),
    });
  }

  /** Starts listening; resolves with the bound address (port 0 picks a free one). */
  async listen(): Promise<{ host: string; port: number; url: string }> {
    await this.parts.blobs.init();
    this.treeSize = (await this.parts.backend.latest()).size;
    const { host, port } = this.parts.config.listen;
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    const address = this.server.address() as AddressInfo;
    const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    const url = `http://${shownHost}:${address.port}`;
    this.parts.logger.log('info', 'listening', {
      url,
      origin: this.parts.backend.origin,
      vkey: this.parts.backend.vkey,
      writable: this.parts.config.writable,
      size: this.treeSize,
    });
    return { host: address.address, port: address.port, url };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const start = process.hrtime.bigint();
    let routeName = 'unknown';
    const ctxBase: Partial<RequestContext> = {};
    // For 401/403: why (an AUTH_* code of the auth package, else the response code).
    let refusal: string | undefined;
    this.inflight++;
    try {
      if (this.draining) {
        res.setHeader('connection', 'close');
        throw new ServiceError(
          'SHUTTING_DOWN',
          'the ledger service is shutting down; retry shortly',
          {
            headers: { 'retry-after': '2' },
          },
        );
      }
      let url: URL;
      try {
        url = new URL(req.url ?? '/', 'http://ledger.invalid');
      } catch {
        throw new ServiceError('BAD_REQUEST', 'the request target is not a valid path');
      }
      // Health checks are answered even at capacity: they cost nothing and must not fail then.
      if (url.pathname === '/healthz') {
        routeName = 'healthz';
        sendJson(res, 200, { status: 'ok', size: this.treeSize });
        return;
      }
      if (this.inflight > this.parts.config.limits.maxInflightRequests) {
        throw new ServiceError('OVERLOADED', 'the ledger service is at capacity; retry shortly', {
          headers: { 'retry-after': '1' },
        });
      }
      if (url.pathname === '/metrics') {
        routeName = 'metrics';
        const body = this.parts.metrics.render();
        res.writeHead(200, {
          'content-type': 'text/plain; version=0.0.4; charset=utf-8',
          'content-length': Buffer.byteLength(body),
        });
        res.end(body);
        return;
      }
      const match = matchRoute(url.pathname);
      if (!match)
        throw new ServiceError(
          'NOT_FOUND',
          `no such endpoint: ${url.pathname} (the API: packages/server/src/service/API.md in the notarize-action repository)`,
        );
      routeName = match.route.name;
      const handler = match.route.methods[req.method ?? ''];
      if (!handler) {
        throw new ServiceError(
          'METHOD_NOT_ALLOWED',
          `${req.method} is not allowed on ${url.pathname}`,
          {
            headers: { allow: Object.keys(match.route.methods).join(', ') },
          },
        );
      }
      const ctx: RequestContext = { req, res, url, params: match.params, parts: this.parts };
      Object.assign(ctxBase, { ctx });
      await handler(ctx);
      if (routeName === 'entries' || routeName === 'revocations') {
        this.treeSize = Math.max(this.treeSize, (await this.parts.backend.latest()).size);
      }
    } catch (thrown) {
      const error = toServiceError(thrown);
      // A refused upload may leave an unread body: close the connection rather than read it.
      if (!req.complete) res.setHeader('connection', 'close');
      sendError(res, error);
      this.parts.metrics.errors.inc({ code: error.code });
      if (error.status === 401 || error.status === 403) {
        refusal = refusalReason(error);
        this.parts.metrics.authFailures.inc({ code: error.code, reason: refusal });
      }
      if (error.status >= 500 && error.code !== 'OVERLOADED' && error.code !== 'SHUTTING_DOWN') {
        this.parts.logger.log('error', 'request failed', {
          route: routeName,
          code: error.code,
          error: thrown instanceof Error ? (thrown.stack ?? thrown.message) : String(thrown),
        });
      }
    } finally {
      this.inflight--;
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      this.parts.metrics.requests.inc({ route: routeName, status: String(res.statusCode) });
      this.parts.metrics.latency.observe(seconds, { route: routeName });
      const principal = (ctxBase as { ctx?: RequestContext }).ctx?.principal;
      this.parts.logger.log(
        req.method === 'GET' || req.method === 'HEAD' ? 'debug' : 'info',
        'request',
        {
          method: req.method,
          route: routeName,
          status: res.statusCode,
          ms: Math.round(seconds * 1000 * 10) / 10,
          ...(principal ? { identity: principal.name } : {}),
          ...(refusal ? { reason: refusal } : {}),
        },
      );
      if (this.draining && this.inflight === 0) this.drained?.();
    }
  }

  /** Graceful shutdown (see the file comment). Closes the backend last. */
  async close(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    const { shutdownTimeoutMs } = this.parts.config.limits;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeIdleConnections();
    if (this.inflight > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, shutdownTimeoutMs);
        this.drained = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    this.server.closeAllConnections();
    await closed;
    await this.parts.backend.close();
    this.parts.metrics.runtime.stop();
    this.idempotencyStore?.close();
    this.parts.logger.log('info', 'stopped', { size: this.treeSize });
  }
}
