/**
 * Digest helpers. The project writes digests as `sha256:<64 lowercase hex>` (OCI form,
 * docs/formats.md); in-toto descriptors carry them as `{sha256: <hex>}`. SHA-256 goes through
 * WebCrypto so the package stays browser-safe.
 */
import { TrustError } from './errors.ts';

const DIGEST_RE = /^sha256:[0-9a-f]{64}$/;
const HEX_RE = /^[0-9a-f]{64}$/;

export function isDigest(text: string): boolean {
  return DIGEST_RE.test(text);
}

/** Returns the hex part of `sha256:<hex>`; throws DIGEST_INVALID for anything else. */
export function digestHex(digest: string): string {
  if (!DIGEST_RE.test(digest)) {
    throw new TrustError(
      'DIGEST_INVALID',
      'input',
      `"${digest}" is not a digest; expected sha256:<64 lowercase hex characters>`,
    );
  }
  return digest.slice('sha256:'.length);
}

/** in-toto form `{sha256: hex}` -> `sha256:hex`, or undefined when there is no valid sha256. */
export function digestFromDescriptor(digest: Record<string, string>): string | undefined {
  const hex = digest.sha256;
  return typeof hex === 'string' && HEX_RE.test(hex) ? `sha256:${hex}` : undefined;
}

export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += b.toString(16).padStart(2, '0');
  return out;
}

export async function sha256(bytes: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(
    await globalThis.crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>),
  );
}

export async function sha256Digest(bytes: Uint8Array): Promise<string> {
  return `sha256:${toHex(await sha256(bytes))}`;
}
