import { MapError } from './errors.ts';
import { defaultSha256, type Hash, type Sha256 } from './hash.ts';

const utf8 = new TextEncoder();
/** What a map key hashes before the lookup key (domain separation). */
export const MAP_KEY_DOMAIN = 'notarize/map/key/v1\n';
const KEY_DOMAIN = utf8.encode(MAP_KEY_DOMAIN);

/**
 * The 256-bit map key of a lookup key: SHA-256("notarize/map/key/v1" || 0x0A || UTF-8(lookupKey)).
 * Hashing spreads keys uniformly, which keeps the tree about log2(n) deep whatever the keys are.
 */
export function mapKey(lookupKey: string, sha: Sha256 = defaultSha256): Hash {
  // A lone surrogate would be encoded as U+FFFD, so two different strings would share a key.
  if (typeof lookupKey !== 'string' || !lookupKey.isWellFormed()) {
    throw new MapError('MAP_INPUT_INVALID', 'a lookup key must be a well-formed Unicode string');
  }
  return sha([KEY_DOMAIN, utf8.encode(lookupKey)]);
}
