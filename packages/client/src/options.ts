/**
 * How a LedgerClient is opened. The CLI builds these from flags and the environment; tests pass
 * their own dispatcher, state file and key so that nothing global is touched.
 */
import type { Dispatcher } from 'undici';

export interface LedgerClientOptions {
  /**
   * Pinned ledger verifier key (`<name>+<hex id>+<base64>`). Default: `NOTARIZE_LEDGER_KEY`, else
   * the key already recorded for this ledger in the state file, else trust on first use (a loud
   * notice on stderr, and the key is recorded).
   */
  vkey?: string;
  /** State file (last verified checkpoint per ledger). Default: `NOTARIZE_STATE`, else
   *  `~/.config/notarize/state.json`. `false`: keep state in memory only. */
  statePath?: string | false;
  /** Environment to read defaults from (NOTARIZE_LEDGER_KEY, NOTARIZE_STATE, NOTARIZE_TOKEN,
   *  NOTARIZE_IDENTITY, HOME, XDG_CONFIG_HOME). Default: process.env. */
  env?: NodeJS.ProcessEnv;
  /** Resolves relative `file:` paths. Default: process.cwd(). */
  cwd?: string;
  /** Where notices go (trust on first use, retries). Default: stderr. */
  notice?: (message: string) => void;

  // --- http(s) ledgers
  /** Bearer token: an API key or an OIDC id token. Default: `NOTARIZE_TOKEN`. */
  token?: string;
  /** undici dispatcher to use (tests pass their own). Default: a keep-alive Agent owned by the client. */
  dispatcher?: Dispatcher;
  /** Per-request timeout in ms (headers and body). Default 30 000. */
  timeoutMs?: number;
  /** Retries on 429/5xx/timeouts/connection errors (POST only with an idempotency key). Default 4. */
  retries?: number;
  /** First backoff delay in ms (doubled each retry, jittered, capped by Retry-After). Default 200. */
  retryBaseMs?: number;

  /**
   * Witnesses whose cosignatures every read requires (`--witness`, `NOTARIZE_WITNESSES`): reads
   * are proved against the newest checkpoint with at least `quorum` (default: all) valid
   * cosignatures, as of its size. Service ledgers only.
   */
  witnesses?: { vkeys: readonly string[]; quorum?: number; maxAgeSeconds?: number };

  // --- file: ledgers
  /** Identity that appends (`--as NAME`, `NOTARIZE_IDENTITY`). Required for writes to `file:`. */
  identity?: string;
  /**
   * Open an existing ledger for reading only: a `file:` directory holding no ledger is an error
   * (NOT_FOUND, input: "no ledger at …") instead of a new, empty ledger. Default false.
   */
  readOnly?: boolean;
}
