/**
 * The container image (`npm run image`, scripts/image.ts), built here with umoci — no Docker
 * daemon, no base image. Checked with skopeo (labels, non-root user, /data volume, size), run the
 * way a runtime runs it (umoci unpack, then the bundle's process as its config says: user, env,
 * working directory, arguments — under chroot, with only the listen address moved to a free
 * loopback port), reached over HTTP (/healthz and a verified `status` from the host's CLI), and
 * pushed to a local docker-registry and digested by `notarize digest docker://…`.
 * Runs as root (chroot and the image's uid); .ci/run does.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { buildImage, IMAGE_PORT, IMAGE_USER } from '../scripts/image.ts';
import { freePort, pushOci, skopeoDigest, startRegistry } from './support/registry.ts';

const NODE = process.execPath;
const CLI = path.resolve('packages/cli/src/main.ts');
const MB = 1024 * 1024;
// The runtime's environment has no PATH of the host: name chroot by its path.
const CHROOT = ['/usr/sbin/chroot', '/usr/bin/chroot'].find((f) => existsSync(f)) ?? 'chroot';

let tmp: string;
let layout: string;
beforeAll(async () => {
  expect(process.getuid?.()).toBe(0); // chroot and the image's own uid need root: run via .ci/run
  tmp = await mkdtemp(path.join(os.tmpdir(), 'notarize-image-'));
  layout = path.join(tmp, 'notarize');
  buildImage(layout);
}, 120_000);
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

const skopeo = (...args: string[]) => execFileSync('skopeo', args, { encoding: 'utf8' });

test('skopeo inspect: labels, non-root user, /data volume, port, and at most 80 MB compressed', () => {
  const inspect = JSON.parse(skopeo('inspect', `oci:${layout}:latest`)) as {
    Labels: Record<string, string>;
    Os: string;
  };
  const version = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version;
  expect(inspect.Os).toBe('linux');
  expect(inspect.Labels).toMatchObject({
    'org.opencontainers.image.title': 'notarize',
    'org.opencontainers.image.version': version,
    'org.opencontainers.image.licenses': 'Apache-2.0',
    'org.opencontainers.image.source': 'https://github.com/notarize-dev/notarize-action',
  });
  const config = JSON.parse(skopeo('inspect', '--config', `oci:${layout}:${version}`)) as {
    config: {
      User: string;
      Volumes: Record<string, unknown>;
      ExposedPorts: Record<string, unknown>;
      Entrypoint: string[];
    };
  };
  expect(config.config.User).toBe(`${IMAGE_USER.uid}:${IMAGE_USER.gid}`);
  expect(Object.keys(config.config.Volumes)).toEqual(['/data']);
  expect(Object.keys(config.config.ExposedPorts)).toEqual([`${IMAGE_PORT}/tcp`]);
  expect(config.config.Entrypoint).toEqual(['/usr/local/bin/node', '/app/index.js']);
  const manifest = JSON.parse(skopeo('inspect', '--raw', `oci:${layout}:latest`)) as {
    layers: { size: number }[];
  };
  const compressed = manifest.layers.reduce((sum, l) => sum + l.size, 0);
  expect(compressed).toBeLessThan(80 * MB);
});

describe('the image, unpacked and run as its config says', () => {
  let bundle: string;
  let rootfs: string;
  let runtime: { args: string[]; env: string[]; cwd: string; user: { uid: number; gid: number } };
  let server: ChildProcess | undefined;

  const inImage = (args: string[]) =>
    spawnSync(CHROOT, [`--userspec=${runtime.user.uid}:${runtime.user.gid}`, rootfs, ...args], {
      encoding: 'utf8',
      env: Object.fromEntries(runtime.env.map((e) => e.split(/=(.*)/s))),
    });

  beforeAll(async () => {
    bundle = path.join(tmp, 'bundle');
    execFileSync('umoci', ['unpack', '--image', `${layout}:latest`, bundle]);
    rootfs = path.join(bundle, 'rootfs');
    runtime = (
      JSON.parse(readFileSync(path.join(bundle, 'config.json'), 'utf8')) as {
        process: typeof runtime;
      }
    ).process;
  }, 60_000);
  afterAll(() => {
    server?.kill('SIGTERM');
  });

  test('runs as the non-root user, in /data, with notarize on PATH', () => {
    expect(runtime.user).toMatchObject({ uid: IMAGE_USER.uid, gid: IMAGE_USER.gid });
    expect(runtime.cwd).toBe('/data');
    expect(statSync(path.join(rootfs, 'data')).uid).toBe(IMAGE_USER.uid);
    expect(inImage(['/usr/local/bin/notarize', '--version'])).toMatchObject({ status: 0 });
  });

  test('serves /healthz and a status the host verifies', async () => {
    // A subject trusted inside the image, on its /data ledger.
    copyFileSync('LICENSE', path.join(rootfs, 'data', 'app.txt'));
    const trust = inImage(['/usr/local/bin/notarize', 'trust', '/data/app.txt', '--as', 'ci']);
    expect(trust.stderr).toMatch(/^recorded as ci \(admin\) at index 0, tree size \d+$/m);
    expect(trust.status).toBe(0);

    const port = await freePort();
    const args = runtime.args.map((a) => (a === `0.0.0.0:${IMAGE_PORT}` ? `127.0.0.1:${port}` : a));
    expect(args).toEqual([
      '/usr/local/bin/node',
      '/app/index.js',
      'serve',
      '--data',
      '/data',
      '--listen',
      `127.0.0.1:${port}`,
    ]);
    server = spawn(
      CHROOT,
      [`--userspec=${runtime.user.uid}:${runtime.user.gid}`, rootfs, ...args],
      {
        env: Object.fromEntries(runtime.env.map((e) => e.split(/=(.*)/s))),
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    server.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    const url = `http://127.0.0.1:${port}`;
    let health: Response | undefined;
    for (let i = 0; i < 100 && !health?.ok; i++) {
      health = await fetch(`${url}/healthz`).catch(() => undefined);
      if (!health?.ok) await new Promise((r) => setTimeout(r, 100));
    }
    expect(await health!.json()).toEqual({ status: 'ok', size: 2 });
    const vkey = out.trim();
    expect(vkey).toMatch(/^notarize\.local\/\S+\+[0-9a-f]{8}\+\S+$/);

    copyFileSync('LICENSE', path.join(tmp, 'app.txt'));
    const status = spawnSync(NODE, [CLI, 'status', 'app.txt', '--ledger', url, '--json'], {
      cwd: tmp,
      encoding: 'utf8',
      env: { PATH: process.env.PATH, HOME: tmp, NOTARIZE_LEDGER_KEY: vkey },
    });
    expect(status.stderr).toBe('');
    expect(status.status).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({
      decision: 'allow',
      subjects: [{ identities: { ci: 'trusted' } }],
    });
  }, 60_000);
});

test('pushed to a local docker-registry, notarize digest docker://… names its digest', async () => {
  const registry = await startRegistry();
  try {
    const ref = `${registry.host}/notarize:latest`;
    await pushOci(layout, 'latest', ref);
    const expected = await skopeoDigest(`docker://${ref}`);
    const digest = spawnSync(
      NODE,
      [CLI, 'digest', `docker://${ref}`, '--insecure-registry', '--json'],
      { encoding: 'utf8', env: { PATH: process.env.PATH, HOME: tmp } },
    );
    expect(digest.status).toBe(0);
    expect((JSON.parse(digest.stdout) as { digest: string }[])[0]!.digest).toBe(expected);
  } finally {
    await registry.stop();
  }
}, 60_000);
