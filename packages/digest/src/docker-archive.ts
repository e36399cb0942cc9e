import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { createGunzip, createZstdDecompress } from 'node:zlib';
import { DigestError } from './errors.ts';
import { fsError } from './fs-errors.ts';
import { sha256Digest } from './hash.ts';
import { DOCKER_CONFIG, DOCKER_LAYER, DOCKER_MANIFEST } from './media-types.ts';
import { TarIndex, type TarEntry } from './tar.ts';

export interface DockerArchiveDigest {
  /** Digest of the schema2 manifest that skopeo/containers-image derives from the archive. */
  digest: string;
  size: number;
  mediaType: string;
  /** Digest of the image config (what `docker images --digests` calls the image id). */
  configDigest: string;
}

interface ManifestItem {
  Config?: unknown;
  RepoTags?: unknown;
  Layers?: unknown;
}

const MAX_JSON = 16 << 20;

/**
 * Digest of an image in a `docker save` tarball, matching `skopeo inspect docker-archive:<file>`:
 * containers/image builds a Docker schema2 manifest from manifest.json and the config — config
 * descriptor (config media type, config size, sha256 of the config), then one layer descriptor per
 * layer (gzip layer media type, the layer's uncompressed size, the config's diff_id) — serializes
 * it compactly, and that document's SHA-256 is the digest. We also hash every layer and check it
 * against its diff_id, so a tampered layer is a DIGEST_MISMATCH rather than a silently equal digest.
 */
export async function digestDockerArchive(
  file: string,
  image: string | undefined,
  display: string,
  onBytes?: (n: number) => void,
): Promise<DockerArchiveDigest> {
  let handle: FileHandle;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    throw fsError(error, display);
  }
  try {
    const tar = await TarIndex.read(handle, display);
    const bad = (why: string) =>
      new DigestError('DIGEST_BAD_ARCHIVE', `${display}: ${why}; expected a docker save archive`);
    if (!tar.entries.has('manifest.json')) throw bad('no manifest.json');
    const items = parseJson(await tar.read('manifest.json', MAX_JSON), 'manifest.json', display);
    if (!Array.isArray(items) || items.length === 0) throw bad('manifest.json lists no image');
    const item = chooseImage(items as ManifestItem[], image, display);
    if (typeof item.Config !== 'string' || !Array.isArray(item.Layers)) {
      throw bad('manifest.json entry lacks Config or Layers');
    }
    const configBytes = await tar.read(item.Config, MAX_JSON);
    const config = parseJson(configBytes, item.Config, display) as {
      rootfs?: { diff_ids?: unknown };
    };
    const diffIds = config.rootfs?.diff_ids;
    if (!Array.isArray(diffIds) || diffIds.length !== item.Layers.length) {
      throw bad(`config rootfs.diff_ids does not list one diff_id per layer`);
    }
    const layers: { mediaType: string; size: number; digest: string }[] = [];
    for (const [i, layerName] of (item.Layers as unknown[]).entries()) {
      const diffId = diffIds[i];
      if (typeof layerName !== 'string' || typeof diffId !== 'string') {
        throw bad('malformed layer list');
      }
      const entry = tar.resolve(layerName);
      const { digest, size } = await hashLayer(tar, entry, onBytes);
      if (digest !== diffId) {
        throw new DigestError(
          'DIGEST_MISMATCH',
          `${display}: layer ${layerName} hashes to ${digest} but the config says ${diffId}; the archive is corrupt or was tampered with`,
        );
      }
      layers.push({ mediaType: DOCKER_LAYER, size, digest: diffId });
    }
    const configDigest = sha256Digest(configBytes);
    // Key order and compact form as Go's encoding/json writes containers/image's Schema2 struct.
    const manifest = JSON.stringify({
      schemaVersion: 2,
      mediaType: DOCKER_MANIFEST,
      config: { mediaType: DOCKER_CONFIG, size: configBytes.length, digest: configDigest },
      layers,
    });
    const bytes = Buffer.from(manifest, 'utf8');
    return {
      digest: sha256Digest(bytes),
      size: bytes.length,
      mediaType: DOCKER_MANIFEST,
      configDigest,
    };
  } catch (error) {
    throw fsError(error, display);
  } finally {
    await handle.close();
  }
}

function chooseImage(
  items: ManifestItem[],
  image: string | undefined,
  display: string,
): ManifestItem {
  if (image === undefined) {
    if (items.length > 1) {
      throw new DigestError(
        'DIGEST_AMBIGUOUS',
        `${display}: the archive holds ${items.length} images; name one as docker-archive:<file>:<repo:tag> or :@<index>`,
      );
    }
    return items[0] as ManifestItem;
  }
  if (image.startsWith('@')) {
    const n = Number(image.slice(1));
    const item = Number.isInteger(n) ? items[n] : undefined;
    if (!item) {
      throw new DigestError(
        'DIGEST_NOT_FOUND',
        `${display}: no image at index ${image.slice(1)} (the archive holds ${items.length})`,
      );
    }
    return item;
  }
  const wanted = new Set([image, `docker.io/${image}`, `docker.io/library/${image}`]);
  const found = items.filter(
    (i) =>
      Array.isArray(i.RepoTags) && i.RepoTags.some((t) => typeof t === 'string' && wanted.has(t)),
  );
  if (found.length !== 1) {
    const tags = items.flatMap((i) => (Array.isArray(i.RepoTags) ? i.RepoTags : []));
    throw new DigestError(
      found.length === 0 ? 'DIGEST_NOT_FOUND' : 'DIGEST_AMBIGUOUS',
      `${display}: ${found.length === 0 ? 'no' : 'more than one'} image tagged "${image}" (tags: ${tags.join(', ') || '(none)'})`,
    );
  }
  return found[0] as ManifestItem;
}

/** SHA-256 and size of the layer's uncompressed tar stream (gzip and zstd layers are inflated). */
async function hashLayer(
  tar: TarIndex,
  entry: TarEntry,
  onBytes?: (n: number) => void,
): Promise<{ digest: string; size: number }> {
  const head = await tar.readAt(entry.offset, Math.min(4, entry.size));
  let stream: Readable = tar.stream(entry);
  if (head[0] === 0x1f && head[1] === 0x8b) stream = stream.pipe(createGunzip());
  else if (head.length === 4 && head.readUInt32LE(0) === 0xfd2fb528) {
    stream = stream.pipe(createZstdDecompress());
  }
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    hash.update(chunk);
    size += chunk.length;
    onBytes?.(chunk.length);
  }
  return { digest: `sha256:${hash.digest('hex')}`, size };
}

function parseJson(data: Buffer, name: string, display: string): unknown {
  try {
    return JSON.parse(data.toString('utf8'));
  } catch (error) {
    throw new DigestError('DIGEST_BAD_ARCHIVE', `${display}: ${name} is not valid JSON`, {
      cause: error,
    });
  }
}
