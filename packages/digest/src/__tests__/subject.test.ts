import { isDigest, parseSubject } from '../subject.ts';
import { formatReference, isLoopback, parseRegistryReference } from '../registry/reference.ts';
import { DigestError } from '../errors.ts';

const HEX = 'a'.repeat(64);

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return error instanceof DigestError ? error.code : 'NOT_A_DIGEST_ERROR';
  }
  return undefined;
}

describe('isDigest', () => {
  it('accepts sha256 with 64 lowercase hex digits only', () => {
    expect(isDigest(`sha256:${HEX}`)).toBe(true);
    expect(isDigest(`sha256:${'A'.repeat(64)}`)).toBe(false);
    expect(isDigest(`sha256:${HEX.slice(1)}`)).toBe(false);
    expect(isDigest(`sha256:${HEX}0`)).toBe(false);
    expect(isDigest(`sha512:${HEX}`)).toBe(false);
    expect(isDigest(HEX)).toBe(false);
  });
});

describe('parseSubject', () => {
  it('takes a bare digest as is', () => {
    expect(parseSubject(`sha256:${HEX}`)).toEqual({ kind: 'digest', digest: `sha256:${HEX}` });
  });

  it('treats strings without a transport as paths (and globs)', () => {
    expect(parseSubject('dist/app.tar.gz')).toEqual({ kind: 'path', path: 'dist/app.tar.gz' });
    expect(parseSubject('/abs/x')).toEqual({ kind: 'path', path: '/abs/x' });
    expect(parseSubject('dist/*.js')).toEqual({ kind: 'path', path: 'dist/*.js' });
    expect(parseSubject('C:foo')).toEqual({ kind: 'path', path: 'C:foo' });
  });

  it('splits oci: and docker-archive: at the first colon, like containers/image', () => {
    expect(parseSubject('oci:build/layout')).toEqual({ kind: 'oci', dir: 'build/layout' });
    expect(parseSubject('oci:build/layout:v1.2')).toEqual({
      kind: 'oci',
      dir: 'build/layout',
      tag: 'v1.2',
    });
    expect(parseSubject('docker-archive:img.tar')).toEqual({
      kind: 'docker-archive',
      file: 'img.tar',
    });
    expect(parseSubject('docker-archive:img.tar:repo/x:v1')).toEqual({
      kind: 'docker-archive',
      file: 'img.tar',
      image: 'repo/x:v1',
    });
  });

  it('parses docker:// references', () => {
    const parsed = parseSubject(`docker://127.0.0.1:5000/team/app@sha256:${HEX}`);
    expect(parsed).toEqual({
      kind: 'registry',
      reference: {
        registry: '127.0.0.1:5000',
        endpoint: '127.0.0.1:5000',
        repository: 'team/app',
        digest: `sha256:${HEX}`,
      },
    });
  });

  it.each([
    ['', 'DIGEST_BAD_REFERENCE'],
    [`sha256:${HEX.toUpperCase()}`, 'DIGEST_BAD_REFERENCE'],
    ['sha256:abc', 'DIGEST_BAD_REFERENCE'],
    [`sha512:${HEX}${HEX}`, 'DIGEST_BAD_REFERENCE'],
    ['oci:', 'DIGEST_BAD_REFERENCE'],
    ['oci:dir:', 'DIGEST_BAD_REFERENCE'],
    ['docker-archive:', 'DIGEST_BAD_REFERENCE'],
    ['docker:alpine', 'DIGEST_BAD_REFERENCE'],
    ['docker://', 'DIGEST_BAD_REFERENCE'],
    ['docker://Upper/Case', 'DIGEST_BAD_REFERENCE'],
    ['docker://host.io/repo:bad:tag', 'DIGEST_BAD_REFERENCE'],
    ['docker://host.io/repo@sha256:short', 'DIGEST_BAD_REFERENCE'],
    ['docker://host.io/repo@md5:abc', 'DIGEST_BAD_REFERENCE'],
    ['docker://host.io/repo:-tag', 'DIGEST_BAD_REFERENCE'],
    ['docker://host.io/a//b', 'DIGEST_BAD_REFERENCE'],
    ['http://example.com/x', 'DIGEST_UNKNOWN_TRANSPORT'],
    ['containers-storage:alpine', 'DIGEST_UNKNOWN_TRANSPORT'],
    ['oci-archive:x.tar', 'DIGEST_UNKNOWN_TRANSPORT'],
  ])('rejects %j with %s', (subject, code) => {
    expect(codeOf(() => parseSubject(subject))).toBe(code);
  });
});

describe('parseRegistryReference', () => {
  it('normalizes Docker Hub names like docker does', () => {
    expect(parseRegistryReference('alpine')).toEqual({
      registry: 'docker.io',
      endpoint: 'registry-1.docker.io',
      repository: 'library/alpine',
      tag: 'latest',
    });
    expect(parseRegistryReference('user/app:1.0').repository).toBe('user/app');
    expect(parseRegistryReference('docker.io/alpine:3').repository).toBe('library/alpine');
  });

  it('recognizes registries by a dot, a port or localhost', () => {
    expect(parseRegistryReference('ghcr.io/o/r:t')).toMatchObject({
      registry: 'ghcr.io',
      repository: 'o/r',
      tag: 't',
    });
    expect(parseRegistryReference('localhost/r')).toMatchObject({
      registry: 'localhost',
      repository: 'r',
    });
    expect(parseRegistryReference('reg:5000/r')).toMatchObject({
      registry: 'reg:5000',
      repository: 'r',
    });
    expect(parseRegistryReference('[::1]:5000/r')).toMatchObject({
      registry: '[::1]:5000',
      repository: 'r',
    });
  });

  it('lets a digest win over a tag', () => {
    const ref = parseRegistryReference(`ghcr.io/o/r:t@sha256:${HEX}`);
    expect(ref.digest).toBe(`sha256:${HEX}`);
    expect(ref.tag).toBeUndefined();
    expect(formatReference(ref)).toBe(`ghcr.io/o/r@sha256:${HEX}`);
  });

  it('knows loopback hosts', () => {
    expect(isLoopback('127.0.0.1:5000')).toBe(true);
    expect(isLoopback('127.1.2.3')).toBe(true);
    expect(isLoopback('localhost:5000')).toBe(true);
    expect(isLoopback('[::1]:5000')).toBe(true);
    expect(isLoopback('128.0.0.1')).toBe(false);
    expect(isLoopback('127.0.0.1.evil.com')).toBe(false);
    expect(isLoopback('ghcr.io')).toBe(false);
  });
});
