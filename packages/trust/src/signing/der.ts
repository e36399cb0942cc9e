/**
 * The little DER this package needs: find a key's algorithm in SPKI/PKCS#8 and convert ECDSA
 * signatures between WebCrypto's r||s form and the ASN.1 DER form that DSSE tools (sigstore, cosign,
 * in-toto) exchange.
 */
import { TrustError } from '../errors.ts';

interface Tlv {
  tag: number;
  value: Uint8Array;
  end: number;
}

function readTlv(bytes: Uint8Array, offset: number): Tlv {
  const tag = bytes[offset];
  let length = bytes[offset + 1];
  if (tag === undefined || length === undefined) throw new Error('truncated DER');
  let pos = offset + 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    if (count === 0 || count > 3) throw new Error('unsupported DER length');
    length = 0;
    for (let i = 0; i < count; i++) {
      const b = bytes[pos++];
      if (b === undefined) throw new Error('truncated DER');
      length = length * 256 + b;
    }
  }
  const end = pos + length;
  if (end > bytes.length) throw new Error('truncated DER');
  return { tag, value: bytes.subarray(pos, end), end };
}

function children(value: Uint8Array): Tlv[] {
  const out: Tlv[] = [];
  for (let pos = 0; pos < value.length;) {
    const tlv = readTlv(value, pos);
    out.push(tlv);
    pos = tlv.end;
  }
  return out;
}

const OID_ED25519 = '2b6570';
const OID_EC_PUBLIC_KEY = '2a8648ce3d0201';
const OID_P256 = '2a8648ce3d030107';

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export type KeyAlgorithmName = 'ed25519' | 'ecdsa-p256';

/** The algorithm of an SPKI (`spki`) or PKCS#8 (`pkcs8`) DER key, or KEY_UNSUPPORTED. */
export function keyAlgorithmOf(der: Uint8Array, form: 'spki' | 'pkcs8'): KeyAlgorithmName {
  let oid: string;
  let params: string | undefined;
  try {
    const outer = readTlv(der, 0);
    const parts = children(outer.value);
    const algId = form === 'spki' ? parts[0] : parts[1];
    if (outer.tag !== 0x30 || !algId || algId.tag !== 0x30) throw new Error('not a key');
    const [o, p] = children(algId.value);
    if (!o || o.tag !== 0x06) throw new Error('no algorithm OID');
    oid = hex(o.value);
    params = p && p.tag === 0x06 ? hex(p.value) : undefined;
  } catch (cause) {
    throw new TrustError('KEY_INVALID', 'input', `the ${form} key is not valid DER`, { cause });
  }
  if (oid === OID_ED25519) return 'ed25519';
  if (oid === OID_EC_PUBLIC_KEY && params === OID_P256) return 'ecdsa-p256';
  throw new TrustError(
    'KEY_UNSUPPORTED',
    'input',
    'only Ed25519 and ECDSA P-256 keys are supported; generate one with `notarize keygen`',
  );
}

function unsignedInteger(bytes: Uint8Array): Uint8Array {
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  const trimmed = bytes.subarray(start);
  if ((trimmed[0] ?? 0) & 0x80) {
    const padded = new Uint8Array(trimmed.length + 1);
    padded.set(trimmed, 1);
    return padded;
  }
  return trimmed;
}

/** WebCrypto ECDSA signature (r||s) -> DER `SEQUENCE { INTEGER r, INTEGER s }`. */
export function ecdsaRawToDer(raw: Uint8Array): Uint8Array {
  const half = raw.length / 2;
  const r = unsignedInteger(raw.subarray(0, half));
  const s = unsignedInteger(raw.subarray(half));
  const body = [0x02, r.length, ...r, 0x02, s.length, ...s];
  return new Uint8Array([0x30, body.length, ...body]);
}

/** DER ECDSA signature -> r||s with each half `size` bytes; undefined when it is not well-formed. */
export function ecdsaDerToRaw(der: Uint8Array, size: number): Uint8Array<ArrayBuffer> | undefined {
  try {
    const seq = readTlv(der, 0);
    if (seq.tag !== 0x30 || seq.end !== der.length) return undefined;
    const ints = children(seq.value);
    if (ints.length !== 2) return undefined;
    const out = new Uint8Array(size * 2);
    for (const [i, int] of ints.entries()) {
      if (int.tag !== 0x02) return undefined;
      let v = int.value;
      while (v.length > 1 && v[0] === 0) v = v.subarray(1);
      if (v.length > size) return undefined;
      out.set(v, (i + 1) * size - v.length);
    }
    return out;
  } catch {
    return undefined;
  }
}
