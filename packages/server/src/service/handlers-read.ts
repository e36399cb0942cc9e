/** The verified-read endpoints of /v1 (API.md): info, checkpoint, entries, lookups, proofs. */
import { authorizeRead } from './access.ts';
import type { RequestContext } from './context.ts';
import { ServiceError } from './errors.ts';
import { intParam, sendJson } from './http-io.ts';
import { jobKey, subjectKey } from '@notarize/ledger';
import { b64, b64s, buildBundle, LOOKUP_PAGE_ENTRIES } from './proof-bundle.ts';

const DIGEST_RE = /^sha256:[0-9a-f]{64}$/;

export async function getInfo(ctx: RequestContext): Promise<void> {
  await authorizeRead(ctx);
  const { backend, config, version } = ctx.parts;
  const cp = await backend.latest();
  const { limits } = config;
  sendJson(ctx.res, 200, {
    origin: backend.origin,
    vkey: backend.vkey,
    checkpoint: cp.note,
    readOnly: !config.writable,
    limits: {
      maxBodyBytes: limits.maxBodyBytes,
      maxEntryBytes: limits.maxEntryBytes,
      maxBatchEntries: limits.maxBatchEntries,
      maxBlobBytes: limits.maxBlobBytes,
    },
    version,
    // Who the credentials sent belong to (a client signing a statement names it).
    ...(ctx.principal
      ? { caller: { name: ctx.principal.name, role: ctx.principal.role, auth: ctx.principal.auth } }
      : {}),
  });
}

export async function getCheckpoint(ctx: RequestContext): Promise<void> {
  await authorizeRead(ctx);
  sendJson(ctx.res, 200, { checkpoint: (await ctx.parts.backend.latest()).note });
}

/** `offset` and `limit` of a lookup page (every lookup answer is bounded). */
function pageParams(ctx: RequestContext): { page: { offset: number; limit: number } } {
  const q = ctx.url.searchParams;
  const offset = intParam(q, 'offset') ?? 0;
  const limit = Math.min(intParam(q, 'limit', 1) ?? LOOKUP_PAGE_ENTRIES, LOOKUP_PAGE_ENTRIES);
  return { page: { offset, limit } };
}

/**
 * The map keys a lookup proves, unless `complete=0` asks for an answer without the map (only
 * useful as of a size before the ledger's first map head; clients refuse it elsewhere).
 */
function proved(ctx: RequestContext, key: string): { keys?: string[] } {
  return ctx.url.searchParams.get('complete') === '0' ? {} : { keys: [key] };
}

function readParams(ctx: RequestContext): { at?: number; known?: number } {
  const at = intParam(ctx.url.searchParams, 'at', 1);
  const known = intParam(ctx.url.searchParams, 'known');
  return { ...(at !== undefined ? { at } : {}), ...(known !== undefined ? { known } : {}) };
}

export async function getEntry(ctx: RequestContext): Promise<void> {
  await authorizeRead(ctx);
  const text = ctx.params[0]!;
  if (!/^(0|[1-9]\d{0,15})$/.test(text) || !Number.isSafeInteger(Number(text))) {
    throw new ServiceError('BAD_REQUEST', `entry index "${text}" is not a non-negative integer`);
  }
  const index = Number(text);
  const bundle = await buildBundle(ctx.parts.backend, {
    ...readParams(ctx),
    select: async (size) => {
      if (index >= size) {
        throw new ServiceError(
          'NOT_FOUND',
          `entry ${index} does not exist: the tree has ${size} entries`,
        );
      }
      return [index];
    },
  });
  sendJson(ctx.res, 200, bundle);
}

export async function getSubject(ctx: RequestContext): Promise<void> {
  await authorizeRead(ctx);
  const digest = ctx.params[0]!;
  if (!DIGEST_RE.test(digest)) {
    throw new ServiceError(
      'BAD_REQUEST',
      `"${digest}" is not a digest; expected sha256:<64 lowercase hex>`,
    );
  }
  const { backend } = ctx.parts;
  const bundle = await buildBundle(backend, {
    ...readParams(ctx),
    ...pageParams(ctx),
    ...proved(ctx, subjectKey(digest)),
    select: (size) => backend.subjectIndexes(digest, size),
  });
  sendJson(ctx.res, 200, bundle);
}

export async function getJob(ctx: RequestContext): Promise<void> {
  await authorizeRead(ctx);
  const q = ctx.url.searchParams;
  const [provider, project, job] = [q.get('provider'), q.get('project'), q.get('job')];
  if (!provider || !project || !job) {
    throw new ServiceError('BAD_REQUEST', 'give provider, project and job query parameters');
  }
  const { backend } = ctx.parts;
  const bundle = await buildBundle(backend, {
    ...readParams(ctx),
    ...pageParams(ctx),
    ...proved(ctx, jobKey({ provider, project, jobId: job })),
    select: (size) => backend.jobIndexes(provider, project, job, size),
  });
  sendJson(ctx.res, 200, bundle);
}

export async function getInclusionProof(ctx: RequestContext): Promise<void> {
  await authorizeRead(ctx);
  const { backend } = ctx.parts;
  const cp = await backend.latest();
  const index = intParam(ctx.url.searchParams, 'index');
  const size = intParam(ctx.url.searchParams, 'size', 1) ?? cp.size;
  if (index === undefined) throw new ServiceError('BAD_REQUEST', 'give the index query parameter');
  if (size > cp.size)
    throw new ServiceError('AT_OUT_OF_RANGE', `size ${size} is beyond the tree (${cp.size})`);
  if (index >= size)
    throw new ServiceError('NOT_FOUND', `entry ${index} is not in the tree of size ${size}`);
  sendJson(ctx.res, 200, { index, size, proof: b64s(await backend.inclusionProof(index, size)) });
}

export async function getConsistencyProof(ctx: RequestContext): Promise<void> {
  await authorizeRead(ctx);
  const { backend } = ctx.parts;
  const cp = await backend.latest();
  const from = intParam(ctx.url.searchParams, 'from', 1);
  const to = intParam(ctx.url.searchParams, 'to', 1) ?? cp.size;
  if (from === undefined) throw new ServiceError('BAD_REQUEST', 'give the from query parameter');
  if (to > cp.size || from > to) {
    throw new ServiceError(
      'AT_OUT_OF_RANGE',
      `need 1 <= from (${from}) <= to (${to}) <= ${cp.size}`,
    );
  }
  sendJson(ctx.res, 200, { from, to, proof: b64s(await backend.consistencyProof(from, to)) });
}

export { b64 };
