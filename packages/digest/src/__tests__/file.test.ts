import { mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { digestSubject } from '../digest.ts';
import { fsError as mapFsError } from '../fs-errors.ts';
import type { DigestError } from '../errors.ts';
import { hashFile } from '../hash.ts';
import { expectDigestError, runUnprivileged, sh, sha256sum, tempDir } from './helpers.ts';

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => ({ dir, cleanup } = await tempDir()));
afterAll(() => cleanup());

describe('file digests', () => {
  it.each([
    ['empty', 0],
    ['one byte', 1],
    ['just under the one-read size', 256 * 1024],
    ['several streamed chunks', 3 * 1024 * 1024 + 7],
  ])('equals sha256sum for a %s file', async (name, size) => {
    const file = path.join(dir, `f-${size}`);
    await sh(`head -c ${size} /dev/urandom > ${file}`);
    const result = await digestSubject(file);
    expect(result).toEqual({ subject: file, type: 'file', digest: await sha256sum(file), size });
  });

  it('resolves relative paths against cwd and reports the subject as given', async () => {
    await writeFile(path.join(dir, 'rel.txt'), 'hello\n');
    const result = await digestSubject('rel.txt', { cwd: dir });
    expect(result.subject).toBe('rel.txt');
    expect(result.digest).toBe(await sha256sum(path.join(dir, 'rel.txt')));
  });

  it('follows a top-level symlink, like sha256sum', async () => {
    await writeFile(path.join(dir, 'target.bin'), 'payload');
    await symlink('target.bin', path.join(dir, 'link.bin'));
    const viaLink = await digestSubject(path.join(dir, 'link.bin'));
    expect(viaLink.digest).toBe(await sha256sum(path.join(dir, 'target.bin')));
  });

  it('treats a file whose name looks like a transport as a file', async () => {
    await writeFile(path.join(dir, 'build:1.txt'), 'x');
    const result = await digestSubject('build:1.txt', { cwd: dir });
    expect(result.type).toBe('file');
  });

  it('reports progress with the total size', async () => {
    const file = path.join(dir, 'progress.bin');
    await sh(`head -c ${2 * 1024 * 1024} /dev/zero > ${file}`);
    const seen: number[] = [];
    await digestSubject(file, { onProgress: (p) => seen.push(p.bytes) });
    expect(seen.at(-1)).toBe(2 * 1024 * 1024);
  });

  it('streams a file one byte over the one-read size correctly', async () => {
    const file = path.join(dir, 'boundary.bin');
    await sh(`head -c 262145 /dev/urandom > ${file}`);
    expect(`sha256:${(await hashFile(file)).hex}`).toBe(await sha256sum(file));
  });

  it('fails with DIGEST_NOT_FOUND for a missing file', async () => {
    const e = await expectDigestError(digestSubject(path.join(dir, 'nope')), 'DIGEST_NOT_FOUND');
    expect(e.category).toBe('input');
    expect(e.message).toContain('nope');
  });

  it('fails with DIGEST_SPECIAL_FILE for a FIFO given as subject', async () => {
    await sh(`mkfifo ${path.join(dir, 'fifo')}`);
    await expectDigestError(digestSubject(path.join(dir, 'fifo')), 'DIGEST_SPECIAL_FILE');
  });

  it('fails with DIGEST_SYMLINK_LOOP for a top-level symlink loop', async () => {
    await symlink('loop-b', path.join(dir, 'loop-a'));
    await symlink('loop-a', path.join(dir, 'loop-b'));
    await expectDigestError(digestSubject(path.join(dir, 'loop-a')), 'DIGEST_SYMLINK_LOOP');
  });

  it('fails with DIGEST_PERMISSION_DENIED for an unreadable file (root without its permission override)', async () => {
    const sub = path.join(dir, 'private');
    await mkdir(sub);
    await writeFile(path.join(sub, 'secret'), 'x', { mode: 0o000 });
    const entry = path.resolve('packages/digest/src/index.ts');
    const out = await runUnprivileged(
      `const { digestSubject } = await import(${JSON.stringify(entry)});
       try { await digestSubject('secret'); console.log('no error'); }
       catch (e) { console.log(JSON.stringify({ code: e.code, category: e.category })); }`,
      sub,
    );
    expect(JSON.parse(out)).toEqual({ code: 'DIGEST_PERMISSION_DENIED', category: 'input' });
  });

  it('maps errno codes to typed errors', () => {
    const err = (code: string) => Object.assign(new Error(code), { code });
    const fsError = (e: Error, where: string) => mapFsError(e, where) as DigestError;
    expect(fsError(err('EACCES'), 'x').code).toBe('DIGEST_PERMISSION_DENIED');
    expect(fsError(err('EPERM'), 'x').code).toBe('DIGEST_PERMISSION_DENIED');
    expect(fsError(err('ENOENT'), 'x').code).toBe('DIGEST_NOT_FOUND');
    expect(fsError(err('ELOOP'), 'x').code).toBe('DIGEST_SYMLINK_LOOP');
    const io = fsError(err('EIO'), 'x');
    expect([io.code, io.category]).toEqual(['DIGEST_IO', 'unavailable']);
    const abort = new DOMException('stop', 'AbortError');
    expect(mapFsError(abort, 'x')).toBe(abort);
  });

  it('takes a bare digest as is', async () => {
    const d = `sha256:${'0123456789abcdef'.repeat(4)}`;
    expect(await digestSubject(d)).toEqual({ subject: d, type: 'digest', digest: d });
  });
});
