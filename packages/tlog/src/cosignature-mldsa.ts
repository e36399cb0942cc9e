/**
 * C2SP tlog-cosignature with ML-DSA-44 (FIPS 204): the quantum-safe cosignature type. Its key ID
 * is SHA-256(name || 0x0A || 0x06 || 1312-byte public key)[:4]; its signature is a u64
 * big-endian timestamp followed by the 2,420-byte ML-DSA-44 signature over the binary
 * `cosigned_message`:
 *   "subtree/v1\n\0" (12 bytes) || u8 len || cosigner name || u64 timestamp ||
 *   u8 len || log origin || u64 start (0 for a checkpoint) || u64 end (the tree size) || 32-byte root
 * It commits to the cosigner's name and not to checkpoint extension lines.
 */
import { ml_dsa44 } from '@noble/post-quantum/ml-dsa.js';
import { TlogError } from './errors.ts';
import { HASH_SIZE, type Hash } from './hash.ts';

/** Signature type byte of ML-DSA-44 cosigner keys. */
export const ALG_COSIGNATURE_MLDSA44 = 0x06;
export const MLDSA44_PUBLIC_KEY_SIZE = 1312;
export const MLDSA44_SIGNATURE_SIZE = 2420;

const LABEL = new TextEncoder().encode('subtree/v1\n\0');
const encoder = new TextEncoder();

function lengthPrefixed(text: string, what: string): Uint8Array {
  const bytes = encoder.encode(text);
  if (bytes.length < 1 || bytes.length > 255) {
    throw new TlogError('TLOG_NOTE_MALFORMED', `${what} must be 1 to 255 bytes for ML-DSA-44`, {
      category: 'input',
    });
  }
  const out = new Uint8Array(1 + bytes.length);
  out[0] = bytes.length;
  out.set(bytes, 1);
  return out;
}

function u64(n: number): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(n), false);
  return out;
}

/** The `cosigned_message` an ML-DSA-44 cosignature of a checkpoint signs. */
export function mldsaCosignedMessage(
  cosigner: string,
  timestamp: number,
  checkpoint: { origin: string; size: number; root: Hash },
): Uint8Array {
  if (checkpoint.root.length !== HASH_SIZE) {
    throw new TlogError('TLOG_BAD_HASH_SIZE', `a root hash is ${HASH_SIZE} bytes`);
  }
  const parts = [
    LABEL,
    lengthPrefixed(cosigner, 'the cosigner name'),
    u64(timestamp),
    lengthPrefixed(checkpoint.origin, 'the log origin'),
    u64(0),
    u64(checkpoint.size),
    checkpoint.root,
  ];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export const mldsa44 = {
  publicKey: (seed: Uint8Array): Uint8Array => ml_dsa44.keygen(seed).publicKey,
  /** The key pair from its 32-byte seed (derived once) and a signer bound to it. */
  keys(seed: Uint8Array): { publicKey: Uint8Array; sign(msg: Uint8Array): Uint8Array } {
    const { publicKey, secretKey } = ml_dsa44.keygen(seed);
    return { publicKey, sign: (msg) => ml_dsa44.sign(msg, secretKey) };
  },
  verify: (publicKey: Uint8Array, msg: Uint8Array, sig: Uint8Array): boolean => {
    try {
      return ml_dsa44.verify(sig, msg, publicKey);
    } catch {
      return false;
    }
  },
};
