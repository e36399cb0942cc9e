/**
 * The checks of a write that need the ledger's own state (not just the request), run after
 * prepareEntries and before anything is sequenced — by the service and by the embedded client,
 * so a `file:` ledger refuses the same things: a revocation of an identity that does not exist
 * (unless forced), and evidence whose blob the ledger does not hold (BLOB_MISSING, 409) or holds
 * with another size (ENTRY_INVALID) — such an entry would make every `evidence get` of its job fail.
 */
import type { LedgerEntry } from '@notarize/trust';
import type { AuthConfig } from '../auth/config.ts';
import type { ServiceBackend } from './backend.ts';
import type { BlobStore } from './blob-store.ts';
import { ServiceError } from './errors.ts';
import { checkRevocationTargets } from './revocation-target.ts';

export interface WriteCheckParts {
  backend: ServiceBackend;
  auth: AuthConfig | undefined;
  blobs: BlobStore;
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
  await checkEvidenceBlobs(entries, parts.blobs);
  const forcedRevocations = await checkRevocationTargets(
    entries,
    parts.backend,
    parts.auth,
    options.force === true,
  );
  return { forcedRevocations };
}

async function checkEvidenceBlobs(
  entries: readonly LedgerEntry[],
  blobs: BlobStore,
): Promise<void> {
  for (const [i, entry] of entries.entries()) {
    if (entry.kind !== 'evidence') continue;
    const file = (entry.statement.predicate as { file?: { digest?: unknown; size?: unknown } })
      .file;
    if (typeof file?.digest !== 'string') continue;
    const blob = await blobs.get(file.digest);
    if (!blob) {
      throw new ServiceError(
        'BLOB_MISSING',
        `entries[${i}] is evidence of blob ${file.digest}, which this ledger does not hold: ` +
          'upload the file first (PUT /v1/blobs/<digest>), then append the entry',
      );
    }
    if (blob.size !== file.size) {
      throw new ServiceError(
        'ENTRY_INVALID',
        `entries[${i}] records ${String(file.size)} bytes for blob ${file.digest}, which has ${blob.size}`,
      );
    }
  }
}
