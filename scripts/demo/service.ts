/**
 * Starts `notarize serve` as its own process — how a team runs the ledger service — on a free
 * loopback port, and stops it with SIGTERM (the service drains in-flight requests). The demo's
 * other steps run in-process; the service is a separate process so that the story shows what a
 * deployment looks like: clients reach it over HTTP and verify every answer against its key.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');
const CLI_MAIN = path.join(REPO_ROOT, 'packages', 'cli', 'src', 'main.ts');

export interface RunningService {
  /** e.g. http://127.0.0.1:40123 */
  url: string;
  /** The ledger's verifier key the service printed (clients pin it). */
  vkey: string;
  /** Everything the service wrote to stderr (its notices and JSON log lines). */
  log(): string;
  /** SIGTERM, then wait for the process to end; resolves to its exit code. */
  stop(): Promise<number | null>;
}

export class DemoServiceError extends Error {
  readonly code = 'DEMO_SERVICE_FAILED' as const;
  readonly category = 'unavailable' as const;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DemoServiceError';
  }
}

/**
 * `notarize serve --config <config>` in `cwd`, with `env` only (not the caller's environment).
 * The config must say `listen: 127.0.0.1:0`; the URL is read from the service's start notice.
 */
export function startService(options: {
  cwd: string;
  config: string;
  env: NodeJS.ProcessEnv;
  timeoutMs?: number;
}): Promise<RunningService> {
  const child: ChildProcess = spawn(
    process.execPath,
    ['--disable-warning=ExperimentalWarning', CLI_MAIN, 'serve', '--config', options.config],
    { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      reject(new DemoServiceError(`notarize serve did not start in time:\n${stderr}`));
    }, options.timeoutMs ?? 20_000);
    const check = () => {
      const url = /at (http:\/\/127\.0\.0\.1:\d+)/.exec(stderr)?.[1];
      const vkey = stdout.split('\n')[0]?.trim();
      if (!url || !vkey || !stdout.includes('\n')) return;
      clearTimeout(timer);
      resolve({
        url,
        vkey,
        log: () => stderr,
        stop: async () => {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
          return exited;
        },
      });
    };
    child.stdout?.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      check();
    });
    child.stderr?.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      check();
    });
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(
        new DemoServiceError(`could not start notarize serve: ${error.message}`, { cause: error }),
      );
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(
        new DemoServiceError(
          `notarize serve exited (code ${code}) before it was ready:\n${stderr}`,
        ),
      );
    });
  });
}
