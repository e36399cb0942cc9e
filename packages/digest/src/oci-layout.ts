import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { DigestError } from './errors.ts';
import { fsError } from './fs-errors.ts';
import { sha256Digest } from './hash.ts';
import { documentMediaType, isIndexType, platformsOf } from './media-types.ts';
import type { PlatformDigest } from './types.ts';

const REF_NAME = 'org.opencontainers.image.ref.name';
const DIGEST = /^sha256:[0-9a-f]{64}$/;

export interface ImageDigest {
  digest: string;
  size: number;
  mediaType?: string;
  platforms?: PlatformDigest[];
}

interface IndexDescriptor {
  mediaType?: string;
  digest?: string;
  size?: number;
  annotations?: Record<string, string>;
}

/**
 * Digest of an image in an OCI image layout: the manifest (or index) that `index.json` names for
 * `tag` (annotation org.opencontainers.image.ref.name), or its only entry when no tag is given. The
 * blob is read and hashed so a layout whose blob does not match its descriptor is caught.
 */
export async function digestOciLayout(
  dir: string,
  tag: string | undefined,
  display: string,
): Promise<ImageDigest> {
  const layout = await readJson(path.join(dir, 'oci-layout'), display);
  if ((layout as { imageLayoutVersion?: unknown }).imageLayoutVersion === undefined) {
    throw new DigestError(
      'DIGEST_BAD_LAYOUT',
      `${display}: oci-layout has no imageLayoutVersion; not an OCI image layout`,
    );
  }
  const index = (await readJson(path.join(dir, 'index.json'), display)) as { manifests?: unknown };
  if (!Array.isArray(index.manifests)) {
    throw new DigestError('DIGEST_BAD_LAYOUT', `${display}: index.json has no manifests array`);
  }
  const manifests = index.manifests as IndexDescriptor[];
  const tags = manifests.map((m) => m.annotations?.[REF_NAME]).filter((t): t is string => !!t);
  let chosen: IndexDescriptor | undefined;
  if (tag !== undefined) {
    const matching = manifests.filter((m) => m.annotations?.[REF_NAME] === tag);
    if (matching.length === 0) {
      throw new DigestError(
        'DIGEST_NOT_FOUND',
        `${display}: no image tagged "${tag}" in the layout; tags present: ${tags.join(', ') || '(none)'}`,
      );
    }
    if (matching.length > 1) {
      throw new DigestError('DIGEST_AMBIGUOUS', `${display}: several images are tagged "${tag}"`);
    }
    chosen = matching[0];
  } else {
    if (manifests.length === 0) {
      throw new DigestError('DIGEST_NOT_FOUND', `${display}: the layout holds no image`);
    }
    if (manifests.length > 1) {
      throw new DigestError(
        'DIGEST_AMBIGUOUS',
        `${display}: the layout holds ${manifests.length} images; name one as oci:<dir>:<tag> (tags: ${tags.join(', ') || '(none)'})`,
      );
    }
    chosen = manifests[0];
  }
  const digest = chosen?.digest;
  if (typeof digest !== 'string' || !DIGEST.test(digest)) {
    throw new DigestError(
      'DIGEST_BAD_LAYOUT',
      `${display}: index.json entry has no sha256 digest (got ${String(digest)})`,
    );
  }
  const blobPath = path.join(dir, 'blobs', 'sha256', digest.slice('sha256:'.length));
  let blob: Buffer;
  try {
    blob = await readFile(blobPath);
  } catch (error) {
    throw fsError(error, `${display}: blob ${digest}`);
  }
  const actual = sha256Digest(blob);
  if (actual !== digest) {
    throw new DigestError(
      'DIGEST_MISMATCH',
      `${display}: blob ${digest} hashes to ${actual}; the layout is corrupt or was tampered with`,
    );
  }
  const doc = parseJson(blob, `${display}: blob ${digest}`);
  const mediaType = chosen?.mediaType ?? documentMediaType(doc);
  const result: ImageDigest = { digest, size: blob.length };
  if (mediaType) result.mediaType = mediaType;
  if (isIndexType(mediaType)) result.platforms = platformsOf(doc);
  return result;
}

async function readJson(file: string, display: string): Promise<unknown> {
  let text: Buffer;
  try {
    text = await readFile(file);
  } catch (error) {
    const e = fsError(error, `${display}: ${path.basename(file)}`);
    if (e instanceof DigestError && e.code === 'DIGEST_NOT_FOUND') {
      throw new DigestError(
        'DIGEST_BAD_LAYOUT',
        `${display}: no ${path.basename(file)}; not an OCI image layout (expected oci-layout, index.json, blobs/)`,
        { cause: error },
      );
    }
    throw e;
  }
  return parseJson(text, `${display}: ${path.basename(file)}`);
}

function parseJson(data: Buffer, where: string): unknown {
  try {
    const value: unknown = JSON.parse(data.toString('utf8'));
    if (typeof value !== 'object' || value === null) throw new Error('not a JSON object');
    return value;
  } catch (error) {
    throw new DigestError(
      'DIGEST_BAD_LAYOUT',
      `${where}: not valid JSON (${(error as Error).message})`,
      {
        cause: error,
      },
    );
  }
}
