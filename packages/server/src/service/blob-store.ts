/**
 * Content-addressed blob store beside the log: `<data>/blobs/sha256/<hex>`. Uploads stream to a
 * temporary file while being hashed and counted (never held in memory), are fsync'd, and only
 * then renamed into place, so a blob path always holds exactly the bytes of its digest; an
 * interrupted or oversized upload leaves nothing behind. Identical blobs are stored once.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, type ReadStream } from 'node:fs';
import { mkdir, open, rename, rm, stat, utimes } from 'node:fs/promises';
import path from 'node:path';
import { ServiceError } from './errors.ts';

const DIGEST_RE = /^sha256:([0-9a-f]{64})$/;

export interface StoredBlob {
  digest: string;
  size: number;
  created: boolean;
}

export class BlobStore {
  readonly dir: string;
  private readonly tmpDir: string;
  private readonly maxBytes: number;

  constructor(dataDir: string, maxBytes: number) {
    this.dir = path.join(dataDir, 'blobs', 'sha256');
    this.tmpDir = path.join(dataDir, 'blobs', 'tmp');
    this.maxBytes = maxBytes;
  }

  async init(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    await mkdir(this.tmpDir, { recursive: true });
  }

  static parseDigest(digest: string): string {
    const m = DIGEST_RE.exec(digest);
    if (!m) {
      throw new ServiceError(
        'BAD_REQUEST',
        `"${digest}" is not a blob digest; expected sha256:<64 lowercase hex>`,
      );
    }
    return m[1]!;
  }

  private pathOf(hex: string): string {
    return path.join(this.dir, hex);
  }

  /** Streams `source` into the store; `expected` (when given) must be its digest. */
  async put(source: AsyncIterable<Uint8Array>, expected?: string): Promise<StoredBlob> {
    const expectedHex = expected === undefined ? undefined : BlobStore.parseDigest(expected);
    const tmp = path.join(this.tmpDir, `${randomBytes(12).toString('hex')}.part`);
    const hash = createHash('sha256');
    let size = 0;
    const file = await open(tmp, 'wx', 0o644);
    try {
      for await (const chunk of source) {
        size += chunk.byteLength;
        if (size > this.maxBytes) {
          throw new ServiceError(
            'BLOB_TOO_LARGE',
            `blob exceeds the service's limit of ${this.maxBytes} bytes; store smaller evidence or ask the operator to raise limits.maxBlobBytes`,
          );
        }
        hash.update(chunk);
        await file.write(chunk);
      }
      await file.sync();
    } catch (error) {
      await file.close();
      await rm(tmp, { force: true });
      throw error;
    }
    await file.close();
    const hex = hash.digest('hex');
    if (expectedHex !== undefined && hex !== expectedHex) {
      await rm(tmp, { force: true });
      throw new ServiceError(
        'DIGEST_MISMATCH',
        `the uploaded bytes hash to sha256:${hex}, not ${expected}; nothing was stored`,
      );
    }
    const target = this.pathOf(hex);
    if (await this.exists(hex)) {
      await rm(tmp, { force: true });
      // A re-upload is an upload in flight: refresh the time so orphan collection (which only
      // removes blobs older than a threshold) cannot delete it before its entry is appended.
      const now = new Date();
      await utimes(target, now, now);
      return { digest: `sha256:${hex}`, size, created: false };
    }
    await rename(tmp, target);
    // The entry that references the blob is appended only after this returns: make the rename
    // itself durable, or a crash could leave an acknowledged entry without its blob.
    const dir = await open(path.dirname(target), 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
    return { digest: `sha256:${hex}`, size, created: true };
  }

  private async exists(hex: string): Promise<boolean> {
    try {
      await stat(this.pathOf(hex));
      return true;
    } catch {
      return false;
    }
  }

  /** Size and a read stream of a stored blob, or undefined. */
  async get(digest: string): Promise<{ size: number; open(): ReadStream } | undefined> {
    const hex = BlobStore.parseDigest(digest);
    const file = this.pathOf(hex);
    try {
      const s = await stat(file);
      return { size: s.size, open: () => createReadStream(file) };
    } catch {
      return undefined;
    }
  }
}
