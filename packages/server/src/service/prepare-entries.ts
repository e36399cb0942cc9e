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
import { canonicalText } from '@notarize/ledger';
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

/** How far a signing time may lie ahead of the ledger's clock (clock skew). */
const MAX_SIGNING_SKEW_MS = 5 * 60_000;

/**
 * A DSSE-signed statement must name its signer and signing time (`predicate.signer`), and the
 * signer must be the authenticated caller: otherwise anyone who saw an envelope could post it
 * again under their own identity (SIGNER_MISMATCH). A signing time in the future would make the
 * statement newer than every later signature, so it is refused beyond a small clock skew.
 */
function checkSignerBinding(
  statement: InTotoStatement,
  principal: Principal,
  now: Date,
  where: string,
): void {
  const signer = (statement.predicate as { signer?: { identity?: unknown; time?: unknown } })
    .signer;
  if (typeof signer?.identity !== 'string' || typeof signer.time !== 'string') {
    throw new ServiceError(
      'ENTRY_INVALID',
      `${where}: a DSSE-signed statement must name its signer and signing time ` +
        '(predicate.signer {identity, time}); only assertions carry it — sign with a current notarize',
    );
  }
  if (signer.identity !== principal.name) {
    throw new ServiceError(
      'SIGNER_MISMATCH',
      `${where}: the statement was signed for identity "${signer.identity}", but you are ` +
        `"${principal.name}": a signed statement can only be recorded by the identity it names`,
    );
  }
  const at = Date.parse(signer.time);
  if (!Number.isFinite(at) || at > now.getTime() + MAX_SIGNING_SKEW_MS) {
    throw new ServiceError(
      'ENTRY_INVALID',
      `${where}: signing time ${signer.time} is not a time or lies in the future (ledger time ${now.toISOString()})`,
    );
  }
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
    if (r.envelope) checkSignerBinding(r.statement as InTotoStatement, principal, now, where);
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
