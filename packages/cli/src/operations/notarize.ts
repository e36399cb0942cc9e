/**
 * Notarizing: one assertion entry per subject, all appended as one batch (one durable commit, one
 * checkpoint). One entry per subject keeps each entry small (tlog-tiles cap entries at 64 KiB) and
 * gives each subject its own index and receipt, so batches have no subject limit.
 */
import type { CiContext } from '@notarize/ci';
import type { AppendRequest, LedgerClient, Receipt } from '@notarize/client';
import {
  buildAssertion,
  signStatement,
  type SignerBinding,
  type SigningKey,
} from '@notarize/trust';
import { CliError } from '../cli-error.ts';

export interface NotarizeInput {
  client: LedgerClient;
  subjects: readonly { subject: string; digest: string }[];
  status: string;
  reason?: string;
  metadata?: Record<string, string>;
  ci?: CiContext;
  signingKey?: SigningKey;
  idempotencyKey?: string;
}

/** The `trust|untrust|unsupport --json` shape of docs/cli.md, plus the receipt. */
export interface NotarizeResult {
  subject: string;
  digest: string;
  status: string;
  index: number;
  checkpoint: { size: number; root: string };
  receipt: Receipt;
}

/**
 * The signer binding of signed statements: the identity the ledger knows this client as, and now.
 * The ledger refuses a signed statement that names anyone else.
 */
async function signerBinding(client: LedgerClient): Promise<SignerBinding> {
  const info = await client.info();
  const caller = info.caller;
  if (!caller) {
    throw new CliError(
      'SIGNER_UNKNOWN',
      'input',
      `signing needs your ledger identity, and ${info.url} did not say who you are: send ` +
        'credentials (NOTARIZE_TOKEN or the CI job token), or name the identity of a file: ledger (--as)',
    );
  }
  return { identity: caller.name, time: new Date().toISOString() };
}

export async function notarize(input: NotarizeInput): Promise<NotarizeResult[]> {
  const requests: AppendRequest[] = [];
  const signer = input.signingKey ? await signerBinding(input.client) : undefined;
  for (const s of input.subjects) {
    const draft = buildAssertion({
      subjects: [{ name: s.subject, digest: s.digest }],
      status: input.status,
      ...(input.reason !== undefined ? { reason: input.reason } : {}),
      ...(input.metadata && Object.keys(input.metadata).length > 0
        ? { metadata: input.metadata }
        : {}),
      ...(input.ci ? { ci: input.ci } : {}),
      ...(signer ? { signer } : {}),
    });
    const request: AppendRequest = { kind: draft.kind, statement: draft.statement };
    if (input.signingKey) request.envelope = await signStatement(draft.statement, input.signingKey);
    requests.push(request);
  }
  const receipts = await input.client.append(
    requests,
    input.idempotencyKey ? { idempotencyKey: input.idempotencyKey } : {},
  );
  return receipts.map((receipt, i) => {
    const s = input.subjects[i] as { subject: string; digest: string };
    const predicate = receipt.entry.statement.predicate as { status: string };
    return {
      subject: s.subject,
      digest: s.digest,
      status: predicate.status,
      index: receipt.index,
      checkpoint: { size: receipt.checkpoint.size, root: receipt.checkpoint.rootBase64 },
      receipt,
    };
  });
}
