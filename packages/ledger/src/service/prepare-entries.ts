/**
 * Turns append requests into ledger entries, checking everything before anything is sequenced:
 * the statement against its kind's schema, a DSSE envelope against the statement, the caller's
 * right for each entry, and the stored size. Shared by the HTTP service and the embedded client,
 * so a `file:` ledger enforces the same rules as the service.
 */
import {
  assertEnvelopeMatchesStatement,
  ENTRY_VERSION,
  validateStatement,
  type DsseEnvelope,
  type EntryIdentity,
  type EntryKind,
  type InTotoStatement,
  type LedgerEntry,
} from '@notarize/trust';
import type { Principal } from '../auth/principal.ts';
import { canonicalText } from '../canonical.ts';
import type { Action } from '../auth/roles.ts';
import { ServiceError } from './errors.ts';

export interface EntryRequest {
  kind: EntryKind;
  statement: unknown;
  envelope?: unknown;
}

const encoder = new TextEncoder();

/** The identity recorded in entries: the principal, with its verified claims beside. */
export function entryIdentity(principal: Principal): EntryIdentity {
  return { ...principal.claims, name: principal.name, role: principal.role, auth: principal.auth };
}

/** The action an entry needs: `assert:<status>`, `evidence` or `revoke`. */
export function actionFor(kind: EntryKind, statement: unknown): Action {
  if (kind === 'evidence') return 'evidence';
  if (kind === 'revocation') return 'revoke';
  const status = (statement as { predicate?: { status?: string } }).predicate?.status;
  return `assert:${status}` as Action;
}

export function prepareEntries(
  requests: readonly EntryRequest[],
  principal: Principal,
  limits: { maxBatchEntries: number; maxEntryBytes: number },
  authorize: (action: Action) => void,
  now: Date = new Date(),
): LedgerEntry[] {
  if (requests.length > limits.maxBatchEntries) {
    throw new ServiceError(
      'BATCH_TOO_LARGE',
      `${requests.length} entries in one request; the ledger takes at most ${limits.maxBatchEntries}: split the batch`,
    );
  }
  const identity = entryIdentity(principal);
  const time = now.toISOString();
  return requests.map((r, i) => {
    const where = `entries[${i}]`;
    try {
      validateStatement(r.kind, r.statement);
      if (r.envelope) {
        assertEnvelopeMatchesStatement(r.envelope as DsseEnvelope, r.statement as InTotoStatement);
      }
    } catch (error) {
      throw new ServiceError('ENTRY_INVALID', `${where}: ${(error as Error).message}`, {
        cause: error,
      });
    }
    authorize(actionFor(r.kind, r.statement));
    const entry: LedgerEntry = {
      v: ENTRY_VERSION,
      kind: r.kind,
      statement: r.statement as InTotoStatement,
      identity,
      time,
      ...(r.envelope ? { envelope: r.envelope as DsseEnvelope } : {}),
    };
    const bytes = encoder.encode(canonicalText(entry)).byteLength;
    if (bytes > limits.maxEntryBytes) {
      throw new ServiceError(
        'ENTRY_TOO_LARGE',
        `${where} is ${bytes} bytes as stored; entries are at most ${limits.maxEntryBytes} bytes: put large data in a blob (evidence) and reference its digest`,
      );
    }
    return entry;
  });
}
