import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { digestSubject, digestSubjects } from '../digest.ts';
import { expectDigestError, sha256sum, tempDir } from './helpers.ts';

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ dir, cleanup } = await tempDir());
  await mkdir(path.join(dir, 'dist', 'sub'), { recursive: true });
  for (const name of ['b.js', 'a.js', 'c.css', 'sub/d.js']) {
    await writeFile(path.join(dir, 'dist', name), name);
  }
  await writeFile(path.join(dir, 'dist', 'lit[1].js'), 'literal');
});
afterAll(() => cleanup());

describe('globs', () => {
  it('expand to one result per match, sorted, with the matched path as subject', async () => {
    const results = await digestSubjects(['dist/*.js'], { cwd: dir });
    expect(results.map((r) => r.subject)).toEqual(['dist/a.js', 'dist/b.js', 'dist/lit[1].js']);
    for (const r of results) {
      expect(r.type).toBe('file');
      expect(r.digest).toBe(await sha256sum(path.join(dir, r.subject)));
    }
  });

  it('support ** and braces, and mix with other subjects in order', async () => {
    const d = `sha256:${'1'.repeat(64)}`;
    const results = await digestSubjects([d, 'dist/**/*.{js,css}'], { cwd: dir });
    expect(results.map((r) => r.subject)).toEqual([
      d,
      'dist/a.js',
      'dist/b.js',
      'dist/c.css',
      'dist/lit[1].js',
      'dist/sub/d.js',
    ]);
  });

  it('match directories too, digested as directories', async () => {
    const results = await digestSubjects(['dist/su*'], { cwd: dir });
    expect(results).toEqual([
      expect.objectContaining({ subject: 'dist/sub', type: 'directory', files: 1 }),
    ]);
  });

  it('a path with glob characters that exists literally is that path', async () => {
    const result = await digestSubject('dist/lit[1].js', { cwd: dir });
    expect(result.digest).toBe(await sha256sum(path.join(dir, 'dist/lit[1].js')));
  });

  it('a glob matching nothing is DIGEST_NO_MATCH', async () => {
    await expectDigestError(digestSubjects(['dist/*.exe'], { cwd: dir }), 'DIGEST_NO_MATCH');
  });

  it('digestSubject refuses a glob with several matches, and takes a single match', async () => {
    await expectDigestError(digestSubject('dist/*.js', { cwd: dir }), 'DIGEST_AMBIGUOUS');
    expect((await digestSubject('dist/*.css', { cwd: dir })).subject).toBe('dist/c.css');
  });
});
