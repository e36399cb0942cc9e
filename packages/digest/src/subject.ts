import { DigestError } from './errors.ts';
import { parseRegistryReference, type RegistryReference } from './registry/reference.ts';

/** What a subject string names, from its syntax alone (no file system access). */
export type ParsedSubject =
  | { kind: 'digest'; digest: string }
  /** A file, directory or glob: decided when it is looked at. */
  | { kind: 'path'; path: string }
  | { kind: 'oci'; dir: string; tag?: string }
  | { kind: 'docker-archive'; file: string; image?: string }
  | { kind: 'registry'; reference: RegistryReference };

const DIGEST = /^sha256:[0-9a-f]{64}$/;
const SCHEME = /^([a-zA-Z][a-zA-Z0-9+.-]+):/;
const SUPPORTED = 'oci:, docker-archive:, docker://, sha256:, or a path';

/** True for `sha256:<64 lowercase hex>`. */
export function isDigest(s: string): boolean {
  return DIGEST.test(s);
}

/**
 * Splits a subject into its transport and arguments. A string that starts like `scheme:` is a
 * transport reference; anything else is a path or glob. (`digestSubject` treats a string that exists
 * as a file first, so a file named `a:b` still works.)
 */
export function parseSubject(subject: string): ParsedSubject {
  if (subject.length === 0) {
    throw new DigestError(
      'DIGEST_BAD_REFERENCE',
      'empty subject; give a path, a reference or a digest',
    );
  }
  const scheme = SCHEME.exec(subject)?.[1];
  if (scheme === undefined) return { kind: 'path', path: subject };
  const rest = subject.slice(scheme.length + 1);
  switch (scheme) {
    case 'sha256':
      if (!DIGEST.test(subject)) {
        throw new DigestError(
          'DIGEST_BAD_REFERENCE',
          `${subject}: not a digest; expected sha256: followed by 64 lowercase hex digits`,
        );
      }
      return { kind: 'digest', digest: subject };
    case 'oci': {
      if (rest.length === 0) {
        throw new DigestError(
          'DIGEST_BAD_REFERENCE',
          `${subject}: expected oci:<layout dir>[:<tag>]`,
        );
      }
      // Like containers/image: the first colon separates the directory from the tag.
      const colon = rest.indexOf(':');
      const dir = colon >= 0 ? rest.slice(0, colon) : rest;
      const tag = colon >= 0 ? rest.slice(colon + 1) : undefined;
      if (dir.length === 0 || tag === '') {
        throw new DigestError(
          'DIGEST_BAD_REFERENCE',
          `${subject}: expected oci:<layout dir>[:<tag>]`,
        );
      }
      return tag === undefined ? { kind: 'oci', dir } : { kind: 'oci', dir, tag };
    }
    case 'docker-archive': {
      const colon = rest.indexOf(':');
      const file = colon >= 0 ? rest.slice(0, colon) : rest;
      const image = colon >= 0 ? rest.slice(colon + 1) : undefined;
      if (file.length === 0 || image === '') {
        throw new DigestError(
          'DIGEST_BAD_REFERENCE',
          `${subject}: expected docker-archive:<file.tar>[:<repo:tag>|:@<index>]`,
        );
      }
      return image === undefined
        ? { kind: 'docker-archive', file }
        : { kind: 'docker-archive', file, image };
    }
    case 'docker':
      if (!rest.startsWith('//')) {
        throw new DigestError(
          'DIGEST_BAD_REFERENCE',
          `${subject}: registry references are written docker://<registry>/<repository>[:tag|@digest]`,
        );
      }
      return { kind: 'registry', reference: parseRegistryReference(rest.slice(2)) };
    case 'sha384':
    case 'sha512':
      throw new DigestError(
        'DIGEST_BAD_REFERENCE',
        `${subject}: only sha256 digests are supported; give the sha256 digest or the artifact itself`,
      );
    default:
      throw new DigestError(
        'DIGEST_UNKNOWN_TRANSPORT',
        `${subject}: unknown transport "${scheme}:"; supported: ${SUPPORTED}`,
      );
  }
}
