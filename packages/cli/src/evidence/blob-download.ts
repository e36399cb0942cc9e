/**
 * Downloads one evidence blob into a file. The client checks the digest while the bytes stream
 * and throws at the end if they do not match; the bytes go to a temporary file in the same
 * directory that is renamed into place only after that check passed, so a tampered blob never
 * appears under the evidence's name (and never replaces a good copy from an earlier run).
 */
import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type { LedgerClient } from '@notarize/client';

export async function downloadBlob(
  client: LedgerClient,
  digest: string,
  target: string,
  options: { signal?: AbortSignal } = {},
): Promise<{ bytes: number }> {
  const tmp = path.join(
    path.dirname(target),
    `.${path.basename(target)}.${randomBytes(6).toString('hex')}.part`,
  );
  let bytes = 0;
  try {
    const blob = await client.getBlob(digest, options.signal ? { signal: options.signal } : {});
    const file = await open(tmp, 'wx', 0o644);
    try {
      // Written as they arrive: one chunk in memory at a time, whatever the blob's size.
      for await (const chunk of blob.body) {
        bytes += chunk.byteLength;
        await file.write(chunk);
      }
    } finally {
      await file.close();
    }
    await rename(tmp, target);
    return { bytes };
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
}
