/**
 * `notarize digest` as a user runs it: a separate process on the repo's Node, the CLI's entry
 * point, real stdout/stderr and exit codes; directory digests checked against the coreutils
 * pipeline.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const pexecFile = promisify(execFile);
const NODE = path.resolve('node_modules/node/bin/node');
const MAIN = path.resolve('packages/cli/src/main.ts');

async function notarize(
  args: string[],
  cwd: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await pexecFile(NODE, [MAIN, ...args], { cwd });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

let dir: string;
let files: Record<string, string>;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'digest-cli-'));
  files = {
    'site/index.html': '<h1>hi</h1>\n',
    'site/assets/app 1.js': 'console.log(1)\n',
    'site/assets/ñandú.css': 'body{}\n',
    'site/deep/er/still/x.bin': 'x',
  };
  for (const [name, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await writeFile(path.join(dir, name), content);
  }
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('notarize digest (process)', () => {
  it('prints JSON on stdout only, with the directory digest equal to the sha256sum pipeline', async () => {
    const { code, stdout, stderr } = await notarize(['digest', '--json', 'site'], dir);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    const { stdout: pipe } = await pexecFile(
      'bash',
      [
        '-c',
        "find . -type f -printf '%P\\n' | LC_ALL=C sort | xargs -d '\\n' sha256sum | sha256sum",
      ],
      { cwd: path.join(dir, 'site') },
    );
    expect(JSON.parse(stdout)).toEqual([
      {
        subject: 'site',
        type: 'directory',
        digest: `sha256:${pipe.slice(0, 64)}`,
        size: Object.values(files).reduce((n, c) => n + Buffer.byteLength(c), 0),
        files: 4,
      },
    ]);
  });

  it('exits 10 on a glob matching nothing, with the code on stderr', async () => {
    const { code, stdout, stderr } = await notarize(['digest', 'site/*.exe'], dir);
    expect(code).toBe(10);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/DIGEST_NO_MATCH/);
  });
});
