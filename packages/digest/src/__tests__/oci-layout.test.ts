import { cp, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { digestSubject } from '../digest.ts';
import { addOciIndex, buildOciImage, run } from '../../../../test/support/registry.ts';
import { expectDigestError, tempDir } from './helpers.ts';

let dir: string;
let layout: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ dir, cleanup } = await tempDir());
  layout = path.join(dir, 'layout');
  await buildOciImage(layout, 'v1', { 'hello.txt': 'hello' });
  await buildOciImage(
    layout,
    'v2',
    { 'hello.txt': 'hello again' },
    { os: 'linux', architecture: 'arm64' },
  );
});
afterAll(() => cleanup());

const skopeoOciDigest = async (ref: string) =>
  (await run('skopeo', ['inspect', '--format', '{{.Digest}}', ref])).trim();

describe('oci: layouts', () => {
  it('resolve a tag to the manifest digest skopeo reports', async () => {
    for (const tag of ['v1', 'v2']) {
      const result = await digestSubject(`oci:${layout}:${tag}`);
      expect(result).toMatchObject({
        type: 'oci',
        digest: await skopeoOciDigest(`oci:${layout}:${tag}`),
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
      });
      expect(result.platforms).toBeUndefined();
    }
  });

  it('without a tag take the only image, and refuse to guess among several', async () => {
    const single = path.join(dir, 'single');
    await buildOciImage(single, 'only', { f: 'x' });
    expect((await digestSubject(`oci:${single}`)).digest).toBe(
      await skopeoOciDigest(`oci:${single}:only`),
    );
    const e = await expectDigestError(digestSubject(`oci:${layout}`), 'DIGEST_AMBIGUOUS');
    expect(e.message).toContain('v1');
  });

  it('report an index digest with each platform manifest', async () => {
    const multi = path.join(dir, 'multi');
    await cp(layout, multi, { recursive: true });
    const indexDigest = await addOciIndex(multi, 'all', [
      { tag: 'v1', os: 'linux', architecture: 'amd64' },
      { tag: 'v2', os: 'linux', architecture: 'arm64' },
    ]);
    const result = await digestSubject(`oci:${multi}:all`);
    expect(result).toMatchObject({
      digest: indexDigest,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      platforms: [
        { platform: 'linux/amd64', digest: (await digestSubject(`oci:${multi}:v1`)).digest },
        { platform: 'linux/arm64', digest: (await digestSubject(`oci:${multi}:v2`)).digest },
      ],
    });
  });

  it('fail on an unknown tag, listing the tags present', async () => {
    const e = await expectDigestError(digestSubject(`oci:${layout}:nope`), 'DIGEST_NOT_FOUND');
    expect(e.message).toMatch(/v1, v2/);
  });

  it('fail on a missing directory and on a directory that is not a layout', async () => {
    await expectDigestError(digestSubject(`oci:${path.join(dir, 'missing')}`), 'DIGEST_NOT_FOUND');
    await expectDigestError(digestSubject(`oci:${dir}`), 'DIGEST_BAD_LAYOUT');
  });

  it('fail on a malformed index.json', async () => {
    const broken = path.join(dir, 'broken');
    await cp(layout, broken, { recursive: true });
    await writeFile(path.join(broken, 'index.json'), '{"manifests": 5}');
    await expectDigestError(digestSubject(`oci:${broken}:v1`), 'DIGEST_BAD_LAYOUT');
    await writeFile(path.join(broken, 'index.json'), 'not json');
    await expectDigestError(digestSubject(`oci:${broken}:v1`), 'DIGEST_BAD_LAYOUT');
  });

  it('catch a blob that does not match its digest (tampering) and a missing blob', async () => {
    const tampered = path.join(dir, 'tampered');
    await cp(layout, tampered, { recursive: true });
    const { digest } = await digestSubject(`oci:${tampered}:v1`);
    const blob = path.join(tampered, 'blobs', 'sha256', digest.slice(7));
    const text = await readFile(blob, 'utf8');
    await writeFile(blob, text.replace('"schemaVersion":2', '"schemaVersion": 2'));
    const e = await expectDigestError(digestSubject(`oci:${tampered}:v1`), 'DIGEST_MISMATCH');
    expect(e.category).toBe('verification');
    await rm(blob);
    await expectDigestError(digestSubject(`oci:${tampered}:v1`), 'DIGEST_NOT_FOUND');
  });
});
