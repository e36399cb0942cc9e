import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

export interface Credentials {
  username: string;
  password: string;
  /** Where they came from, for messages (never the secret itself). */
  source: string;
}

interface DockerAuthEntry {
  auth?: unknown;
  username?: unknown;
  password?: unknown;
}

const HUB_ALIASES = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);

/** Registry host of a docker config `auths` key (`https://index.docker.io/v1/` -> `docker.io`). */
function keyHost(key: string): string {
  const host = key
    .replace(/^[a-z]+:\/\//i, '')
    .replace(/\/.*$/, '')
    .toLowerCase();
  return HUB_ALIASES.has(host) ? 'docker.io' : host;
}

/**
 * Credentials for `registry`: NOTARIZE_REGISTRY_USERNAME/PASSWORD first (explicit wins), then the
 * `auths` of the docker config (`$DOCKER_CONFIG/config.json` or `~/.docker/config.json`).
 * Credential helpers (`credsStore`, `credHelpers`) are not run: they execute arbitrary programs.
 */
export async function findCredentials(
  registry: string,
  env: NodeJS.ProcessEnv,
): Promise<Credentials | undefined> {
  const username = env.NOTARIZE_REGISTRY_USERNAME;
  const password = env.NOTARIZE_REGISTRY_PASSWORD;
  if (username && password !== undefined) {
    return { username, password, source: 'NOTARIZE_REGISTRY_USERNAME/PASSWORD' };
  }
  const configDir = env.DOCKER_CONFIG ?? path.join(env.HOME ?? os.homedir(), '.docker');
  const file = path.join(configDir, 'config.json');
  let config: { auths?: Record<string, DockerAuthEntry> };
  try {
    config = JSON.parse(await readFile(file, 'utf8')) as typeof config;
  } catch {
    // No (readable, valid) docker config: anonymous access.
    return undefined;
  }
  const wanted = HUB_ALIASES.has(registry.toLowerCase()) ? 'docker.io' : registry.toLowerCase();
  for (const [key, entry] of Object.entries(config.auths ?? {})) {
    if (keyHost(key) !== wanted || typeof entry !== 'object' || entry === null) continue;
    if (typeof entry.auth === 'string' && entry.auth.length > 0) {
      const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon > 0) {
        return {
          username: decoded.slice(0, colon),
          password: decoded.slice(colon + 1),
          source: file,
        };
      }
    }
    if (typeof entry.username === 'string' && typeof entry.password === 'string') {
      return { username: entry.username, password: entry.password, source: file };
    }
  }
  return undefined;
}

export const basicAuth = (c: Credentials): string =>
  `Basic ${Buffer.from(`${c.username}:${c.password}`).toString('base64')}`;
