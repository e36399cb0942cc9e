/**
 * POST /v1/entries and POST /v1/revocations. Everything is checked before anything is sequenced
 * (schema, statement by kind, envelope/statement match, entry size, the role's right for every
 * entry, revocation, admission), so a refused batch appends nothing. The identity recorded is the
 * authenticated principal, the time is the service's.
 */
import { createHash } from 'node:crypto';
import { buildRevocation, type LedgerEntry } from '@notarize/trust';
import { canonicalText } from '@notarize/ledger';
import type { Principal } from '../auth/principal.ts';
import { authenticateWriter, authorizeAction } from './access.ts';
import type { RequestContext } from './context.ts';
import { ServiceError } from './errors.ts';
import { intParam, readJson, sendJson } from './http-io.ts';
import type { BackendAppendResult } from './backend.ts';
import { b64s, knownMember, provedEntries, type WireEntry } from './proof-bundle.ts';
import { prepareEntries } from './prepare-entries.ts';
import { checkBeforeAppend } from './write-checks.ts';
import {
  appendBodySchema,
  revocationBodySchema,
  type AppendBody,
  type RevocationBody,
} from './schemas.ts';
import { validator } from './validate.ts';

const validateAppend = validator<AppendBody>(appendBodySchema);
const validateRevocation = validator<RevocationBody>(revocationBodySchema);

/** Sequences `entries` under admission control and the idempotency key; answers 201. */
async function appendAndRespond(
  ctx: RequestContext,
  principal: Principal,
  entries: LedgerEntry[],
  bodyForKey: unknown,
): Promise<void> {
  const { parts } = ctx;
  const known = intParam(ctx.url.searchParams, 'known');
  const start = process.hrtime.bigint();
  let fresh: BackendAppendResult | undefined;
  const run = async (): Promise<number[]> => {
    if (parts.queue.entries + entries.length > parts.config.limits.maxQueuedEntries) {
      throw new ServiceError(
        'TOO_MANY_REQUESTS',
        `the ledger has ${parts.queue.entries} entries waiting to be sequenced; retry shortly`,
        { headers: { 'retry-after': '1' } },
      );
    }
    parts.queue.entries += entries.length;
    try {
      fresh = await parts.backend.append(entries);
      return fresh.indexes;
    } finally {
      parts.queue.entries -= entries.length;
    }
  };
  const key = ctx.req.headers['idempotency-key'];
  let indexes: number[];
  let replayed = false;
  if (typeof key === 'string') {
    const bodyHash = createHash('sha256').update(canonicalText(bodyForKey)).digest('hex');
    ({ indexes, replayed } = await parts.idempotency.run(principal.name, key, bodyHash, run));
  } else if (key !== undefined) {
    throw new ServiceError('BAD_REQUEST', 'send one Idempotency-Key header');
  } else {
    indexes = await run();
  }
  let response: { checkpoint: string; receipts: WireEntry[]; known?: unknown };
  if (!replayed && fresh?.proofs) {
    // The batch's own checkpoint and the proofs the engine made while committing it: newer than
    // anything the client knew when it asked, so valid for it, and no re-reading of nodes.
    const proofs = fresh.proofs;
    const cp = fresh.checkpoint;
    response = {
      checkpoint: cp.note,
      ...(await knownMember(parts.backend, cp, known)),
      receipts: indexes.map((index, i) => ({ index, entry: entries[i]!, proof: b64s(proofs[i]!) })),
    };
  } else {
    // A replay is proved in the latest checkpoint: the first answer's may be older than one the
    // client has seen since.
    const cp = await parts.backend.latest();
    const [receipts, knownPart] = await Promise.all([
      provedEntries(parts.backend, indexes, cp.size, replayed ? undefined : entries),
      knownMember(parts.backend, cp, known),
    ]);
    response = { checkpoint: cp.note, ...knownPart, receipts };
  }
  if (!replayed) {
    parts.metrics.appends.inc();
    parts.metrics.appendEntries.inc({}, entries.length);
    parts.metrics.appendBatch.observe(entries.length);
    parts.metrics.appendLatency.observe(Number(process.hrtime.bigint() - start) / 1e9);
  }
  sendJson(ctx.res, 201, response, replayed ? { 'idempotency-replayed': 'true' } : {});
}

function writeParts(ctx: RequestContext) {
  return { backend: ctx.parts.backend, auth: ctx.parts.config.auth, blobs: ctx.parts.blobs };
}

export async function postEntries(ctx: RequestContext): Promise<void> {
  const principal = await authenticateWriter(ctx);
  const { limits } = ctx.parts.config;
  const body = validateAppend(
    await readJson(ctx.req, limits.maxBodyBytes, limits.requestTimeoutMs),
    'the append request',
  );
  const entries = prepareEntries(body.entries, principal, ctx.parts.config.limits, (action) =>
    authorizeAction(ctx, principal, action),
  );
  await checkBeforeAppend(entries, writeParts(ctx));
  await appendAndRespond(ctx, principal, entries, body);
  for (const e of entries) {
    if (e.kind === 'revocation') {
      const name = (e.statement.predicate as { identity?: string } | undefined)?.identity;
      if (name) ctx.parts.revocations.revoked(name);
    }
  }
}

export async function postRevocation(ctx: RequestContext): Promise<void> {
  const principal = await authenticateWriter(ctx);
  const { limits } = ctx.parts.config;
  const body = validateRevocation(
    await readJson(ctx.req, limits.maxBodyBytes, limits.requestTimeoutMs),
    'the revocation request',
  );
  authorizeAction(ctx, principal, 'revoke');
  const draft = await buildRevocation(body);
  const entries = prepareEntries(
    [{ kind: 'revocation', statement: draft.statement as unknown as Record<string, unknown> }],
    principal,
    ctx.parts.config.limits,
    (action) => authorizeAction(ctx, principal, action),
  );
  const { forcedRevocations } = await checkBeforeAppend(entries, writeParts(ctx), {
    force: body.force === true,
  });
  for (const name of forcedRevocations) {
    ctx.parts.logger.log('warn', 'revocation of an unknown identity (forced)', { identity: name });
  }
  await appendAndRespond(ctx, principal, entries, { revocation: body });
  ctx.parts.revocations.revoked(body.identity);
}
