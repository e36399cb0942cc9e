/** The ledger HTTP service (`notarize serve`): see API.md and README.md beside this file. */
import { access } from 'node:fs/promises';
import path from 'node:path';
import { DB_FILE, Ledger } from '@notarize/ledger';
import type { ServiceConfig } from './config.ts';
import { EngineBackend } from './engine-backend.ts';
import type { Logger } from './logger.ts';
import { IDEMPOTENCY_TTL_MS } from './idempotency.ts';
import { SqliteIdempotencyStore } from './idempotency-store.ts';
import { LedgerService } from './server.ts';
import { checkListenAddress } from './listen-check.ts';
import { ServiceError } from './errors.ts';

export { LedgerService, SERVICE_VERSION, type LedgerServiceOptions } from './server.ts';
export {
  loadConfig,
  configFromDocument,
  readOnlyConfig,
  parseListen,
  DEFAULT_LIMITS,
  type ServiceConfig,
  type ServiceLimits,
  type ConfigOverrides,
} from './config.ts';
export { ServiceError, type ServiceErrorCode } from './errors.ts';
export { jsonLogger, silentLogger, type Logger, type LogLevel } from './logger.ts';
export type { ServiceBackend, BackendCheckpoint, BackendAppendResult } from './backend.ts';
export { EngineBackend } from './engine-backend.ts';
export { Counter, Gauge, Histogram } from './metrics.ts';

export interface StartedService {
  service: LedgerService;
  url: string;
  origin: string;
  vkey: string;
  close(): Promise<void>;
}

async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}

/**
 * Opens the ledger in `config.dataDir` (created on first start, with its signing key), and serves
 * it. Without write access (no config) the ledger is opened read-only — the service never signs —
 * and re-read when other processes (the CLI on a `file:` ledger) append to it.
 */
export async function startLedgerService(
  config: ServiceConfig,
  options: { logger?: Logger; configDir?: string } = {},
): Promise<StartedService> {
  const readOnly = !config.writable;
  // Before anything is created: a busy port is the operator's to fix, not a reason for a new key.
  if (config.listen.port !== 0) await checkListenAddress(config.listen.host, config.listen.port);
  // With a PostgreSQL store the data directory still holds the signing key (every instance of one
  // ledger needs the same ledger.key) and the blobs; the log lives in the database.
  const store = config.store ? { store: config.store } : {};
  if (readOnly && !config.store && !(await exists(path.join(config.dataDir, DB_FILE)))) {
    // A new, empty ledger (and its key) so that there is something to serve and pin.
    await (
      await Ledger.open({
        dir: config.dataDir,
        ...(config.origin ? { origin: config.origin } : {}),
      })
    ).close();
  }
  const open = () =>
    Ledger.open({
      dir: config.dataDir,
      ...(config.origin ? { origin: config.origin } : {}),
      ...store,
      readOnly,
      // serve refuses a second writer at once (the CLI waits for one): LEDGER_BUSY names its PID.
      writerWaitMs: 0,
    });
  const ledger = await open().catch((error: unknown) => {
    if ((error as { code?: unknown }).code !== 'LEDGER_BUSY') throw error;
    throw new ServiceError('LEDGER_BUSY', (error as Error).message, { cause: error });
  });
  const service = new LedgerService({
    config,
    ...(config.writable
      ? { idempotencyStore: new SqliteIdempotencyStore(config.dataDir, IDEMPOTENCY_TTL_MS) }
      : {}),
    // Read-only: the directory may be a file: ledger the CLI appends to; follow it.
    backend: new EngineBackend(ledger, readOnly ? { reopen: open } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.configDir ? { configDir: options.configDir } : {}),
  });
  try {
    const { url } = await service.listen();
    return { service, url, origin: ledger.origin, vkey: ledger.vkey, close: () => service.close() };
  } catch (error) {
    await service.close();
    throw error;
  }
}

// Used by the embedded (`file:`) client so that it enforces and proves exactly as the service.
export {
  buildBundle,
  LOOKUP_PAGE_ENTRIES,
  provedEntries,
  knownMember,
  b64,
  b64s,
  type WireEntry,
  type WireMap,
  type BundleRequest,
} from './proof-bundle.ts';
export { buildStatusBundle, statusKeys } from './handlers-lookup.ts';
export { MAX_LOOKUP_SUBJECTS } from './schemas.ts';
export { prepareEntries, entryIdentity, actionFor, type EntryRequest } from './prepare-entries.ts';
export { BlobStore, type StoredBlob } from './blob-store.ts';
export { checkBeforeAppend, type WriteCheckOptions, type WriteCheckParts } from './write-checks.ts';
