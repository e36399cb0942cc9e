/**
 * A real ledger service for the GitLab end-to-end tests: `notarize serve` as its own process on
 * 127.0.0.1, with a config that maps a GitLab OIDC issuer's tokens and API keys to identities.
 * Its vkey (printed at start) is what the templates' `ledger-key` input pins.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { stringify } from 'yaml';

export interface LedgerService {
  /** e.g. http://127.0.0.1:40123 */
  url: string;
  /** The ledger's verifier key (`name+hex+base64`). */
  vkey: string;
  /** Everything the service printed so far. */
  log(): string;
  stop(): Promise<void>;
}

export interface LedgerServiceOptions {
  /** The CLI's entry script (see notarizeCliEntry); it runs on this process's Node. */
  cliEntry: string;
  /** A directory for the data and the config file. */
  dir: string;
  /** The service config (roles, identities, apiKeys, oidc), written as YAML. */
  config: Record<string, unknown>;
  env?: NodeJS.ProcessEnv;
}

interface Listening {
  url: string;
  vkey: string;
}

/** The service's JSON log line `{"msg":"listening","url":...,"vkey":...}`, once it is printed. */
function listening(log: string): Listening | undefined {
  for (const line of log.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const entry = JSON.parse(line) as { msg?: unknown; url?: unknown; vkey?: unknown };
      if (
        entry.msg === 'listening' &&
        typeof entry.url === 'string' &&
        typeof entry.vkey === 'string'
      ) {
        return { url: entry.url, vkey: entry.vkey };
      }
    } catch {
      // Not a log line (or not a whole one yet).
    }
  }
  return undefined;
}

async function waitUntilServing(child: ChildProcess, log: () => string): Promise<Listening> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(`notarize serve exited with ${child.exitCode}:\n${log()}`);
    }
    const found = listening(log());
    if (found) {
      const res = await fetch(`${found.url}/checkpoint`).catch(() => undefined);
      if (res?.ok) return found;
    }
    if (Date.now() > deadline) throw new Error(`notarize serve did not start:\n${log()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function startLedgerService(options: LedgerServiceOptions): Promise<LedgerService> {
  const configFile = path.join(options.dir, 'notarize-service.yml');
  await writeFile(configFile, stringify(options.config));
  const child = spawn(
    process.execPath,
    [
      options.cliEntry,
      'serve',
      '--data',
      path.join(options.dir, 'data'),
      '--config',
      configFile,
      // Port 0: the system picks a free one; the service logs the address it got.
      '--listen',
      '127.0.0.1:0',
    ],
    {
      cwd: options.dir,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  // Kept apart so that a chunk of one stream never splits a line of the other.
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  const output = () => `${stdout}\n${stderr}`;
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  };
  try {
    const { url, vkey } = await waitUntilServing(child, output);
    return { url, vkey, log: output, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
