// `npm run image [-- OUT]`: builds the OCI image of the CLI (`notarize`, and `notarize serve` by
// default) into the OCI layout OUT (default dist-image/notarize, tag `latest` and the version)
// with Debian's umoci — no Docker daemon and no base image to pull. The image holds the Node.js
// runtime this repository runs on (node_modules/.bin/node) with the shared libraries it links,
// the CLI bundle (dist/cli) with its notices and license, CA certificates, and a non-root user;
// its data volume is /data. Kubernetes, compose and systemd use it from deploy/.
import { execFileSync } from 'node:child_process';
import {
  copyFileSync,
  chmodSync,
  chownSync,
  mkdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';

export const IMAGE_USER = { uid: 10001, gid: 10001, name: 'notarize' };
export const IMAGE_PORT = 8080;
const NODE = realpathSync('node_modules/.bin/node');

const run = (cmd: string, args: string[]): string =>
  execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });

/** The shared libraries the Node binary links (from ldd), with the dynamic loader. */
function sharedLibraries(binary: string): string[] {
  return run('ldd', [binary])
    .split('\n')
    .map((line) => /(\/\S+) \(0x/.exec(line)?.[1])
    .filter((lib): lib is string => lib !== undefined);
}

function copyInto(rootfs: string, from: string, to = from, mode?: number): void {
  const dest = path.join(rootfs, to);
  mkdirSync(path.dirname(dest), { recursive: true });
  copyFileSync(realpathSync(from), dest);
  if (mode !== undefined) chmodSync(dest, mode);
}

function populate(rootfs: string, version: string): void {
  copyInto(rootfs, NODE, '/usr/local/bin/node', 0o755);
  for (const lib of sharedLibraries(NODE)) copyInto(rootfs, lib);
  for (const file of ['index.js', 'main.js', 'package.json']) {
    copyInto(rootfs, path.join('dist', 'cli', file), `/app/${file}`, 0o644);
  }
  copyInto(rootfs, 'dist/THIRD_PARTY_NOTICES.md', '/app/THIRD_PARTY_NOTICES.md', 0o644);
  copyInto(rootfs, 'LICENSE', '/app/LICENSE', 0o644);
  copyInto(rootfs, '/etc/ssl/certs/ca-certificates.crt');
  // `notarize` on PATH: a two-line launcher (the bundle's guard, then main.js).
  mkdirSync(path.join(rootfs, 'usr/local/bin'), { recursive: true });
  writeFileSync(
    path.join(rootfs, 'usr/local/bin/notarize'),
    '#!/usr/local/bin/node\nawait import("/app/index.js");\n',
    { mode: 0o755 },
  );
  const { uid, gid, name } = IMAGE_USER;
  mkdirSync(path.join(rootfs, 'etc'), { recursive: true });
  writeFileSync(
    path.join(rootfs, 'etc/passwd'),
    `root:x:0:0:root:/root:/sbin/nologin\n${name}:x:${uid}:${gid}:${name}:/data:/sbin/nologin\n`,
  );
  writeFileSync(path.join(rootfs, 'etc/group'), `root:x:0:\n${name}:x:${gid}:\n`);
  writeFileSync(
    path.join(rootfs, 'etc/nsswitch.conf'),
    'passwd: files\ngroup: files\nhosts: files dns\n',
  );
  writeFileSync(path.join(rootfs, 'etc/hosts'), '127.0.0.1 localhost\n::1 localhost\n');
  for (const dir of ['data', 'tmp']) {
    mkdirSync(path.join(rootfs, dir), { recursive: true });
  }
  chmodSync(path.join(rootfs, 'tmp'), 0o1777);
  chownSync(path.join(rootfs, 'data'), uid, gid);
  chmodSync(path.join(rootfs, 'data'), 0o700);
  writeFileSync(path.join(rootfs, 'app/VERSION'), `${version}\n`);
}

export function buildImage(layout: string): { layout: string; tags: string[] } {
  const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as {
    version: string;
    description: string;
    repository: { url: string };
    license: string;
  };
  const work = `${layout}.work`;
  rmSync(layout, { recursive: true, force: true });
  rmSync(work, { recursive: true, force: true });
  mkdirSync(path.dirname(layout), { recursive: true });
  run('umoci', ['init', '--layout', layout]);
  run('umoci', ['new', '--image', `${layout}:latest`]);
  run('umoci', ['unpack', '--image', `${layout}:latest`, work]);
  populate(path.join(work, 'rootfs'), pkg.version);
  run('umoci', ['repack', '--image', `${layout}:latest`, work]);
  rmSync(work, { recursive: true, force: true });
  const source = pkg.repository.url.replace(/^git\+/, '').replace(/\.git$/, '');
  const labels: Record<string, string> = {
    'org.opencontainers.image.title': 'notarize',
    'org.opencontainers.image.description': pkg.description,
    'org.opencontainers.image.version': pkg.version,
    'org.opencontainers.image.source': source,
    'org.opencontainers.image.url': source,
    'org.opencontainers.image.documentation': `${source}/blob/main/deploy/README.md`,
    'org.opencontainers.image.licenses': pkg.license,
    'org.opencontainers.image.revision': run('git', ['rev-parse', 'HEAD']).trim(),
  };
  const { uid, gid } = IMAGE_USER;
  run('umoci', [
    'config',
    '--image',
    `${layout}:latest`,
    '--config.user',
    `${uid}:${gid}`,
    '--config.entrypoint',
    '/usr/local/bin/node',
    '--config.entrypoint',
    '/app/index.js',
    '--config.cmd',
    'serve',
    '--config.cmd',
    '--data',
    '--config.cmd',
    '/data',
    '--config.cmd',
    '--listen',
    '--config.cmd',
    `0.0.0.0:${IMAGE_PORT}`,
    '--config.workingdir',
    '/data',
    '--config.volume',
    '/data',
    '--config.exposedports',
    `${IMAGE_PORT}/tcp`,
    '--config.env',
    'PATH=/usr/local/bin:/usr/bin:/bin',
    '--config.env',
    'NOTARIZE_LEDGER=file:/data',
    '--config.env',
    'SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt',
    '--config.env',
    'HOME=/data',
    ...Object.entries(labels).flatMap(([k, v]) => ['--config.label', `${k}=${v}`]),
    ...Object.entries(labels).flatMap(([k, v]) => ['--manifest.annotation', `${k}=${v}`]),
    '--history.comment',
    `notarize ${pkg.version}: Node.js ${process.version} and dist/cli`,
  ]);
  run('umoci', ['tag', '--image', `${layout}:latest`, pkg.version]);
  run('umoci', ['gc', '--layout', layout]);
  return { layout, tags: ['latest', pkg.version] };
}

if (import.meta.main) {
  const layout = process.argv[2] ?? 'dist-image/notarize';
  const { tags } = buildImage(layout);
  console.log(`built oci:${layout} (tags ${tags.join(', ')})`);
}
