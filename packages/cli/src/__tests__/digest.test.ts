import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { runCli, type Output } from '../index.ts';

const pexecFile = promisify(execFile);

function capture(
  interactive = false,
): Output & { out: string[]; err: string[]; json: (v: unknown) => void } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    print: (t) => out.push(t),
    json: (v) => out.push(JSON.stringify(v)),
    notice: (t) => err.push(t),
    interactive,
  };
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'cli-digest-'));
  await writeFile(path.join(dir, 'a.txt'), 'alpha\n');
  await writeFile(path.join(dir, 'b.txt'), 'beta\n');
  await mkdir(path.join(dir, 'tree', 'sub'), { recursive: true });
  await writeFile(path.join(dir, 'tree', 'sub', 'f'), 'f');
  await writeFile(path.join(dir, 'tree', 'g'), 'g');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const run = (argv: string[], output = capture()) =>
  runCli(['digest', ...argv], { output, env: {}, cwd: dir, setExitCode: () => {} });

async function sha256sum(file: string): Promise<string> {
  const { stdout } = await pexecFile('sha256sum', [file]);
  return `sha256:${stdout.slice(0, 64)}`;
}

describe('notarize digest', () => {
  it('--json prints [{subject,type,digest,...}] for files, globs and digests', async () => {
    const output = capture();
    const bare = `sha256:${'9'.repeat(64)}`;
    expect(await run(['--json', '*.txt', bare], output)).toBe(0);
    expect(output.out).toHaveLength(1);
    expect(output.err).toEqual([]);
    const parsed = JSON.parse(output.out[0] ?? '') as Record<string, unknown>[];
    expect(parsed).toEqual([
      { subject: 'a.txt', type: 'file', digest: await sha256sum(path.join(dir, 'a.txt')), size: 6 },
      { subject: 'b.txt', type: 'file', digest: await sha256sum(path.join(dir, 'b.txt')), size: 5 },
      { subject: bare, type: 'digest', digest: bare },
    ]);
  });

  it('prints a table by default', async () => {
    const output = capture();
    expect(await run(['a.txt', 'tree'], output)).toBe(0);
    const lines = output.out.join('\n').split('\n');
    expect(lines[0]).toMatch(/^SUBJECT\s+TYPE\s+DIGEST$/);
    expect(lines[1]).toMatch(
      new RegExp(`^a\\.txt\\s+file\\s+${await sha256sum(path.join(dir, 'a.txt'))}$`),
    );
    expect(lines[2]).toMatch(/^tree\s+directory\s+sha256:[0-9a-f]{64}$/);
  });

  it('exits 10 with the error code on stderr for a missing file, nothing on stdout', async () => {
    const output = capture();
    expect(await run(['missing.bin'], output)).toBe(10);
    expect(output.out).toEqual([]);
    expect(output.err.join('\n')).toMatch(/DIGEST_NOT_FOUND.*missing\.bin/);
  });

  it('exits 10 for an unknown transport and a malformed digest', async () => {
    const output = capture();
    expect(await run(['ftp://x/y'], output)).toBe(10);
    expect(output.err.join('\n')).toContain('DIGEST_UNKNOWN_TRANSPORT');
    expect(await run(['sha256:xyz'])).toBe(10);
  });

  it('exits 20 when content does not match its digest (tampered OCI layout)', async () => {
    const layout = path.join(dir, 'layout');
    await mkdir(path.join(layout, 'blobs', 'sha256'), { recursive: true });
    await writeFile(path.join(layout, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
    const claimed = 'd'.repeat(64);
    await writeFile(path.join(layout, 'blobs', 'sha256', claimed), '{"schemaVersion":2}');
    await writeFile(
      path.join(layout, 'index.json'),
      JSON.stringify({
        schemaVersion: 2,
        manifests: [
          {
            mediaType: 'application/vnd.oci.image.manifest.v1+json',
            digest: `sha256:${claimed}`,
            size: 19,
          },
        ],
      }),
    );
    const output = capture();
    expect(await run(['oci:layout'], output)).toBe(20);
    expect(output.err.join('\n')).toContain('DIGEST_MISMATCH');
  });

  it('exits 11 when a registry is unreachable', async () => {
    const output = capture();
    // Port 9 (discard) on loopback: nothing listens there in the test environment.
    expect(await run(['docker://127.0.0.1:9/r:t'], output)).toBe(11);
    expect(output.err.join('\n')).toContain('DIGEST_REGISTRY_UNREACHABLE');
  });

  it('--symlinks chooses how links inside directories are treated, and is validated', async () => {
    const linked = path.join(dir, 'linked');
    await mkdir(linked);
    await writeFile(path.join(linked, 'real'), 'r');
    await symlink('real', path.join(linked, 'alias'));
    const refused = capture();
    expect(await run(['linked'], refused)).toBe(10);
    expect(refused.err.join('\n')).toContain('DIGEST_SYMLINK');
    const skip = capture();
    expect(await run(['--json', '--symlinks', 'skip', 'linked'], skip)).toBe(0);
    expect(JSON.parse(skip.out[0] ?? '')).toEqual([
      expect.objectContaining({ type: 'directory', files: 1 }),
    ]);
    const follow = capture();
    expect(await run(['--json', '--symlinks', 'follow', 'linked'], follow)).toBe(0);
    expect(JSON.parse(follow.out[0] ?? '')).toEqual([expect.objectContaining({ files: 2 })]);
    const bad = capture();
    expect(await run(['--symlinks', 'sometimes', 'linked'], bad)).toBe(10);
    expect(bad.err.join('\n')).toContain('--symlinks');
  });

  it('never writes progress when stderr is not interactive', async () => {
    await writeFile(path.join(dir, 'big.bin'), Buffer.alloc(8 << 20));
    const quiet = capture(false);
    expect(await run(['--json', 'big.bin'], quiet)).toBe(0);
    expect(quiet.err).toEqual([]);
    expect(JSON.parse(quiet.out[0] ?? '')).toEqual([expect.objectContaining({ size: 8 << 20 })]);
  });
});
