/**
 * The checks of a write that need the ledger's own state (not just the request), run after
 * prepareEntries and before anything is sequenced — by the service and by the embedded client,
 * so a `file:` ledger refuses the same things: a revocation of an identity that does not exist
 * (unless forced).
 */
import type { LedgerEntry } from '@notarize/trust';
import type { AuthConfig } from '../auth/config.ts';
import type { ServiceBackend } from './backend.ts';
import { checkRevocationTargets } from './revocation-target.ts';

export interface WriteCheckParts {
  backend: ServiceBackend;
  auth: AuthConfig | undefined;
}

export interface WriteCheckOptions {
  /** Revoke identities the ledger does not know (notarize revoke --force). */
  force?: boolean;
}

/** Throws a ServiceError for the first refused entry; returns the identities forced through. */
export async function checkBeforeAppend(
  entries: readonly LedgerEntry[],
  parts: WriteCheckParts,
  options: WriteCheckOptions = {},
): Promise<{ forcedRevocations: string[] }> {
  const forcedRevocations = await checkRevocationTargets(
    entries,
    parts.backend,
    parts.auth,
    options.force === true,
  );
  return { forcedRevocations };
}
