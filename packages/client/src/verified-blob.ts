/** Streams bytes while hashing them; the digest is checked when the stream ends. */
import { createHash } from 'node:crypto';
import { verificationError } from './errors.ts';

export const DIGEST_RE = /^sha256:[0-9a-f]{64}$/;

export async function* verifyingStream(
  source: AsyncIterable<Uint8Array>,
  digest: string,
  expectedSize: number | undefined,
): AsyncGenerator<Uint8Array> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of source) {
    hash.update(chunk);
    size += chunk.byteLength;
    yield chunk;
  }
  const got = `sha256:${hash.digest('hex')}`;
  if (got !== digest) {
    throw verificationError(
      'BLOB_DIGEST_MISMATCH',
      `blob ${digest} as served hashes to ${got}: the blob store was altered or the transfer corrupted; do not use these bytes`,
    );
  }
  if (expectedSize !== undefined && size !== expectedSize) {
    throw verificationError(
      'BLOB_DIGEST_MISMATCH',
      `blob ${digest} was announced as ${expectedSize} bytes but ${size} arrived`,
    );
  }
}
