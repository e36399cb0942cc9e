/** Blob upload and download (API.md): streamed, content-addressed, size-limited. */
import { authenticateWriter, authorizeAction, authorizeRead } from './access.ts';
import { BlobStore } from './blob-store.ts';
import type { RequestContext } from './context.ts';
import { ServiceError } from './errors.ts';
import { declaredLength, sendJson } from './http-io.ts';

export async function putBlob(ctx: RequestContext): Promise<void> {
  const principal = await authenticateWriter(ctx);
  authorizeAction(ctx, principal, 'evidence');
  const expected = ctx.params[0];
  if (expected !== undefined) BlobStore.parseDigest(expected);
  const { limits } = ctx.parts.config;
  const length = declaredLength(ctx.req);
  if (length === undefined && ctx.req.headers['transfer-encoding'] === undefined) {
    throw new ServiceError(
      'LENGTH_REQUIRED',
      'send Content-Length (or chunked transfer encoding) with the blob',
    );
  }
  if (length !== undefined && length > limits.maxBlobBytes) {
    throw new ServiceError(
      'BLOB_TOO_LARGE',
      `the blob is ${length} bytes; this service stores at most ${limits.maxBlobBytes} bytes per blob`,
    );
  }
  const stored = await ctx.parts.blobs.put(ctx.req, expected);
  if (length !== undefined && stored.size !== length) {
    throw new ServiceError(
      'BAD_REQUEST',
      `Content-Length said ${length} bytes, ${stored.size} arrived`,
    );
  }
  if (stored.created) ctx.parts.metrics.blobBytes.inc({}, stored.size);
  sendJson(ctx.res, stored.created ? 201 : 200, stored);
}

export async function getBlob(ctx: RequestContext): Promise<void> {
  await authorizeRead(ctx);
  const digest = ctx.params[0]!;
  const blob = await ctx.parts.blobs.get(digest);
  if (!blob) throw new ServiceError('NOT_FOUND', `no blob ${digest} in this ledger`);
  ctx.res.writeHead(200, {
    'content-type': 'application/octet-stream',
    'content-length': blob.size,
    etag: `"${digest}"`,
    'cache-control': 'public, max-age=31536000, immutable',
  });
  if (ctx.req.method === 'HEAD') {
    ctx.res.end();
    return;
  }
  const stream = blob.open();
  await new Promise<void>((resolve) => {
    stream.on('error', () => {
      ctx.res.destroy();
      resolve();
    });
    ctx.res.on('close', () => {
      stream.destroy();
      resolve();
    });
    stream.pipe(ctx.res);
  });
}
