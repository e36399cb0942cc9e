/**
 * Every failure of this package is a MapError with a stable `code`, so callers can tell a caller
 * mistake (`MAP_INPUT_INVALID`: a 31-byte key, an empty key list) from data that failed a check
 * (a malformed proof, a proof for another root, a map value that is not canonical) and map the
 * latter to "incomplete answer" rather than "usage error".
 */
export type MapErrorCode =
  'MAP_PROOF_MALFORMED' | 'MAP_ROOT_MISMATCH' | 'MAP_VALUE_INVALID' | 'MAP_INPUT_INVALID';

export class MapError extends Error {
  readonly code: MapErrorCode;
  constructor(code: MapErrorCode, message: string) {
    super(message);
    this.name = 'MapError';
    this.code = code;
  }
}
