import { chmod, mkdir, symlink, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { digestSubject } from '../digest.ts';
import { manifestLine } from '../directory.ts';
import { expectDigestError, pipelineDigest, runUnprivileged, sh, tempDir } from './helpers.ts';

let root: string;
let cleanup: () => Promise<void>;
beforeAll(async () => ({ dir: root, cleanup } = await tempDir()));
afterAll(() => cleanup());

let n = 0;
async function tree(files: Record<string, string>): Promise<string> {
  const dir = path.join(root, `t${n++}`);
  for (const [name, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await writeFile(path.join(dir, name), content);
  }
  return dir;
}

describe('directory digests', () => {
  it('equal the sha256sum pipeline on nested dirs, spaces, non-ASCII and sort-sensitive names', async () => {
    const dir = await tree({
      'a.txt': 'a',
      'B.txt': 'B',
      'dir with space/file one.txt': '1',
      'dir with space/sub/deep.bin': 'deep',
      'é/ünïcødé 文件.txt': 'unicode',
      'a-b/x': 'dash sorts before dot and slash',
      'a.b/x': 'dot',
      'a/x': 'slash',
      'empty-file': '',
      '.hidden/.dotfile': 'dot files count',
    });
    const result = await digestSubject(dir);
    expect(result).toMatchObject({
      type: 'directory',
      digest: await pipelineDigest(dir),
      files: 10,
    });
  });

  it('equals the pipeline for names that sha256sum escapes (backslash, CR)', async () => {
    const dir = await tree({ 'back\\slash': 'x', 'carriage\rreturn': 'y', plain: 'z' });
    expect((await digestSubject(dir)).digest).toBe(await pipelineDigest(dir));
  });

  it('hashes non-UTF-8 names by their bytes, as the pipeline does', async () => {
    const dir = await tree({ ok: 'x' });
    await sh(`printf latin1 > "$(printf 'caf\\351')"`, dir);
    expect((await digestSubject(dir)).digest).toBe(await pipelineDigest(dir));
  });

  it('escapes manifest lines like coreutils', () => {
    const hex = 'f'.repeat(64);
    expect(manifestLine(hex, Buffer.from('a b')).toString()).toBe(`${hex}  a b\n`);
    expect(manifestLine(hex, Buffer.from('a\\b\nc')).toString()).toBe(`\\${hex}  a\\\\b\\nc\n`);
  });

  it('is independent of concurrency and reports progress to the end', async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 200; i++) files[`d${i % 7}/f${i}`] = `content ${i}`;
    const dir = await tree(files);
    const seen: number[] = [];
    const one = await digestSubject(dir, { concurrency: 1 });
    const many = await digestSubject(dir, {
      concurrency: 32,
      onProgress: (p) => seen.push(p.files ?? -1),
    });
    expect(many.digest).toBe(one.digest);
    expect(one.digest).toBe(await pipelineDigest(dir));
    expect(seen.at(-1)).toBe(200);
  });

  it('mixes streamed large files and small files in manifest order', async () => {
    const dir = await tree({ 'a-small': 'a', 'z-small': 'z', 'm/small': 'm' });
    await sh(
      'head -c 300000 /dev/urandom > b-large && head -c 1100000 /dev/urandom > m/large',
      dir,
    );
    await sh(
      'head -c 262144 /dev/urandom > exactly-one-read && head -c 262143 /dev/urandom > just-under',
      dir,
    );
    const serial = await digestSubject(dir, { concurrency: 1 });
    const parallel = await digestSubject(dir, { concurrency: 8 });
    expect(parallel.digest).toBe(serial.digest);
    expect(serial).toMatchObject({
      digest: await pipelineDigest(dir),
      files: 7,
      size: 3 + 300000 + 1100000 + 262144 + 262143,
    });
  });

  it('changes when one byte of one file changes', async () => {
    const dir = await tree({ 'a/b': 'one', c: 'two' });
    const before = await digestSubject(dir);
    await writeFile(path.join(dir, 'a/b'), 'onE');
    expect((await digestSubject(dir)).digest).not.toBe(before.digest);
  });

  it('fails on an empty directory', async () => {
    const dir = path.join(root, 'empty');
    await mkdir(path.join(dir, 'sub'), { recursive: true });
    await expectDigestError(digestSubject(dir), 'DIGEST_EMPTY_DIRECTORY');
  });

  describe('symlinks', () => {
    let dir: string;
    beforeAll(async () => {
      dir = await tree({ 'real/file.txt': 'real', 'top.txt': 'top' });
      await symlink('top.txt', path.join(dir, 'link-to-file'));
      await symlink('real', path.join(dir, 'link-to-dir'));
    });

    it('are an error by default', async () => {
      const e = await expectDigestError(digestSubject(dir), 'DIGEST_SYMLINK');
      expect(e.message).toMatch(/--symlinks follow/);
    });

    it("'skip' leaves them out: equals find -type f (which does not follow)", async () => {
      const result = await digestSubject(dir, { symlinks: 'skip' });
      expect(result.digest).toBe(await pipelineDigest(dir));
      expect(result.files).toBe(2);
    });

    it("'follow' hashes what they point to, under the link's path", async () => {
      const followed = await digestSubject(dir, { symlinks: 'follow' });
      const copy = await tree({
        'real/file.txt': 'real',
        'top.txt': 'top',
        'link-to-file': 'top',
        'link-to-dir/file.txt': 'real',
      });
      expect(followed.files).toBe(4);
      expect(followed.digest).toBe(await pipelineDigest(copy));
    });

    it("'follow' detects a loop", async () => {
      const loopy = await tree({ 'a/f': 'x' });
      await symlink('..', path.join(loopy, 'a', 'up'));
      await expectDigestError(digestSubject(loopy, { symlinks: 'follow' }), 'DIGEST_SYMLINK_LOOP');
    });

    it("'follow' reports a dangling link", async () => {
      const dangling = await tree({ f: 'x' });
      await symlink('missing', path.join(dangling, 'broken'));
      await expectDigestError(digestSubject(dangling, { symlinks: 'follow' }), 'DIGEST_NOT_FOUND');
    });

    it("'follow' reports a link loop between two links", async () => {
      const loopy = await tree({ f: 'x' });
      await symlink('b', path.join(loopy, 'a'));
      await symlink('a', path.join(loopy, 'b'));
      await expectDigestError(digestSubject(loopy, { symlinks: 'follow' }), 'DIGEST_SYMLINK_LOOP');
    });
  });

  describe('special files', () => {
    it('a FIFO is an error by default and left out with skip', async () => {
      const dir = await tree({ f: 'x' });
      await sh('mkfifo pipe', dir);
      const e = await expectDigestError(digestSubject(dir), 'DIGEST_SPECIAL_FILE');
      expect(e.message).toContain('FIFO');
      const skipped = await digestSubject(dir, { specialFiles: 'skip' });
      expect(skipped.digest).toBe(await pipelineDigest(dir));
    });

    it('a socket is an error', async () => {
      const dir = await tree({ f: 'x' });
      const server = net.createServer();
      await new Promise<void>((resolve) => server.listen(path.join(dir, 'sock'), resolve));
      try {
        const e = await expectDigestError(digestSubject(dir), 'DIGEST_SPECIAL_FILE');
        expect(e.message).toContain('socket');
      } finally {
        await new Promise((resolve) => server.close(resolve));
      }
    });

    it('a device (via a followed symlink to /dev/null) is an error', async () => {
      const dir = await tree({ f: 'x' });
      await symlink('/dev/null', path.join(dir, 'null'));
      await expectDigestError(digestSubject(dir, { symlinks: 'follow' }), 'DIGEST_SPECIAL_FILE');
    });
  });

  it('unreadable files and directories are DIGEST_PERMISSION_DENIED (root without its permission override)', async () => {
    const dir = await tree({ 'ok.txt': 'x', 'locked/inner.txt': 'y', 'secret.txt': 'z' });
    await chmod(path.join(dir, 'secret.txt'), 0o000);
    const entry = path.resolve('packages/digest/src/index.ts');
    const probe = (subject: string) =>
      runUnprivileged(
        `const { digestSubject } = await import(${JSON.stringify(entry)});
         try { await digestSubject(${JSON.stringify(subject)}); console.log('{}'); }
         catch (e) { console.log(JSON.stringify({ code: e.code, message: e.message })); }`,
        dir,
      ).then((out) => JSON.parse(out) as { code?: string; message?: string });
    const file = await probe('.');
    expect(file.code).toBe('DIGEST_PERMISSION_DENIED');
    expect(file.message).toContain('secret.txt');
    await chmod(path.join(dir, 'secret.txt'), 0o644);
    await chmod(path.join(dir, 'locked'), 0o000);
    const sub = await probe('.');
    expect(sub.code).toBe('DIGEST_PERMISSION_DENIED');
    expect(sub.message).toContain('locked');
  });
});
