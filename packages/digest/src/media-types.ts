import type { PlatformDigest } from './types.ts';

export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
export const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
export const DOCKER_MANIFEST_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';
export const DOCKER_CONFIG = 'application/vnd.docker.container.image.v1+json';
/** containers/image labels docker-archive layers with the gzip type even when they are not. */
export const DOCKER_LAYER = 'application/vnd.docker.image.rootfs.diff.tar.gzip';

/** What a registry client accepts: single manifests and multi-platform indexes, OCI and Docker. */
export const MANIFEST_ACCEPT = [OCI_INDEX, DOCKER_MANIFEST_LIST, OCI_MANIFEST, DOCKER_MANIFEST];

export const isIndexType = (mediaType: string | undefined): boolean =>
  mediaType === OCI_INDEX || mediaType === DOCKER_MANIFEST_LIST;

interface Descriptor {
  mediaType?: unknown;
  digest?: unknown;
  size?: unknown;
  platform?: { os?: unknown; architecture?: unknown; variant?: unknown };
}

/** Media type of a manifest document: its `mediaType` field, or guessed from its shape (OCI). */
export function documentMediaType(doc: unknown): string | undefined {
  if (typeof doc !== 'object' || doc === null) return undefined;
  const d = doc as { mediaType?: unknown; manifests?: unknown; config?: unknown };
  if (typeof d.mediaType === 'string') return d.mediaType;
  if (Array.isArray(d.manifests)) return OCI_INDEX;
  if (d.config !== undefined) return OCI_MANIFEST;
  return undefined;
}

/** The platform manifests listed by an index document. */
export function platformsOf(index: unknown): PlatformDigest[] {
  const manifests = (index as { manifests?: unknown }).manifests;
  if (!Array.isArray(manifests)) return [];
  return manifests.flatMap((m: Descriptor) => {
    if (typeof m.digest !== 'string') return [];
    const p = m.platform;
    const platform =
      p && typeof p.os === 'string' && typeof p.architecture === 'string'
        ? [p.os, p.architecture, typeof p.variant === 'string' ? p.variant : undefined]
            .filter(Boolean)
            .join('/')
        : 'unknown';
    const out: PlatformDigest = { platform, digest: m.digest };
    if (typeof m.mediaType === 'string') out.mediaType = m.mediaType;
    if (typeof m.size === 'number') out.size = m.size;
    return [out];
  });
}
