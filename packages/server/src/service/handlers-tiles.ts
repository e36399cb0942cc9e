/** The C2SP tlog-tiles read API: /checkpoint, /tile/<L>/<N>[.p/<W>], /tile/entries/<N>[.p/<W>]. */
import { authorizeRead } from './access.ts';
import type { RequestContext } from './context.ts';
import { sendBytes } from './http-io.ts';
import { readTile } from './tiles.ts';

export async function getTlogCheckpoint(ctx: RequestContext): Promise<void> {
  await authorizeRead(ctx);
  const cp = await ctx.parts.backend.latest();
  // With witnesses: the newest checkpoint that met the quorum, with its cosignatures (the newest
  // unwitnessed one stays at /v1/checkpoint for writers). None yet: the unwitnessed one.
  const note = ctx.parts.witnesses?.witnessedNote() ?? cp.note;
  // Mutable: the spec asks that it not be cached beyond a few seconds.
  sendBytes(
    ctx.res,
    200,
    note,
    { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'public, max-age=2' },
    ctx.req.method === 'HEAD',
  );
}

export async function getTile(ctx: RequestContext): Promise<void> {
  await authorizeRead(ctx);
  const tile = await readTile(ctx.parts.backend, ctx.url.pathname.slice(1));
  sendBytes(
    ctx.res,
    200,
    tile.body,
    {
      'content-type': 'application/octet-stream',
      'cache-control': tile.immutable
        ? 'public, max-age=31536000, immutable'
        : 'public, max-age=60',
    },
    ctx.req.method === 'HEAD',
  );
}
