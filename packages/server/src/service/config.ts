/**
 * The service's configuration file (YAML; example-config.yaml beside this file). The service's
 * own sections (origin, listen, data/storage, limits, log, anonymousRead) are validated here with a
 * JSON Schema; the auth sections (roles, identities, apiKeys, oidc) by auth/validate-config.ts.
 * Without a config file the service is read-only for everyone (docs/cli.md).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { AuthConfig } from '../auth/config.ts';
import { validateAuthConfig } from '../auth/validate-config.ts';
import { ServiceError } from './errors.ts';
import type { LogLevel } from './logger.ts';
import { validator } from './validate.ts';
import {
  witnessConfigFrom,
  witnessSchemaProperties,
  type WitnessCollectorConfig,
  type WitnessConfigFile,
} from './witnesses/config.ts';

export interface ServiceLimits {
  /** JSON request bodies. */
  maxBodyBytes: number;
  /** One entry's canonical bytes (tlog-tiles entry bundles cap entries at 65535). */
  maxEntryBytes: number;
  /** Entries in one append request. */
  maxBatchEntries: number;
  /** One evidence blob. */
  maxBlobBytes: number;
  /** Open TCP connections; more are closed at once (server.maxConnections). */
  maxConnections: number;
  /**
   * Open TCP connections from one client address; more are answered 429 TOO_MANY_CONNECTIONS
   * and closed, so one client cannot take every connection (behind a reverse proxy every
   * connection comes from the proxy: raise it to maxConnections and limit clients there).
   */
  maxConnectionsPerClient: number;
  /** Requests handled at once; more get 503 + Retry-After. */
  maxInflightRequests: number;
  /** Entries accepted but not yet committed; more get 429 + Retry-After. */
  maxQueuedEntries: number;
  /** Time to receive a request's headers. */
  headersTimeoutMs: number;
  /** Time to receive a whole JSON request. */
  requestTimeoutMs: number;
  /** Time to receive a whole blob upload. */
  blobTimeoutMs: number;
  keepAliveTimeoutMs: number;
  /** Graceful shutdown: how long in-flight requests may take to finish. */
  shutdownTimeoutMs: number;
}

export const DEFAULT_LIMITS: ServiceLimits = {
  maxBodyBytes: 4 * 1024 * 1024,
  maxEntryBytes: 65535,
  maxBatchEntries: 1000,
  maxBlobBytes: 1024 * 1024 * 1024,
  maxConnections: 1024,
  maxConnectionsPerClient: 256,
  maxInflightRequests: 512,
  maxQueuedEntries: 20000,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 60_000,
  blobTimeoutMs: 15 * 60_000,
  keepAliveTimeoutMs: 5_000,
  shutdownTimeoutMs: 30_000,
};

export interface ServiceConfig {
  /** Checkpoint origin (and key name) for a new ledger; an existing ledger keeps its own. */
  origin?: string;
  /** host:port to listen on. */
  listen: { host: string; port: number };
  /** The ledger's data directory (store, signing key, blobs). */
  dataDir: string;
  /**
   * PostgreSQL URL of the log (`storage: postgres://…`, or NOTARIZE_STORE, which wins): the log
   * lives there and `dataDir` keeps the signing key and blobs. Undefined: `dataDir/ledger.db`.
   */
  store?: string;
  limits: ServiceLimits;
  logLevel: LogLevel;
  /** Reads without credentials. Always true without a config. */
  anonymousRead: boolean;
  /** Writes possible at all: false without a config file. */
  writable: boolean;
  auth: AuthConfig;
  /** Where the config came from, for messages. */
  source?: string;
  /** Witnesses to collect cosignatures from (witnesses/config.ts). */
  witnesses?: WitnessCollectorConfig;
}

interface ConfigFile extends WitnessConfigFile {
  origin?: string;
  listen?: string;
  data?: string;
  storage?: string;
  limits?: Partial<ServiceLimits>;
  log?: { level?: LogLevel };
  anonymousRead?: boolean;
}

const positive = { type: 'integer', minimum: 1 };
const configSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    version: { const: 1 },
    origin: { type: 'string', minLength: 1, maxLength: 256, pattern: '^[^\\s+]+$' },
    listen: { type: 'string', minLength: 1 },
    data: { type: 'string', minLength: 1 },
    storage: { type: 'string', minLength: 1 },
    limits: {
      type: 'object',
      additionalProperties: false,
      properties: Object.fromEntries(Object.keys(DEFAULT_LIMITS).map((k) => [k, positive])),
    },
    log: {
      type: 'object',
      additionalProperties: false,
      properties: { level: { enum: ['debug', 'info', 'warn', 'error'] } },
    },
    anonymousRead: { type: 'boolean' },
    roles: { type: 'object' },
    identities: { type: 'object' },
    apiKeys: { type: 'array' },
    oidc: { type: 'object' },
    ...witnessSchemaProperties,
  },
};

const validateConfigFile = validator<ConfigFile>(configSchema, 'CONFIG_INVALID');

export function parseListen(text: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(text.trim());
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) {
    throw new ServiceError(
      'CONFIG_INVALID',
      `listen address "${text}" is not HOST:PORT (e.g. 127.0.0.1:8080)`,
    );
  }
  return { host: m[1] ?? (m[2] || '127.0.0.1'), port };
}

const POSTGRES_URL = /^postgres(ql)?:\/\//i;

function dataDirFrom(file: ConfigFile, base: string): string | undefined {
  if (file.storage !== undefined && !POSTGRES_URL.test(file.storage)) {
    if (!file.storage.startsWith('file:')) {
      throw new ServiceError(
        'CONFIG_INVALID',
        `storage "${file.storage}" is not supported; use file:<dir> or postgres://user@host/db`,
      );
    }
    return path.resolve(base, file.storage.slice('file:'.length));
  }
  return file.data === undefined ? undefined : path.resolve(base, file.data);
}

/** The PostgreSQL store URL: NOTARIZE_STORE (keeps the password out of the file), else `storage`. */
function storeFrom(file: ConfigFile, overrides: ConfigOverrides): string | undefined {
  const url = overrides.store ?? file.storage;
  if (url === undefined || !POSTGRES_URL.test(url)) {
    if (overrides.store !== undefined) {
      throw new ServiceError(
        'CONFIG_INVALID',
        `NOTARIZE_STORE must be a postgres://… URL; a file: ledger is set with data/storage`,
      );
    }
    return undefined;
  }
  return url;
}

export interface ConfigOverrides {
  dataDir?: string;
  listen?: string;
  /** A postgres:// store URL; defaults to the NOTARIZE_STORE environment variable. */
  store?: string;
}

function withEnvStore(overrides: ConfigOverrides): ConfigOverrides {
  const env = process.env.NOTARIZE_STORE;
  return overrides.store === undefined && env ? { ...overrides, store: env } : overrides;
}

/** The configuration of a service started without a config file: read-only, anonymous reads. */
export function readOnlyConfig(overrides: ConfigOverrides & { cwd?: string }): ServiceConfig {
  const store = storeFrom({}, withEnvStore(overrides));
  return {
    ...(store ? { store } : {}),
    listen: parseListen(overrides.listen ?? '127.0.0.1:8080'),
    dataDir: path.resolve(overrides.cwd ?? process.cwd(), overrides.dataDir ?? '.notarize'),
    limits: { ...DEFAULT_LIMITS },
    logLevel: 'info',
    anonymousRead: true,
    writable: false,
    auth: validateAuthConfig({}),
  };
}

/** Builds a config from a parsed document (`base` resolves relative paths). */
export function configFromDocument(
  doc: unknown,
  base: string,
  overrides: ConfigOverrides = {},
  source?: string,
): ServiceConfig {
  const file = validateConfigFile(doc ?? {}, `config ${source ?? ''}`.trim());
  let auth: AuthConfig;
  try {
    auth = validateAuthConfig(doc ?? {});
  } catch (error) {
    throw new ServiceError(
      'CONFIG_INVALID',
      `config ${source ?? ''}: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  const limits = { ...DEFAULT_LIMITS, ...file.limits };
  if (limits.maxEntryBytes > 65535) {
    throw new ServiceError(
      'CONFIG_INVALID',
      'limits.maxEntryBytes must be at most 65535 (tlog-tiles entry bundles)',
    );
  }
  const dataDir = overrides.dataDir
    ? path.resolve(overrides.dataDir)
    : (dataDirFrom(file, base) ?? path.resolve(base, '.notarize'));
  const store = storeFrom(file, withEnvStore(overrides));
  const witnesses = witnessConfigFrom(file);
  return {
    ...(file.origin ? { origin: file.origin } : {}),
    listen: parseListen(overrides.listen ?? file.listen ?? '127.0.0.1:8080'),
    dataDir,
    ...(store ? { store } : {}),
    limits,
    logLevel: file.log?.level ?? 'info',
    anonymousRead: file.anonymousRead ?? true,
    writable: true,
    auth,
    ...(source ? { source } : {}),
    ...(witnesses ? { witnesses } : {}),
  };
}

export async function loadConfig(
  file: string,
  overrides: ConfigOverrides = {},
): Promise<ServiceConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new ServiceError(
      'CONFIG_INVALID',
      `cannot read config ${file}: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (error) {
    throw new ServiceError(
      'CONFIG_INVALID',
      `config ${file} is not valid YAML: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  return configFromDocument(doc, path.dirname(path.resolve(file)), overrides, file);
}
