import { mkdir, open, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { digestSubject } from '../digest.ts';
import { TarIndex } from '../tar.ts';
import { buildOciImage, run } from '../../../../test/support/registry.ts';
import { expectDigestError, sh, tempDir } from './helpers.ts';

let dir: string;
let archive: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ dir, cleanup } = await tempDir());
  const layout = path.join(dir, 'layout');
  await buildOciImage(layout, 'v1', { 'hello.txt': 'hello', 'etc/app.conf': 'a=1' });
  archive = path.join(dir, 'image.tar');
  await run('skopeo', [
    'copy',
    '--quiet',
    `oci:${layout}:v1`,
    `docker-archive:${archive}:repo/app:v1`,
  ]);
});
afterAll(() => cleanup());

const skopeoDigest = async (ref: string) =>
  (await run('skopeo', ['inspect', '--format', '{{.Digest}}', ref])).trim();

/** Unpacks the archive into a fresh directory, lets `edit` change it, and packs it again. */
async function rewrite(
  name: string,
  edit: (unpacked: string) => Promise<void>,
  tarArgs = '',
): Promise<string> {
  const unpacked = path.join(dir, `${name}.d`);
  await mkdir(unpacked);
  await sh(`tar -xf ${archive} -C ${unpacked}`);
  await edit(unpacked);
  const out = path.join(dir, `${name}.tar`);
  await sh(`tar ${tarArgs} -cf ${out} -C ${unpacked} .`);
  return out;
}

async function manifestOf(unpacked: string) {
  return JSON.parse(await readFile(path.join(unpacked, 'manifest.json'), 'utf8')) as {
    Config: string;
    RepoTags: string[];
    Layers: string[];
  }[];
}

describe('docker-archive:', () => {
  it('matches the digest skopeo inspect reports, and gives the config digest', async () => {
    const result = await digestSubject(`docker-archive:${archive}`);
    expect(result).toMatchObject({
      type: 'docker-archive',
      digest: await skopeoDigest(`docker-archive:${archive}`),
      mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
    });
    const config = await run('skopeo', [
      'inspect',
      '--config',
      '--raw',
      `docker-archive:${archive}`,
    ]);
    expect(result.configDigest).toBe(
      `sha256:${(await sh(`printf %s '${config}' | sha256sum`)).slice(0, 64)}`,
    );
  });

  it('matches skopeo for a pax-format archive with gzip-compressed layers (uncompressed size)', async () => {
    const gz = await rewrite(
      'gz',
      async (u) => {
        for (const layer of (await manifestOf(u))[0]?.Layers ?? []) {
          await sh(`gzip -n < ${layer} > ${layer}.gz && mv ${layer}.gz ${layer}`, u);
        }
      },
      '--format=pax',
    );
    const result = await digestSubject(`docker-archive:${gz}`);
    expect(result.digest).toBe(await skopeoDigest(`docker-archive:${gz}`));
    expect(result.digest).toBe((await digestSubject(`docker-archive:${archive}`)).digest);
  });

  it('chooses among several images by tag or index, and refuses to guess', async () => {
    const multi = await rewrite('multi', async (u) => {
      const m = await manifestOf(u);
      const first = m[0];
      if (!first) throw new Error('no image');
      m.push({ ...first, RepoTags: ['docker.io/repo/other:v2'] });
      await writeFile(path.join(u, 'manifest.json'), JSON.stringify(m));
    });
    await expectDigestError(digestSubject(`docker-archive:${multi}`), 'DIGEST_AMBIGUOUS');
    const byIndex = await digestSubject(`docker-archive:${multi}:@1`);
    expect(byIndex.digest).toBe(await skopeoDigest(`docker-archive:${multi}:@1`));
    const byTag = await digestSubject(`docker-archive:${multi}:repo/other:v2`);
    expect(byTag.digest).toBe(byIndex.digest);
    await expectDigestError(digestSubject(`docker-archive:${multi}:@7`), 'DIGEST_NOT_FOUND');
    await expectDigestError(
      digestSubject(`docker-archive:${multi}:no/such:tag`),
      'DIGEST_NOT_FOUND',
    );
  });

  it('catches a layer that does not match its diff_id (tampering)', async () => {
    const tampered = await rewrite('tampered', async (u) => {
      const layer = (await manifestOf(u))[0]?.Layers[0];
      if (!layer) throw new Error('no layer');
      const bytes = await readFile(path.join(u, layer));
      const i = Math.floor(bytes.length / 3);
      bytes[i] = (bytes[i] ?? 0) ^ 1;
      await writeFile(path.join(u, layer), bytes);
    });
    const e = await expectDigestError(
      digestSubject(`docker-archive:${tampered}`),
      'DIGEST_MISMATCH',
    );
    expect(e.category).toBe('verification');
  });

  it('rejects files that are not docker archives', async () => {
    const random = path.join(dir, 'random.tar');
    await sh(`head -c 4096 /dev/urandom > ${random}`);
    await expectDigestError(digestSubject(`docker-archive:${random}`), 'DIGEST_BAD_ARCHIVE');
    const plain = await rewrite('plain', async (u) => {
      await sh('rm manifest.json', u);
    });
    await expectDigestError(digestSubject(`docker-archive:${plain}`), 'DIGEST_BAD_ARCHIVE');
    const truncated = path.join(dir, 'truncated.tar');
    await sh(`head -c 3000 ${archive} > ${truncated}`);
    await expectDigestError(digestSubject(`docker-archive:${truncated}`), 'DIGEST_BAD_ARCHIVE');
    await expectDigestError(
      digestSubject(`docker-archive:${path.join(dir, 'missing.tar')}`),
      'DIGEST_NOT_FOUND',
    );
  });
});

describe('tar reader', () => {
  const longName = `${'d'.repeat(60)}/${'e'.repeat(60)}/${'f'.repeat(70)}.txt`;

  it.each(['gnu', 'pax', 'ustar'])('reads %s long names, links and contents', async (format) => {
    const src = path.join(dir, `src-${format}`);
    await mkdir(path.join(src, path.dirname(longName)), { recursive: true });
    await writeFile(path.join(src, longName), 'long');
    await writeFile(path.join(src, 'short.txt'), 'short');
    await sh('ln -s short.txt link.txt && ln short.txt hard.txt', src);
    const file = path.join(dir, `names-${format}.tar`);
    await sh(`tar --format=${format} -cf ${file} -C ${src} .`);
    const handle = await open(file, 'r');
    try {
      const tar = await TarIndex.read(handle, file);
      expect((await tar.read(longName, 100)).toString()).toBe('long');
      expect((await tar.read('./short.txt', 100)).toString()).toBe('short');
      expect((await tar.read('link.txt', 100)).toString()).toBe('short');
      expect((await tar.read('hard.txt', 100)).toString()).toBe('short');
    } finally {
      await handle.close();
    }
  });

  it('rejects a header with a bad checksum', async () => {
    const file = path.join(dir, 'badsum.tar');
    const bytes = await readFile(archive);
    bytes[10] = (bytes[10] ?? 0) ^ 0x20;
    await writeFile(file, bytes);
    await expectDigestError(digestSubject(`docker-archive:${file}`), 'DIGEST_BAD_ARCHIVE');
  });
});
