/**
 * Starts a real ledger service (real store in a temp dir) on a loopback port, with one API key
 * per built-in role, and opens verifying clients against it with their own undici Agent and
 * state file. Tests close everything they open.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  createLedgerDispatcher,
  openLedgerClient,
  type LedgerClient,
  type LedgerClientOptions,
} from '@notarize/client';
import { buildAssertion, buildEvidence, type EntryDraft } from '@notarize/trust';
import { generateApiKey } from '../../packages/server/src/auth/api-keys.ts';
import {
  configFromDocument,
  readOnlyConfig,
  silentLogger,
  startLedgerService,
  type Logger,
  type ServiceConfig,
  type StartedService,
} from '../../packages/server/src/service/index.ts';

export const ROLES = ['pipeline', 'scanner', 'qa', 'legal', 'pm', 'auditor', 'admin'] as const;
export type BuiltinRole = (typeof ROLES)[number];

export interface Harness {
  service: StartedService;
  url: string;
  vkey: string;
  dataDir: string;
  /** API key of identity `<role>-bot` with that role. */
  keys: Record<BuiltinRole, string>;
  dispatcher: ReturnType<typeof createLedgerDispatcher>;
  /** A client with its own in-memory state (or `statePath`). */
  client(options?: LedgerClientOptions): Promise<LedgerClient>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  /** Extra config document members (limits, oidc, anonymousRead...). */
  config?: Record<string, unknown>;
  /** Start without a config: read-only. */
  readOnly?: boolean;
  logger?: Logger;
  /** Reuse a data dir (else a fresh temp dir, removed on close). */
  dataDir?: string;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const tmp = options.dataDir ? undefined : await mkdtemp(path.join(os.tmpdir(), 'svc-'));
  const dataDir = options.dataDir ?? path.join(tmp!, 'data');
  const keys = {} as Record<BuiltinRole, string>;
  const apiKeys = ROLES.map((role) => {
    const k = generateApiKey();
    keys[role] = k.key;
    return { hash: k.hash, identity: `${role}-bot` };
  });
  const identities = Object.fromEntries(ROLES.map((role) => [`${role}-bot`, { role }]));
  let config: ServiceConfig;
  if (options.readOnly) {
    config = readOnlyConfig({ dataDir, listen: '127.0.0.1:0' });
  } else {
    config = configFromDocument(
      { origin: 'test.example/ledger', identities, apiKeys, ...options.config },
      tmp ?? dataDir,
      { dataDir, listen: '127.0.0.1:0' },
    );
  }
  const service = await startLedgerService(config, { logger: options.logger ?? silentLogger });
  const dispatcher = createLedgerDispatcher({ connections: 128 });
  const opened: LedgerClient[] = [];
  return {
    service,
    url: service.url,
    vkey: service.vkey,
    dataDir,
    keys,
    dispatcher,
    async client(clientOptions = {}) {
      const client = await openLedgerClient(service.url, {
        vkey: service.vkey,
        statePath: false,
        dispatcher,
        env: {},
        retries: 2,
        retryBaseMs: 20,
        notice: () => {},
        ...clientOptions,
      });
      opened.push(client);
      return client;
    },
    async close() {
      for (const c of opened) await c.close();
      await service.close();
      await dispatcher.close();
      if (tmp) await rm(tmp, { recursive: true, force: true });
    },
  };
}

let counter = 0;
/** A fresh random-looking digest. */
export function digestOf(seed: string | number = counter++): string {
  const hex = Buffer.from(String(seed).padEnd(32, '.'))
    .toString('hex')
    .slice(0, 64)
    .padEnd(64, '0');
  return `sha256:${hex}`;
}

export function assertion(
  digest: string,
  status: 'trusted' | 'untrusted' | 'unsupported' = 'trusted',
  ci?: { provider: string; project: string; jobId: string },
): EntryDraft {
  return buildAssertion({
    subjects: [{ name: 'artifact', digest }],
    status,
    reason: 'test',
    ...(ci ? { ci } : {}),
  });
}

export function evidence(digest: string, blobDigest: string, jobId = '42'): EntryDraft {
  return buildEvidence({
    subjects: [{ name: 'artifact', digest }],
    ci: { provider: 'github', project: 'acme/widgets', jobId },
    file: { name: 'build.log', mediaType: 'text/plain', size: 3, digest: blobDigest },
  });
}
