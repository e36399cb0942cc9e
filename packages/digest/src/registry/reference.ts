import { DigestError } from '../errors.ts';

/** A parsed `docker://` reference (the part after the transport). */
export interface RegistryReference {
  /** Registry as written (`127.0.0.1:5000`, `ghcr.io`), `docker.io` when none was given. */
  registry: string;
  /** Host[:port] that serves the HTTP API (`registry-1.docker.io` for Docker Hub). */
  endpoint: string;
  /** Repository path (`library/alpine` on Docker Hub for `alpine`). */
  repository: string;
  tag?: string;
  digest?: string;
}

const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^sha256:[0-9a-f]{64}$/;
const HOST = /^(?:\[[0-9a-fA-F:.]+\]|[a-zA-Z0-9](?:[a-zA-Z0-9.-]*[a-zA-Z0-9])?)(?::[0-9]{1,5})?$/;

const bad = (input: string, why: string) =>
  new DigestError(
    'DIGEST_BAD_REFERENCE',
    `docker://${input}: ${why}; expected docker://<registry>/<repository>[:tag|@sha256:<hex>]`,
  );

/**
 * Parses `<registry>/<repo>[:tag][@digest]` like distribution/reference does: the first path
 * component is a registry when it holds a `.` or `:` or is `localhost`; otherwise the reference is
 * on Docker Hub and one-component names get `library/`. A digest wins over a tag; no tag means
 * `latest`.
 */
export function parseRegistryReference(input: string): RegistryReference {
  if (input.length === 0) throw bad(input, 'empty reference');
  let rest = input;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) {
      throw bad(input, `"${digest}" is not a sha256 digest (sha256: and 64 lowercase hex digits)`);
    }
  }
  let tag: string | undefined;
  const slash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > slash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) throw bad(input, `"${tag}" is not a valid tag`);
  }
  const parts = rest.split('/');
  let registry = 'docker.io';
  const first = parts[0] ?? '';
  if (parts.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost')) {
    registry = first;
    parts.shift();
    if (!HOST.test(registry)) throw bad(input, `"${registry}" is not a valid registry host`);
  }
  if (parts.length === 0 || parts.some((p) => !COMPONENT.test(p))) {
    throw bad(
      input,
      `"${parts.join('/')}" is not a valid repository (lowercase letters, digits and . _ - separators)`,
    );
  }
  if (registry === 'docker.io' && parts.length === 1) parts.unshift('library');
  const endpoint = registry === 'docker.io' ? 'registry-1.docker.io' : registry;
  const ref: RegistryReference = { registry, endpoint, repository: parts.join('/') };
  if (digest) ref.digest = digest;
  else ref.tag = tag ?? 'latest';
  return ref;
}

/** The reference with the tag or digest that is actually requested. */
export function formatReference(ref: RegistryReference): string {
  const base = `${ref.registry}/${ref.repository}`;
  return ref.digest ? `${base}@${ref.digest}` : `${base}:${ref.tag ?? 'latest'}`;
}

/** Host part without port and brackets. */
export function hostnameOf(endpoint: string): string {
  if (endpoint.startsWith('[')) return endpoint.slice(1, endpoint.indexOf(']'));
  const colon = endpoint.lastIndexOf(':');
  return colon >= 0 ? endpoint.slice(0, colon) : endpoint;
}

/** Loopback registries may be spoken to over plain http (like Docker does). */
export function isLoopback(endpoint: string): boolean {
  const host = hostnameOf(endpoint).toLowerCase();
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}
