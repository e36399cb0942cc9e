/**
 * A real ledger service for the action tests, started from a config file the way `notarize serve
 * --config FILE` starts it (loadConfig + startLedgerService, in this process). The config trusts the local OIDC issuer (GitHub-runner
 * style) and maps `repository` claims to identities with the `pipeline` role; a second party, a
 * security scanner, has an API key with the `scanner` role.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { stringify } from 'yaml';
import { generateApiKey } from '../../packages/server/src/auth/api-keys.ts';
import {
  loadConfig,
  silentLogger,
  startLedgerService,
} from '../../packages/server/src/service/index.ts';

export interface ActionsLedger {
  url: string;
  vkey: string;
  /** API key of `scanner-bot` (role scanner). */
  scannerKey: string;
  close(): Promise<void>;
}

export async function startActionsLedger(options: {
  dir: string;
  issuer: string;
  audience: string;
  /** Repositories whose jobs may notarize (OIDC `repository` claim globs). */
  repositories: string[];
}): Promise<ActionsLedger> {
  const scanner = generateApiKey();
  const config = {
    origin: 'actions.test/ledger',
    identities: { 'scanner-bot': { role: 'scanner' } },
    apiKeys: [{ hash: scanner.hash, identity: 'scanner-bot' }],
    oidc: {
      issuers: [
        {
          issuer: options.issuer,
          audience: options.audience,
          rules: [
            {
              match: { repository: options.repositories },
              identity: 'github:{repository}',
              role: 'pipeline',
            },
          ],
        },
      ],
    },
  };
  const configFile = path.join(options.dir, 'ledger.yml');
  await writeFile(configFile, stringify(config));
  const service = await startLedgerService(
    await loadConfig(configFile, {
      dataDir: path.join(options.dir, 'data'),
      listen: '127.0.0.1:0',
    }),
    { logger: silentLogger, configDir: options.dir },
  );
  return {
    url: service.url,
    vkey: service.vkey,
    scannerKey: scanner.key,
    close: () => service.close(),
  };
}
