/**
 * How a command reaches the ledger: `--ledger` / NOTARIZE_LEDGER (default `file:.notarize`), the
 * identity for `file:` ledgers (`--as` / NOTARIZE_IDENTITY, else the CI job's default name), and
 * for services an API key (NOTARIZE_TOKEN) or, inside GitHub Actions / GitLab CI, the job's OIDC
 * token for `--audience`.
 */
import os from 'node:os';
import type { Command } from 'commander';
import { ciContext, ciIdentityName, detectProvider, getOidcToken } from '@notarize/ci';
import { openLedgerClient, parseLedgerLocation, type LedgerClient } from '@notarize/client';
import type { CommandContext } from './context.ts';

export const DEFAULT_LEDGER = 'file:.notarize';
export const DEFAULT_AUDIENCE = 'notarize';

export interface LedgerFlags {
  ledger?: string;
  as?: string;
  audience?: string;
  ledgerKey?: string;
  state?: string;
}

/** Adds the options every ledger-using command shares. */
export function withLedgerOptions(command: Command): Command {
  return command
    .option(
      '--ledger <url>',
      'http(s)://… service or file:<dir> (env NOTARIZE_LEDGER; default file:.notarize)',
    )
    .option('--as <name>', 'identity for a file: ledger (env NOTARIZE_IDENTITY)')
    .option('--audience <aud>', 'OIDC audience the service expects (env NOTARIZE_AUDIENCE)')
    .option('--ledger-key <vkey>', "pin the ledger's verifier key (env NOTARIZE_LEDGER_KEY)")
    .option('--state <file>', 'verified-checkpoint state file (env NOTARIZE_STATE)');
}

/** The identity that appends to a `file:` ledger when none is named. */
export function defaultIdentity(ctx: CommandContext): string {
  const provider = detectProvider(ctx.env);
  if (provider !== 'local') return ciIdentityName(ciContext({ env: ctx.env, cwd: ctx.cwd }));
  let user = 'user';
  try {
    user = os.userInfo().username || user;
  } catch {
    // No passwd entry (containers): keep the generic name.
  }
  return `local:${user}`;
}

async function bearerToken(flags: LedgerFlags, ctx: CommandContext): Promise<string | undefined> {
  if (ctx.env.NOTARIZE_TOKEN) return ctx.env.NOTARIZE_TOKEN;
  const provider = detectProvider(ctx.env);
  if (provider === 'local') return undefined;
  // Without `permissions: id-token: write` (GitHub) or `id_tokens:` (GitLab) there is no token:
  // go on anonymously; the service answers writes with a clear 401.
  const available =
    provider === 'github'
      ? Boolean(ctx.env.ACTIONS_ID_TOKEN_REQUEST_URL && ctx.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN)
      : Boolean(ctx.env.NOTARIZE_ID_TOKEN);
  if (!available) return undefined;
  const audience = flags.audience ?? ctx.env.NOTARIZE_AUDIENCE ?? DEFAULT_AUDIENCE;
  return getOidcToken({ env: ctx.env, audience });
}

export async function connectLedger(
  flags: LedgerFlags,
  ctx: CommandContext,
): Promise<LedgerClient> {
  const location = flags.ledger ?? ctx.env.NOTARIZE_LEDGER ?? DEFAULT_LEDGER;
  const parsed = parseLedgerLocation(location, ctx.cwd);
  const token = parsed.transport === 'http' ? await bearerToken(flags, ctx) : undefined;
  const identity =
    parsed.transport === 'file'
      ? (flags.as ?? ctx.env.NOTARIZE_IDENTITY ?? defaultIdentity(ctx))
      : undefined;
  return openLedgerClient(location, {
    env: ctx.env,
    cwd: ctx.cwd,
    notice: (m) => ctx.output.notice(m),
    ...(flags.ledgerKey ? { vkey: flags.ledgerKey } : {}),
    ...(flags.state ? { statePath: flags.state } : {}),
    ...(token ? { token } : {}),
    ...(identity ? { identity } : {}),
  });
}

/** Runs `fn` with a connected client and always closes it. */
export async function withLedger<T>(
  flags: LedgerFlags,
  ctx: CommandContext,
  fn: (client: LedgerClient) => Promise<T>,
): Promise<T> {
  const client = await connectLedger(flags, ctx);
  try {
    return await fn(client);
  } finally {
    await client.close();
  }
}
