/** Small checks shared by the config validator and the authenticator. */

/** Identity names: 1-256 characters, no whitespace or control characters. */
export function isIdentityName(name: string): boolean {
  return name.length >= 1 && name.length <= 256 && !/[\s\p{Cc}]/u.test(name);
}

/** http:// to a loopback host: allowed for tests and sidecars, where no network path exists. */
export function isLoopbackHttp(u: URL): boolean {
  return (
    u.protocol === 'http:' &&
    (u.hostname === '127.0.0.1' || u.hostname === 'localhost' || u.hostname === '[::1]')
  );
}
