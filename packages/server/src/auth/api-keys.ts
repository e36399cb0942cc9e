/**
 * API keys: `nk_` + base64url of 32 random bytes (256 bits). The config stores only
 * `sha256:<hex>` of the key. A fast hash is enough here: with 256 bits of entropy nobody can
 * guess a key from its hash, so the slow hashes meant for passwords would only cost CPU per request.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { ApiKeyConfig } from './config.ts';

export const API_KEY_PREFIX = 'nk_';
const KEY = /^nk_[A-Za-z0-9_-]{43}$/;

export interface GeneratedApiKey {
  /** Shown once to the user; never stored. */
  key: string;
  /** What goes into the config's `apiKeys[].hash`. */
  hash: string;
}

export function generateApiKey(): GeneratedApiKey {
  const key = API_KEY_PREFIX + randomBytes(32).toString('base64url');
  return { key, hash: hashApiKey(key) };
}

export function hashApiKey(key: string): string {
  return `sha256:${createHash('sha256').update(key, 'utf8').digest('hex')}`;
}

export function looksLikeApiKey(credential: string): boolean {
  return credential.startsWith(API_KEY_PREFIX);
}

/** A short, non-secret id of the key (its hash's first 16 hex digits), recorded in entries. */
export function apiKeyId(hash: string): string {
  return hash.slice(0, 'sha256:'.length + 16);
}

/**
 * Finds the configured key. Every configured hash is compared, in constant time, whatever
 * matches: the time taken says nothing about which key (or how much of a hash) matched.
 */
export function findApiKey(keys: readonly ApiKeyConfig[], key: string): ApiKeyConfig | undefined {
  const presented = Buffer.from(hashApiKey(key), 'utf8');
  const wellFormed = KEY.test(key);
  let found: ApiKeyConfig | undefined;
  for (const entry of keys) {
    const stored = Buffer.from(entry.hash, 'utf8');
    if (
      stored.length === presented.length &&
      timingSafeEqual(stored, presented) &&
      found === undefined
    ) {
      found = entry;
    }
  }
  return wellFormed ? found : undefined;
}
