/**
 * The auth config of a `file:` ledger: `<dir>/config.yaml`, the auth sections of the service
 * config (roles, identities). Without it the ledger is single-user and any identity may do
 * anything.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { validateAuthConfig, type AuthConfig } from '@notarize/server/auth';
import { LedgerClientError } from './errors.ts';

export const LEDGER_CONFIG_FILE = 'config.yaml';

export async function loadAuthConfig(dir: string): Promise<AuthConfig | undefined> {
  let text: string;
  try {
    text = await readFile(path.join(dir, LEDGER_CONFIG_FILE), 'utf8');
  } catch {
    return undefined;
  }
  try {
    return validateAuthConfig(parseYaml(text));
  } catch (error) {
    throw new LedgerClientError(
      'ARGUMENT_INVALID',
      'input',
      `${path.join(dir, LEDGER_CONFIG_FILE)}: ${(error as Error).message}`,
      { cause: error },
    );
  }
}
