/**
 * Evidence files on disk: checked (a readable regular file), sniffed (the first bytes, for the
 * media type), then streamed to the ledger while being hashed and counted, so a file of any size
 * is never held in memory and the digest the ledger reports can be checked against our own.
 */
import { createHash } from 'node:crypto';
import { type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { openRegularFile } from '../regular-file.ts';
import { EvidenceError } from './errors.ts';
import { detectMediaType, SNIFF_BYTES } from './media-type.ts';

/** Read size of the upload stream: large reads keep syscalls and chunks per MB low. */
const CHUNK_BYTES = 1024 * 1024;

export interface EvidenceFileInfo {
  /** As given on the command line. */
  given: string;
  /** Absolute path. */
  path: string;
  /** What the ledger records: the base name (the CI workspace's layout is not evidence). */
  name: string;
  size: number;
  mediaType: string;
}

function openError(given: string, error: unknown): EvidenceError {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR') {
    return new EvidenceError(
      'EVIDENCE_FILE_MISSING',
      'input',
      `evidence file ${given} does not exist`,
      {
        cause: error,
      },
    );
  }
  if (code === 'EISDIR') return notAFile(given, 'a directory');
  const why = code === 'EACCES' || code === 'EPERM' ? 'permission denied' : String(code ?? error);
  return new EvidenceError(
    'EVIDENCE_UNREADABLE',
    'input',
    `cannot read evidence file ${given}: ${why}`,
    { cause: error },
  );
}

function notAFile(given: string, what: string): EvidenceError {
  return new EvidenceError(
    'EVIDENCE_NOT_A_FILE',
    'input',
    `evidence ${given} is ${what}, not a regular file; archive a directory first (e.g. tar czf logs.tgz ${given})`,
  );
}

/** Opens `given` for reading and checks it is a regular file; returns the handle and its size. */
async function openRegular(
  abs: string,
  given: string,
): Promise<{ handle: FileHandle; size: number }> {
  let opened: Awaited<ReturnType<typeof openRegularFile>>;
  try {
    opened = await openRegularFile(abs);
  } catch (error) {
    throw openError(given, error);
  }
  if ('notRegular' in opened) throw notAFile(given, opened.notRegular);
  return opened;
}

async function readHead(handle: FileHandle, given: string, size: number): Promise<Uint8Array> {
  const head = Buffer.alloc(Math.min(size, SNIFF_BYTES));
  let filled = 0;
  try {
    while (filled < head.length) {
      const { bytesRead } = await handle.read(head, filled, head.length - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
  } catch (error) {
    throw openError(given, error);
  }
  return head.subarray(0, filled);
}

/** Checks a file and detects its media type (unless `mediaType` is given). */
export async function inspectEvidenceFile(
  given: string,
  cwd: string,
  mediaType?: string,
): Promise<EvidenceFileInfo> {
  const abs = path.resolve(cwd, given);
  const { handle, size } = await openRegular(abs, given);
  try {
    const name = path.basename(abs);
    return {
      given,
      path: abs,
      name,
      size,
      mediaType: mediaType ?? detectMediaType(name, await readHead(handle, given, size)),
    };
  } finally {
    await handle.close();
  }
}

export interface HashedUpload {
  /** The bytes, to hand to `putBlob`. */
  body: AsyncIterable<Uint8Array>;
  /** After `body` was consumed: the `sha256:<hex>` of what was sent. */
  digest(): string;
  /** Bytes sent so far. */
  sent(): number;
  /** An error the stream raised (the file changed or could not be read), if any. */
  failure(): EvidenceError | undefined;
  close(): Promise<void>;
}

/**
 * Streams the file, hashing on the way. Exactly `info.size` bytes must arrive: a file that grows
 * or shrinks during the upload is an error rather than evidence of something nobody saw.
 */
export async function openUpload(
  info: EvidenceFileInfo,
  onBytes?: (sent: number) => void,
): Promise<HashedUpload> {
  const { handle, size } = await openRegular(info.path, info.given);
  const hash = createHash('sha256');
  let sent = 0;
  let failure: EvidenceError | undefined;
  const changed = (now: string) =>
    new EvidenceError(
      'EVIDENCE_CHANGED',
      'input',
      `evidence file ${info.given} changed while it was uploaded (${info.size} bytes when checked, ${now}); upload it again once it is complete`,
    );
  if (size !== info.size) {
    await handle.close();
    throw changed(`${size} when opened`);
  }
  async function* body(): AsyncGenerator<Uint8Array> {
    try {
      for await (const chunk of handle.createReadStream({
        highWaterMark: CHUNK_BYTES,
        autoClose: false,
      })) {
        const bytes = chunk as Buffer;
        sent += bytes.byteLength;
        if (sent > info.size) throw changed(`more than ${info.size} read`);
        hash.update(bytes);
        onBytes?.(sent);
        yield bytes;
      }
      if (sent !== info.size) throw changed(`${sent} read`);
    } catch (error) {
      failure = error instanceof EvidenceError ? error : openError(info.given, error);
      throw failure;
    }
  }
  let digest: string | undefined;
  return {
    body: body(),
    digest: () => (digest ??= `sha256:${hash.digest('hex')}`),
    sent: () => sent,
    failure: () => failure,
    close: () => handle.close(),
  };
}
