/**
 * POST /v1/lookup/status (API.md): what a gate needs for many subjects in one answer, proved
 * complete by the lookup map — each subject's latest assertion per identity, and each of those
 * identities' revocation — in O(identities) entries however many assertions a subject has.
 */
import type { MapValue } from '@notarize/map';
import { identityDigest } from '@notarize/trust';
import { subjectKey } from '@notarize/ledger';
import { authorizeRead } from './access.ts';
import type { ServiceBackend } from './backend.ts';
import type { RequestContext } from './context.ts';
import { readJson, sendJson } from './http-io.ts';
import { buildBundle, treeSizeFor } from './proof-bundle.ts';
import { statusLookupBodySchema, type StatusLookupBody } from './schemas.ts';
import { validator } from './validate.ts';

const validateBody = validator<StatusLookupBody>(statusLookupBodySchema);

/**
 * The keys a status answer proves: the subjects' keys in request order (without repeats), then
 * the revocation keys of every identity the subjects' values name, by identity name. Clients
 * rebuild the same list from the values and refuse any other.
 */
export async function statusKeys(
  subjects: readonly string[],
  values: readonly (MapValue | undefined)[],
): Promise<string[]> {
  const keys = [...new Set(subjects.map(subjectKey))];
  const names = new Set<string>();
  for (const v of values) for (const [name] of v?.assert ?? []) names.add(name);
  for (const name of [...names].sort()) {
    const key = subjectKey(await identityDigest(name));
    if (!keys.includes(key)) keys.push(key);
  }
  return keys;
}

/** Entry indexes a status answer carries: latest assertions and first revocations. */
export function statusIndexes(values: readonly (MapValue | undefined)[]): number[] {
  const out = new Set<number>();
  for (const v of values) {
    for (const [, index] of v?.assert ?? []) out.add(index);
    if (v?.revoke !== undefined) out.add(v.revoke);
  }
  return [...out].sort((a, b) => a - b);
}

/** The status answer for `subjects` (shared by the service and the embedded client). */
export async function buildStatusBundle(
  backend: ServiceBackend,
  request: { subjects: readonly string[]; at?: number; known?: number },
) {
  // One checkpoint for both map reads: the keys depend on the values.
  const checkpoint = await backend.latest();
  const size = treeSizeFor(checkpoint, request.at);
  const subjectKeys = [...new Set(request.subjects.map(subjectKey))];
  const first = size > 0 ? await backend.mapAnswer(subjectKeys, size) : { values: [] };
  const keys = await statusKeys(request.subjects, first.values);
  return buildBundle(backend, {
    checkpoint,
    ...(request.at !== undefined ? { at: request.at } : {}),
    ...(request.known !== undefined ? { known: request.known } : {}),
    keys,
    select: async (_size, values) => statusIndexes(values),
  });
}

export async function postStatusLookup(ctx: RequestContext): Promise<void> {
  await authorizeRead(ctx);
  const { limits } = ctx.parts.config;
  const body = validateBody(
    await readJson(ctx.req, limits.maxBodyBytes, limits.requestTimeoutMs),
    'the status lookup',
  );
  sendJson(ctx.res, 200, await buildStatusBundle(ctx.parts.backend, body));
}
