/**
 * The demo's build outputs, written by hand so the demo needs nothing but `npm ci`: a release
 * tarball (a file), a documentation site (a directory) and a container image as an OCI image
 * layout (index.json + content-addressed blobs). The image is written directly instead of with
 * umoci/skopeo/docker because an OCI layout is only JSON and SHA-256-named files, and a demo must
 * not depend on a system package being present.
 */
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

export interface BuiltArtifacts {
  /** `dist/app-<version>.tar`, relative to the workspace. */
  tarball: string;
  /** `dist/site`, a directory. */
  site: string;
  /** `oci:dist/image:<version>`, an OCI image layout reference. */
  image: string;
  /** The image manifest's digest, computed here independently of `notarize digest`. */
  imageDigest: string;
  /** Job evidence: the build log and an SBOM. */
  buildLog: string;
  sbom: string;
}

const sha256 = (data: Buffer | string): string => createHash('sha256').update(data).digest('hex');

/** One ustar entry: a 512-byte header, the data, padding to 512 bytes. */
function tarEntry(name: string, data: Buffer): Buffer {
  const header = Buffer.alloc(512);
  const put = (text: string, offset: number, length: number) =>
    header.write(text.slice(0, length), offset, length, 'ascii');
  put(name, 0, 100);
  put('0000644\0', 100, 8); // mode
  put('0000000\0', 108, 8); // uid
  put('0000000\0', 116, 8); // gid
  put(`${data.length.toString(8).padStart(11, '0')}\0`, 124, 12);
  put('00000000000\0', 136, 12); // mtime: fixed, so the build is reproducible
  put('        ', 148, 8); // checksum placeholder (spaces) while summing
  put('0', 156, 1); // regular file
  put('ustar\0', 257, 6);
  put('00', 263, 2);
  let sum = 0;
  for (const byte of header) sum += byte;
  put(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8);
  const padding = Buffer.alloc((512 - (data.length % 512)) % 512);
  return Buffer.concat([header, data, padding]);
}

/** A tar archive of the files (two zero blocks end it). */
export function tar(files: Record<string, string>): Buffer {
  const entries = Object.entries(files).map(([name, text]) => tarEntry(name, Buffer.from(text)));
  return Buffer.concat([...entries, Buffer.alloc(1024)]);
}

async function writeBlob(layout: string, data: Buffer | string): Promise<string> {
  const hex = sha256(data);
  await writeFile(path.join(layout, 'blobs', 'sha256', hex), data);
  return `sha256:${hex}`;
}

/**
 * Writes an OCI image layout holding one single-platform image tagged `tag`; returns the
 * manifest's digest (what a registry would answer as Docker-Content-Digest).
 */
export async function writeOciImage(
  layout: string,
  tag: string,
  files: Record<string, string>,
): Promise<string> {
  await mkdir(path.join(layout, 'blobs', 'sha256'), { recursive: true });
  const layerTar = tar(files);
  const layer = gzipSync(layerTar, { level: 9 });
  const layerDigest = await writeBlob(layout, layer);
  const config = JSON.stringify({
    architecture: 'amd64',
    os: 'linux',
    config: { Entrypoint: ['/app/server'] },
    rootfs: { type: 'layers', diff_ids: [`sha256:${sha256(layerTar)}`] },
  });
  const configDigest = await writeBlob(layout, config);
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: {
      mediaType: 'application/vnd.oci.image.config.v1+json',
      digest: configDigest,
      size: Buffer.byteLength(config),
    },
    layers: [
      {
        mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
        digest: layerDigest,
        size: layer.length,
      },
    ],
  });
  const manifestDigest = await writeBlob(layout, manifest);
  await writeFile(path.join(layout, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  await writeFile(
    path.join(layout, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [
        {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          digest: manifestDigest,
          size: Buffer.byteLength(manifest),
          annotations: { 'org.opencontainers.image.ref.name': tag },
        },
      ],
    }),
  );
  return manifestDigest;
}

/** An earlier release, notarized long ago: the one product management will retire. */
export async function buildOldRelease(workspace: string): Promise<string> {
  await mkdir(path.join(workspace, 'dist'), { recursive: true });
  const tarball = 'dist/app-1.0.tar';
  await writeFile(
    path.join(workspace, tarball),
    tar({ 'app/server': '#!/bin/sh\necho "widgets 1.0"\n', 'app/VERSION': '1.0.0\n' }),
  );
  return tarball;
}

/** The build of version 2.0: what the pipeline produces and notarizes. */
export async function buildRelease(workspace: string): Promise<BuiltArtifacts> {
  const dist = path.join(workspace, 'dist');
  const app = { 'app/server': '#!/bin/sh\necho "widgets 2.0"\n', 'app/VERSION': '2.0.0\n' };
  await mkdir(path.join(dist, 'site', 'guide'), { recursive: true });
  await writeFile(path.join(dist, 'app-2.0.tar'), tar(app));
  await writeFile(path.join(dist, 'site', 'index.html'), '<h1>Widgets 2.0</h1>\n');
  await writeFile(path.join(dist, 'site', 'guide', 'install.html'), '<p>npm i widgets</p>\n');
  const imageDigest = await writeOciImage(path.join(dist, 'image'), '2.0', app);
  await writeFile(
    path.join(workspace, 'build.log'),
    [
      '$ make dist',
      'compiling widgets 2.0 ... ok',
      'packing dist/app-2.0.tar ... ok',
      'rendering dist/site ... ok',
      'building image widgets:2.0 ... ok',
      '',
    ].join('\n'),
  );
  await writeFile(
    path.join(workspace, 'sbom.cdx.json'),
    `${JSON.stringify(
      {
        bomFormat: 'CycloneDX',
        specVersion: '1.6',
        components: [{ type: 'library', name: 'left-pad', version: '1.3.0' }],
      },
      null,
      2,
    )}\n`,
  );
  return {
    tarball: 'dist/app-2.0.tar',
    site: 'dist/site',
    image: 'oci:dist/image:2.0',
    imageDigest,
    buildLog: 'build.log',
    sbom: 'sbom.cdx.json',
  };
}
