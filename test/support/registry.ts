/**
 * Test helper: runs Debian's `docker-registry` (distribution 2.8) on a free loopback port with a
 * throw-away storage directory, optionally behind htpasswd (basic) or token (bearer) auth, and
 * builds/pushes images with umoci and skopeo. Everything it starts it stops.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const pexecFile = promisify(execFile);

export const REGISTRY_BIN = '/usr/bin/docker-registry';

export interface Registry {
  /** host:port, e.g. 127.0.0.1:40123 */
  host: string;
  port: number;
  dir: string;
  stop(): Promise<void>;
}

export interface RegistryAuth {
  htpasswd?: { username: string; password: string };
  token?: { realm: string; service: string; issuer: string; rootCertBundle: string };
}

/** Runs a command; rejects with its stderr on failure. */
export async function run(cmd: string, args: readonly string[], cwd?: string): Promise<string> {
  try {
    const { stdout } = await pexecFile(cmd, [...args], { cwd, maxBuffer: 64 << 20 });
    return stdout;
  } catch (error) {
    const e = error as { stderr?: string; message: string };
    throw new Error(`${cmd} ${args.join(' ')} failed: ${e.stderr ?? e.message}`, { cause: error });
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** bcrypt hash for htpasswd through the C library's crypt(3) (libxcrypt knows $2b$), via perl. */
async function bcrypt(password: string): Promise<string> {
  const salt = createHash('sha256')
    .update(password)
    .digest('base64')
    .replace(/[^A-Za-z0-9]/g, '');
  const saltChars = `${salt}abcdefghijklmnopqrstuv`.slice(0, 21) + 'u';
  const hash = await run('perl', [
    '-e',
    'print crypt($ARGV[0], $ARGV[1])',
    password,
    `$2b$05$${saltChars}`,
  ]);
  if (!hash.startsWith('$2b$')) throw new Error('crypt(3) on this machine does not do bcrypt');
  return hash;
}

export async function startRegistry(auth: RegistryAuth = {}): Promise<Registry> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'registry-'));
  const port = await freePort();
  const lines = [
    'version: 0.1',
    'log:',
    '  level: error',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${path.join(dir, 'data')}`,
    '  delete:',
    '    enabled: true',
    'http:',
    `  addr: 127.0.0.1:${port}`,
  ];
  if (auth.htpasswd) {
    const file = path.join(dir, 'htpasswd');
    await writeFile(file, `${auth.htpasswd.username}:${await bcrypt(auth.htpasswd.password)}\n`);
    lines.push('auth:', '  htpasswd:', '    realm: test-realm', `    path: ${file}`);
  } else if (auth.token) {
    lines.push(
      'auth:',
      '  token:',
      `    realm: ${auth.token.realm}`,
      `    service: ${auth.token.service}`,
      `    issuer: ${auth.token.issuer}`,
      `    rootcertbundle: ${auth.token.rootCertBundle}`,
    );
  }
  await mkdir(path.join(dir, 'data'));
  const config = path.join(dir, 'config.yml');
  await writeFile(config, `${lines.join('\n')}\n`);
  const child = spawn(REGISTRY_BIN, ['serve', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    await waitReady(port, child, () => stderr);
  } catch (error) {
    child.kill('SIGKILL');
    await exited;
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    host: `127.0.0.1:${port}`,
    port,
    dir,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function waitReady(port: number, child: ChildProcess, stderr: () => string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`docker-registry exited: ${stderr()}`);
    const ok = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => {
        socket.end();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`docker-registry did not listen on ${port} within 10 s: ${stderr()}`);
}

/** A throw-away OCI layout with one single-platform image per tag, built by umoci. */
export async function buildOciImage(
  layout: string,
  tag: string,
  files: Record<string, string>,
  platform: { os?: string; architecture?: string } = {},
): Promise<void> {
  const work = await mkdtemp(path.join(os.tmpdir(), 'umoci-'));
  try {
    await run('umoci', ['init', '--layout', layout]).catch((error: Error) => {
      // A second image in the same layout: init refuses an existing layout.
      if (!/exist/i.test(error.message)) throw error;
    });
    await run('umoci', ['new', '--image', `${layout}:${tag}`]);
    for (const [name, content] of Object.entries(files)) {
      const src = path.join(work, name.replace(/\//g, '_'));
      await writeFile(src, content);
      await run('umoci', ['insert', '--image', `${layout}:${tag}`, src, `/${name}`]);
    }
    const configArgs = ['config', '--image', `${layout}:${tag}`];
    if (platform.os) configArgs.push('--os', platform.os);
    if (platform.architecture) configArgs.push('--architecture', platform.architecture);
    if (configArgs.length > 3) await run('umoci', configArgs);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

interface IndexFile {
  schemaVersion: number;
  manifests: {
    mediaType: string;
    digest: string;
    size: number;
    annotations?: Record<string, string>;
    platform?: { os: string; architecture: string };
  }[];
}

/**
 * Adds to `layout` an OCI image index tagged `tag` that lists the images tagged `parts` with their
 * platforms (read from each image's config), like a multi-platform build would.
 */
export async function addOciIndex(
  layout: string,
  tag: string,
  parts: { tag: string; os: string; architecture: string }[],
): Promise<string> {
  const indexPath = path.join(layout, 'index.json');
  const index = JSON.parse(await readFile(indexPath, 'utf8')) as IndexFile;
  const manifests = parts.map((part) => {
    const found = index.manifests.find(
      (m) => m.annotations?.['org.opencontainers.image.ref.name'] === part.tag,
    );
    if (!found) throw new Error(`no image tagged ${part.tag}`);
    return {
      mediaType: found.mediaType,
      digest: found.digest,
      size: found.size,
      platform: { architecture: part.architecture, os: part.os },
    };
  });
  const blob = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests,
    }),
  );
  const hex = createHash('sha256').update(blob).digest('hex');
  await writeFile(path.join(layout, 'blobs', 'sha256', hex), blob);
  index.manifests.push({
    mediaType: 'application/vnd.oci.image.index.v1+json',
    digest: `sha256:${hex}`,
    size: blob.length,
    annotations: { 'org.opencontainers.image.ref.name': tag },
  });
  await writeFile(indexPath, JSON.stringify(index));
  return `sha256:${hex}`;
}

/** skopeo copy of an OCI layout tag (with --all for indexes) to a plain-http loopback registry. */
export async function pushOci(
  layout: string,
  tag: string,
  dest: string,
  creds?: { username: string; password: string },
): Promise<void> {
  const args = ['copy', '--all', '--quiet', '--dest-tls-verify=false'];
  if (creds) args.push('--dest-creds', `${creds.username}:${creds.password}`);
  args.push(`oci:${layout}:${tag}`, `docker://${dest}`);
  await run('skopeo', args);
}

/** What skopeo says the digest of a registry image is. */
export async function skopeoDigest(
  ref: string,
  creds?: { username: string; password: string },
): Promise<string> {
  const args = ['inspect', '--tls-verify=false', '--format', '{{.Digest}}'];
  if (creds) args.push('--creds', `${creds.username}:${creds.password}`);
  args.push(ref);
  return (await run('skopeo', args)).trim();
}

/** sha256 of what `skopeo inspect --raw` prints: the digest of the manifest or index as stored. */
export async function skopeoRawDigest(
  ref: string,
  creds?: { username: string; password: string },
): Promise<{ digest: string; raw: string }> {
  const args = ['inspect', '--tls-verify=false', '--raw'];
  if (creds) args.push('--creds', `${creds.username}:${creds.password}`);
  args.push(ref);
  const raw = await run('skopeo', args);
  return { digest: `sha256:${createHash('sha256').update(raw).digest('hex')}`, raw };
}
