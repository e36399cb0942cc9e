/**
 * Opens the right LedgerClient for a ledger location (`--ledger` / `NOTARIZE_LEDGER`):
 * `http(s)://…` -> HttpLedgerClient, `file:<dir>` -> EmbeddedLedgerClient. Both verify the same
 * way; the key to verify with is pinned (option, NOTARIZE_LEDGER_KEY, state file) or trusted on
 * first use with a loud notice.
 */
import path from 'node:path';
import { LedgerClientError } from './errors.ts';
import type { LedgerClient } from './ledger-client.ts';
import type { LedgerClientOptions } from './options.ts';
import { openStateStore, type StateStore } from './state.ts';
import { LedgerVerifier } from './verifier.ts';
import { withoutCredentials } from './redact-url.ts';
import { parseInfo } from './wire.ts';
import { witnessPolicy } from './witness-quorum.ts';
import { WitnessedLedgerClient } from './witnessed-client.ts';

export type LedgerLocation =
  { transport: 'file'; dir: string; url: string } | { transport: 'http'; base: URL; url: string };

export function parseLedgerLocation(text: string, cwd: string = process.cwd()): LedgerLocation {
  if (text.startsWith('file:')) {
    let rest = text.slice('file:'.length);
    // file:///abs and file:/abs and file:rel all name a directory.
    if (rest.startsWith('//')) rest = rest.slice(2);
    if (rest.length === 0) {
      throw new LedgerClientError(
        'LOCATION_INVALID',
        'input',
        'file: ledger needs a directory: file:<dir>',
      );
    }
    const dir = path.resolve(cwd, decodeURIComponent(rest));
    return { transport: 'file', dir, url: `file:${dir}` };
  }
  if (/^https?:\/\//i.test(text)) {
    // User and password are never used, stored nor shown (redact-url.ts).
    const shown = withoutCredentials(text);
    let base: URL;
    try {
      base = new URL(shown);
    } catch (error) {
      throw new LedgerClientError('LOCATION_INVALID', 'input', `"${shown}" is not a URL`, {
        cause: error,
      });
    }
    if (base.search || base.hash) {
      throw new LedgerClientError(
        'LOCATION_INVALID',
        'input',
        `ledger URL "${shown}" must not carry a query or fragment`,
      );
    }
    const url = base.href.replace(/\/+$/, '');
    return { transport: 'http', base: new URL(`${url}/`), url };
  }
  throw new LedgerClientError(
    'LOCATION_INVALID',
    'input',
    `"${text}" is not a ledger location; use http(s)://host[:port][/prefix] for a service or file:<dir> for an embedded ledger`,
  );
}

/** Resolves the key to verify with, pinning it on first use (with a notice that says so). */
export async function resolveVkey(
  location: string,
  state: StateStore,
  options: LedgerClientOptions,
  env: NodeJS.ProcessEnv,
  discover: () => Promise<string>,
  notice: (message: string) => void,
): Promise<string> {
  const explicit = options.vkey ?? env.NOTARIZE_LEDGER_KEY;
  if (explicit) return explicit.trim();
  const pinned = await state.pinnedKey(location);
  if (pinned) return pinned;
  const vkey = await discover();
  await state.pin(location, vkey);
  notice(
    [
      `notarize: WARNING: no key pinned for ledger ${location}; trusting the key it presents on first use:`,
      `notarize:   ${vkey}`,
      `notarize: compare it with the key the ledger's operator published (\`notarize ledger info\` on the server);`,
      `notarize: set NOTARIZE_LEDGER_KEY to pin it explicitly. Recorded in ${state.path ?? 'memory'}.`,
    ].join('\n'),
  );
  return vkey;
}

export async function openLedgerClient(
  locationText: string,
  options: LedgerClientOptions = {},
): Promise<LedgerClient> {
  const env = options.env ?? process.env;
  const location = parseLedgerLocation(locationText, options.cwd);
  const state = openStateStore(options.statePath ?? env.NOTARIZE_STATE ?? undefined, env);
  const notice = options.notice ?? ((m: string) => process.stderr.write(`${m}\n`));

  const witnesses = options.witnesses ? witnessPolicy(options.witnesses) : undefined;
  if (location.transport === 'file') {
    if (witnesses) {
      throw new LedgerClientError(
        'ARGUMENT_INVALID',
        'input',
        'witnesses cosign the checkpoints of a ledger service; a file: ledger has none — drop --witness / NOTARIZE_WITNESSES or use the service URL',
      );
    }
    const { EmbeddedLedgerClient } = await import('./embedded-client.ts');
    return EmbeddedLedgerClient.open(location.dir, { ...options, env }, state, notice);
  }

  // Each transport loads its code when used: a file: ledger never evaluates the HTTP client
  // (undici), an https: one never the embedded engine.
  const [{ HttpTransport }, { HttpLedgerClient }] = await Promise.all([
    import('./http-transport.ts'),
    import('./http-client.ts'),
  ]);
  const transport = new HttpTransport(location.base, {
    ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
    ...((options.token ?? env.NOTARIZE_TOKEN)
      ? { token: options.token ?? env.NOTARIZE_TOKEN }
      : {}),
    timeoutMs: options.timeoutMs ?? 30_000,
    retries: options.retries ?? 4,
    retryBaseMs: options.retryBaseMs ?? 200,
    notice,
  });
  try {
    const vkey = await resolveVkey(
      location.url,
      state,
      options,
      env,
      async () => {
        const { value } = await transport.json({ method: 'GET', path: 'v1/info', retryable: true });
        return parseInfo(value).vkey;
      },
      notice,
    );
    const client = new HttpLedgerClient(location.url, transport, new LedgerVerifier(vkey, state));
    return witnesses ? new WitnessedLedgerClient(client, witnesses) : client;
  } catch (error) {
    await transport.close();
    throw error;
  }
}
