/**
 * A revocation must name an identity that exists: one the auth config names (`identities`, an API
 * key's identity) or one that has written to this ledger. Revoking a look-alike name (a U+2010
 * hyphen, a typo) would be accepted and change nothing, so it is refused unless forced.
 */
import type { LedgerEntry } from '@notarize/trust';
import type { AuthConfig } from '../auth/config.ts';
import type { ServiceBackend } from './backend.ts';
import { ServiceError } from './errors.ts';

/** Whether `name` is configured or has appended at least one entry. */
export async function identityExists(
  name: string,
  backend: ServiceBackend,
  auth: AuthConfig | undefined,
): Promise<boolean> {
  if (auth && Object.hasOwn(auth.identities, name)) return true;
  if (auth?.apiKeys.some((k) => k.identity === name)) return true;
  const { size } = await backend.latest();
  return size > 0 && (await backend.identityIndexes(name, size)).length > 0;
}

/**
 * Throws IDENTITY_UNKNOWN (404) for a revocation among `entries` whose identity does not exist,
 * unless `force`; returns the names that were forced through, so the caller can warn.
 */
export async function checkRevocationTargets(
  entries: readonly LedgerEntry[],
  backend: ServiceBackend,
  auth: AuthConfig | undefined,
  force = false,
): Promise<string[]> {
  const forced: string[] = [];
  for (const entry of entries) {
    if (entry.kind !== 'revocation') continue;
    const name = (entry.statement.predicate as { identity?: unknown } | undefined)?.identity;
    if (typeof name !== 'string' || (await identityExists(name, backend, auth))) continue;
    if (!force) {
      throw new ServiceError(
        'IDENTITY_UNKNOWN',
        `no identity ${JSON.stringify(name)} is configured or has written to this ledger, so ` +
          'revoking it would change nothing; check the name (look-alike characters?) or revoke ' +
          'with force (notarize revoke --force) to block it before it ever writes',
      );
    }
    forced.push(name);
  }
  return forced;
}
