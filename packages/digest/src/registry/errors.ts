import { DigestError } from '../errors.ts';

const TIMEOUT = new Set([
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'ETIMEDOUT',
]);
const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNRESET',
  'EPIPE',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
]);

function codeOf(error: unknown): string | undefined {
  let e: unknown = error;
  for (let depth = 0; depth < 4 && e; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && code !== 'UND_ERR') return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/** True when the peer does not speak TLS at all (a plain-http server): worth retrying over http. */
export function isNotTls(error: unknown): boolean {
  const code = codeOf(error) ?? '';
  return (
    code === 'EPROTO' || code === 'ERR_SSL_WRONG_VERSION_NUMBER' || code.startsWith('ERR_SSL_')
  );
}

function isTls(code: string): boolean {
  return (
    code.startsWith('ERR_SSL_') ||
    code.startsWith('ERR_TLS_') ||
    code.startsWith('CERT_') ||
    code === 'EPROTO' ||
    code.includes('SELF_SIGNED') ||
    code.startsWith('UNABLE_TO_') ||
    code === 'HOSTNAME_MISMATCH'
  );
}

/** Maps a transport error (undici/node) on `url` to a DigestError that says what to do. */
export function networkError(error: unknown, url: string, timeoutMs: number): DigestError {
  if (error instanceof DigestError) return error;
  const code = codeOf(error) ?? '';
  const detail = error instanceof Error ? error.message : String(error);
  if (TIMEOUT.has(code)) {
    return new DigestError(
      'DIGEST_REGISTRY_TIMEOUT',
      `${url}: no answer within ${timeoutMs} ms (${code}); check the registry or raise the timeout`,
      { cause: error },
    );
  }
  if (isTls(code)) {
    return new DigestError(
      'DIGEST_REGISTRY_TLS',
      `${url}: TLS failed (${code}: ${detail}); install the registry's CA, or use --insecure-registry for a test registry`,
      { cause: error },
    );
  }
  if (UNREACHABLE.has(code)) {
    return new DigestError(
      'DIGEST_REGISTRY_UNREACHABLE',
      `${url}: registry unreachable (${code}); check the host name, port and network`,
      { cause: error },
    );
  }
  return new DigestError(
    'DIGEST_REGISTRY_UNREACHABLE',
    `${url}: request failed (${code || detail})`,
    {
      cause: error,
    },
  );
}
