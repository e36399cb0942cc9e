/**
 * Every refusal of the witness is a WitnessError with a stable `code` and the HTTP status the
 * C2SP tlog-witness spec assigns to it, so the server never answers a client's mistake with 500.
 */
export type WitnessErrorCode =
  | 'BODY_MALFORMED' // 400: the request body is not old-size line, proof lines, blank, checkpoint
  | 'OLD_SIZE_TOO_LARGE' // 400: old size > checkpoint size
  | 'SIGNATURE_INVALID' // 403: no signature by a trusted key of the origin verifies
  | 'ORIGIN_UNKNOWN' // 404: no configured log has this origin
  | 'OLD_SIZE_STALE' // 409: old size is not the witness's size (body: its size)
  | 'ROOT_CONFLICT' // 409: same size as the witness's, another root (a fork: evidence kept)
  | 'PROOF_INVALID' // 422: the consistency proof does not verify
  | 'MAP_HEAD_INVALID' // 422: map-verifying only: a map head among the new entries is wrong
  | 'LEDGER_UNREADABLE' // 503: map-verifying only: the ledger's tiles could not be read
  | 'TOO_LARGE' // 413
  | 'METHOD_NOT_ALLOWED' // 405
  | 'NOT_FOUND' // 404: no such path
  | 'CONFIG_INVALID'; // startup: bad --log key, data directory, name

const STATUS: Record<WitnessErrorCode, number> = {
  BODY_MALFORMED: 400,
  OLD_SIZE_TOO_LARGE: 400,
  SIGNATURE_INVALID: 403,
  ORIGIN_UNKNOWN: 404,
  OLD_SIZE_STALE: 409,
  ROOT_CONFLICT: 409,
  PROOF_INVALID: 422,
  MAP_HEAD_INVALID: 422,
  LEDGER_UNREADABLE: 503,
  TOO_LARGE: 413,
  METHOD_NOT_ALLOWED: 405,
  NOT_FOUND: 404,
  CONFIG_INVALID: 500,
};

export class WitnessError extends Error {
  readonly code: WitnessErrorCode;
  readonly status: number;
  /** For the CLI's exit code: a bad setting is the user's (10), the rest a refusal. */
  readonly category: 'input' | 'verification';
  /** For OLD_SIZE_STALE: the size of the latest checkpoint the witness cosigned. */
  readonly witnessSize: number | undefined;
  constructor(
    code: WitnessErrorCode,
    message: string,
    options?: { cause?: unknown; witnessSize?: number },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'WitnessError';
    this.code = code;
    this.status = STATUS[code];
    this.category = code === 'CONFIG_INVALID' ? 'input' : 'verification';
    this.witnessSize = options?.witnessSize;
  }
}
