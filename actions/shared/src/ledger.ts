/**
 * Connecting to the ledger the way the CLI does (`connectLedger`), from action inputs:
 * - `ledger`: a service URL or `file:<dir>` (else NOTARIZE_LEDGER; unset is an error: in CI a
 *   default `file:.notarize` would be lost with the runner);
 * - `token`: an API key; without one, the job's OIDC token for `audience` (needs
 *   `permissions: id-token: write`); writes without either fail early with a clear message,
 *   reads go on anonymously (a service may allow anonymous reads);
 * - `identity`: who appends to a `file:` ledger (default `github:<repository>`);
 * - `ledger-key`: the ledger's verifier key (else NOTARIZE_LEDGER_KEY); required for a service
 *   ledger, since a fresh job has nothing pinned and must not trust the first key it sees;
 * - `witnesses`, `witness-quorum` (gate): witness vkeys whose quorum every read requires (else
 *   NOTARIZE_WITNESSES / NOTARIZE_WITNESS_QUORUM).
 * The verified-checkpoint state lives in RUNNER_TEMP, so steps of one job share it.
 */
import path from 'node:path';
import { detectProvider, getOidcToken } from '@notarize/ci';
import {
  connectLedger,
  DEFAULT_AUDIENCE,
  ledgerLocation,
  type CommandContext,
  type LedgerFlags,
} from '@notarize/cli';
import { parseLedgerLocation, withoutCredentials, type LedgerClient } from '@notarize/client';
import { ActionError } from './errors.ts';
import { listInput, optionalInput } from './inputs.ts';
import { maskSecret } from './secrets.ts';

export interface LedgerInputs {
  ledger: string;
  token?: string;
  audience: string;
  identity?: string;
  ledgerKey?: string;
  /** Witness vkeys every read requires (`witnesses`, else NOTARIZE_WITNESSES). */
  witnesses?: string[];
  witnessQuorum?: string;
}

/**
 * Reads the ledger inputs every action shares; masks the token at once. `identity` is read only
 * by actions that write (it names who appends to a `file:` ledger).
 */
export function readLedgerInputs(
  env: NodeJS.ProcessEnv,
  options: { identity: boolean } = { identity: true },
): LedgerInputs {
  const token = optionalInput('token');
  maskSecret(token);
  const ledger = ledgerLocation(optionalInput('ledger'), env);
  // A password in the URL is never sent; keep it out of logs and summaries too.
  maskSecret(passwordOf(ledger));
  const inputs: LedgerInputs = {
    ledger: withoutCredentials(ledger),
    audience: optionalInput('audience') ?? DEFAULT_AUDIENCE,
  };
  if (token !== undefined) inputs.token = token;
  const identity = options.identity ? optionalInput('identity') : undefined;
  if (identity !== undefined) inputs.identity = identity;
  const ledgerKey = optionalInput('ledger-key');
  if (ledgerKey !== undefined) inputs.ledgerKey = ledgerKey;
  const witnesses = listInput('witnesses');
  if (witnesses.length > 0) inputs.witnesses = witnesses;
  const witnessQuorum = optionalInput('witness-quorum');
  if (witnessQuorum !== undefined) inputs.witnessQuorum = witnessQuorum;
  return inputs;
}

function passwordOf(location: string): string | undefined {
  try {
    return decodeURIComponent(new URL(location).password) || undefined;
  } catch {
    return undefined;
  }
}

export type LedgerPurpose = 'write' | 'read';

async function bearer(
  inputs: LedgerInputs,
  ctx: CommandContext,
  purpose: LedgerPurpose,
): Promise<string | undefined> {
  if (inputs.token !== undefined) return inputs.token;
  if (ctx.env.NOTARIZE_TOKEN) {
    maskSecret(ctx.env.NOTARIZE_TOKEN);
    return ctx.env.NOTARIZE_TOKEN;
  }
  const offered =
    detectProvider(ctx.env) === 'github' &&
    Boolean(ctx.env.ACTIONS_ID_TOKEN_REQUEST_URL && ctx.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN);
  if (offered) {
    const token = await getOidcToken({ env: ctx.env, audience: inputs.audience });
    maskSecret(token);
    return token;
  }
  if (purpose === 'read') return undefined;
  throw new ActionError(
    'TOKEN_MISSING',
    'forbidden',
    `The ledger ${inputs.ledger} needs to know who writes: add \`permissions: id-token: write\` ` +
      `to the job (the action then uses the job's OIDC token, audience "${inputs.audience}"), ` +
      'or pass an API key from a secret in `token:`.',
  );
}

export async function openLedger(
  inputs: LedgerInputs,
  ctx: CommandContext,
  purpose: LedgerPurpose,
): Promise<LedgerClient> {
  const location = parseLedgerLocation(inputs.ledger, ctx.cwd);
  const token = location.transport === 'http' ? await bearer(inputs, ctx, purpose) : undefined;
  const flags: LedgerFlags = { ledger: inputs.ledger, audience: inputs.audience };
  if (inputs.identity !== undefined) flags.as = inputs.identity;
  if (inputs.ledgerKey !== undefined) flags.ledgerKey = inputs.ledgerKey;
  if (inputs.witnesses !== undefined) flags.witness = inputs.witnesses;
  if (inputs.witnessQuorum !== undefined) flags.witnessQuorum = inputs.witnessQuorum;
  if (ctx.env.RUNNER_TEMP) flags.state = path.join(ctx.env.RUNNER_TEMP, 'notarize', 'state.json');
  // connectLedger takes the bearer token from NOTARIZE_TOKEN; without one it stays anonymous.
  const env: NodeJS.ProcessEnv = { ...ctx.env };
  delete env.NOTARIZE_TOKEN;
  if (token !== undefined) env.NOTARIZE_TOKEN = token;
  else {
    // Keep connectLedger from fetching an OIDC token on its own for anonymous reads.
    delete env.ACTIONS_ID_TOKEN_REQUEST_URL;
    delete env.ACTIONS_ID_TOKEN_REQUEST_TOKEN;
  }
  return connectLedger(flags, { ...ctx, env }, purpose);
}

/** Runs `fn` with a connected client and always closes it. */
export async function withActionLedger<T>(
  inputs: LedgerInputs,
  ctx: CommandContext,
  purpose: LedgerPurpose,
  fn: (client: LedgerClient) => Promise<T>,
): Promise<T> {
  const client = await openLedger(inputs, ctx, purpose);
  try {
    return await fn(client);
  } finally {
    await client.close();
  }
}
