/** What every request handler gets: the request, its parsed URL and the service's parts. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Authenticator } from '../auth/authenticator.ts';
import type { Principal } from '../auth/principal.ts';
import type { ServiceBackend } from './backend.ts';
import type { BlobStore } from './blob-store.ts';
import type { ServiceConfig } from './config.ts';
import type { IdempotencyCache } from './idempotency.ts';
import type { Logger } from './logger.ts';
import type { ServiceMetrics } from './metrics.ts';
import type { RevocationCache } from './revocations.ts';

export interface ServiceParts {
  config: ServiceConfig;
  backend: ServiceBackend;
  authenticator: Authenticator;
  blobs: BlobStore;
  idempotency: IdempotencyCache;
  revocations: RevocationCache;
  metrics: ServiceMetrics;
  logger: Logger;
  /** The witness cosignature collector, when the config lists witnesses. */
  witnesses?: { witnessedNote(): string | undefined };
  /** Entries accepted but not yet acknowledged (admission control). */
  queue: { entries: number };
  version: string;
}

export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  /** Path captures of the route. */
  params: string[];
  parts: ServiceParts;
  /** Set once the caller is authenticated, for the access log. */
  principal?: Principal;
}

export type Handler = (ctx: RequestContext) => Promise<void>;
