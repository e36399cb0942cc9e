/**
 * How a command reaches the ledger: `--ledger` / NOTARIZE_LEDGER (default `file:.notarize`, but
 * not in CI), the identity for `file:` ledgers (`--as` / NOTARIZE_IDENTITY, else the CI job's
 * default name), and for services an API key (NOTARIZE_TOKEN) or, inside GitHub Actions / GitLab
 * CI, the job's OIDC token for `--audience`.
 *
 * In CI (isCi) nothing is guessed: an unset ledger is an error (a throwaway `file:.notarize` in the
 * workspace would lose every notarization when the runner ends), and a service ledger needs its
 * key pinned (a fresh job has no state, so trust on first use would pin whatever key answers).
 * Read commands never create a `file:` ledger.
 */
import os from 'node:os';
import type { Command } from 'commander';
import { ciContext, ciIdentityName, detectProvider, getOidcToken, isCi } from '@notarize/ci';
import { CliError } from './cli-error.ts';
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
  witness?: string[];
  witnessQuorum?: string;
  witnessMaxAge?: string;
}

/** Adds the options every ledger-using command shares. */
export function withLedgerOptions(command: Command): Command {
  return command
    .option(
      '--ledger <url>',
      'http(s)://… service or file:<dir> (env NOTARIZE_LEDGER; default file:.notarize, none in CI)',
    )
    .option('--as <name>', 'identity for a file: ledger (env NOTARIZE_IDENTITY)')
    .option('--audience <aud>', 'OIDC audience the service expects (env NOTARIZE_AUDIENCE)')
    .option('--ledger-key <vkey>', "pin the ledger's verifier key (env NOTARIZE_LEDGER_KEY)")
    .option('--state <file>', 'verified-checkpoint state file (env NOTARIZE_STATE)')
    .option(
      '--witness <vkey>',
      'require cosignatures by this witness (repeatable; env NOTARIZE_WITNESSES)',
      (v: string, prev: string[] = []) => [...prev, v],
    )
    .option(
      '--witness-quorum <k>',
      'cosignatures required (default: all witnesses given; env NOTARIZE_WITNESS_QUORUM)',
    )
    .option(
      '--witness-max-age <seconds>',
      'ignore cosignatures older than this (env NOTARIZE_WITNESS_MAX_AGE)',
    );
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

/** Whether a command only reads (never creates a ledger) or appends. */
export type LedgerAccess = 'read' | 'write';

/**
 * The ledger location: `--ledger`, else NOTARIZE_LEDGER, else `file:.notarize` — outside CI only;
 * in CI an unset or empty setting is LEDGER_MISSING (exit 10).
 */
export function ledgerLocation(flag: string | undefined, env: NodeJS.ProcessEnv): string {
  const given = flag ?? env.NOTARIZE_LEDGER;
  if (given !== undefined && given.trim() !== '') return given.trim();
  if (isCi(env)) {
    throw new CliError(
      'LEDGER_MISSING',
      'input',
      "no ledger is set: in CI, name it with --ledger or NOTARIZE_LEDGER (the actions' `ledger` " +
        "input, the GitLab templates' `ledger` input) — a default file:.notarize in the " +
        'workspace would be lost when the job ends',
    );
  }
  if (given !== undefined) {
    throw new CliError('LEDGER_MISSING', 'input', 'the ledger setting is empty: --ledger <url>');
  }
  return DEFAULT_LEDGER;
}

/** In CI a service ledger's key must be pinned: no trust on first use (LEDGER_KEY_MISSING). */
function requirePinnedKey(url: string, flags: LedgerFlags, ctx: CommandContext): void {
  if (!isCi(ctx.env) || flags.ledgerKey || ctx.env.NOTARIZE_LEDGER_KEY?.trim()) return;
  throw new CliError(
    'LEDGER_KEY_MISSING',
    'input',
    `the ledger service ${url} has no pinned key: in CI every job starts without state, so ` +
      "its key must be given (NOTARIZE_LEDGER_KEY, --ledger-key, the actions' `ledger-key` " +
      "input, the GitLab templates' `ledger-key` input). Get the vkey from its operator: " +
      '`notarize ledger info` on the ledger host, or GET /v1/info of the service (compare it ' +
      'over a channel you trust), and store it in a CI variable',
  );
}

function wholeNumber(text: string, what: string): number {
  if (!/^[1-9][0-9]*$/.test(text.trim()) || !Number.isSafeInteger(Number(text))) {
    throw new CliError(
      'WITNESS_CONFIG_INVALID',
      'input',
      `${what} "${text}" must be a positive whole number`,
    );
  }
  return Number(text);
}

/**
 * The witnesses every read requires: `--witness` (repeatable), else NOTARIZE_WITNESSES (newline-
 * or comma-separated); `--witness-quorum` / NOTARIZE_WITNESS_QUORUM (default: all);
 * `--witness-max-age` / NOTARIZE_WITNESS_MAX_AGE seconds.
 */
export function witnessSettings(
  flags: LedgerFlags,
  env: NodeJS.ProcessEnv,
): { vkeys: string[]; quorum?: number; maxAgeSeconds?: number } | undefined {
  const vkeys = (
    flags.witness && flags.witness.length > 0
      ? flags.witness
      : (env.NOTARIZE_WITNESSES ?? '').split(/[\n,]/)
  )
    .map((v) => v.trim())
    .filter((v) => v !== '');
  const quorum = flags.witnessQuorum ?? (env.NOTARIZE_WITNESS_QUORUM?.trim() || undefined);
  const maxAge = flags.witnessMaxAge ?? (env.NOTARIZE_WITNESS_MAX_AGE?.trim() || undefined);
  if (vkeys.length === 0) {
    if (quorum !== undefined) {
      throw new CliError(
        'WITNESS_CONFIG_INVALID',
        'input',
        'a witness quorum is set but no witness keys: give them with --witness or NOTARIZE_WITNESSES',
      );
    }
    return undefined;
  }
  return {
    vkeys,
    ...(quorum !== undefined ? { quorum: wholeNumber(quorum, '--witness-quorum') } : {}),
    ...(maxAge !== undefined ? { maxAgeSeconds: wholeNumber(maxAge, '--witness-max-age') } : {}),
  };
}

export async function connectLedger(
  flags: LedgerFlags,
  ctx: CommandContext,
  access: LedgerAccess = 'write',
): Promise<LedgerClient> {
  const location = ledgerLocation(flags.ledger, ctx.env);
  const parsed = parseLedgerLocation(location, ctx.cwd);
  if (parsed.transport === 'http') requirePinnedKey(parsed.url, flags, ctx);
  const token = parsed.transport === 'http' ? await bearerToken(flags, ctx) : undefined;
  const identity =
    parsed.transport === 'file'
      ? (flags.as ?? ctx.env.NOTARIZE_IDENTITY ?? defaultIdentity(ctx))
      : undefined;
  const witnesses = witnessSettings(flags, ctx.env);
  return openLedgerClient(location, {
    ...(witnesses ? { witnesses } : {}),
    env: ctx.env,
    cwd: ctx.cwd,
    notice: (m) => ctx.output.notice(m),
    ...(flags.ledgerKey ? { vkey: flags.ledgerKey } : {}),
    ...(flags.state ? { statePath: flags.state } : {}),
    ...(token ? { token } : {}),
    ...(identity ? { identity } : {}),
    ...(access === 'read' ? { readOnly: true } : {}),
  });
}

/** Runs `fn` with a connected client and always closes it. */
export async function withLedger<T>(
  flags: LedgerFlags,
  ctx: CommandContext,
  fn: (client: LedgerClient) => Promise<T>,
  access: LedgerAccess = 'write',
): Promise<T> {
  const client = await connectLedger(flags, ctx, access);
  try {
    return await fn(client);
  } finally {
    await client.close();
  }
}
