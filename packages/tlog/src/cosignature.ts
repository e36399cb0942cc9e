/**
 * C2SP tlog-cosignature v1 with Ed25519: a witness's timestamped statement that a checkpoint is
 * the largest consistent tree it has observed for the log. A cosignature is a note signature line
 * `— <name> base64(key ID || u64be timestamp || 64-byte signature)` over the message
 * `cosignature/v1\ntime <timestamp>\n` + the checkpoint body; its key ID is
 * SHA-256(name || 0x0A || 0x04 || public key)[:4], and its vkey carries type byte 0x04.
 * ML-DSA-44 cosigners (type 0x06, cosignature-mldsa.ts) go through the same functions.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { randomBytes } from '@noble/hashes/utils.js';
import { encodeBase64 } from './base64.ts';
import { TlogError } from './errors.ts';
import { isValidKeyName, keyError, noteKeyId, splitSkey, splitVkey } from './note-keys.ts';
import { parseNote } from './note.ts';
import { parseCheckpoint } from './checkpoint.ts';
import {
  ALG_COSIGNATURE_MLDSA44,
  mldsa44,
  mldsaCosignedMessage,
  MLDSA44_PUBLIC_KEY_SIZE,
  MLDSA44_SIGNATURE_SIZE,
} from './cosignature-mldsa.ts';

export type CosignatureAlgorithm = 'ed25519' | 'ml-dsa-44';

/** Signature type byte of Ed25519 cosigner keys (tlog-cosignature v1). */
export const ALG_COSIGNATURE_V1 = 0x04;

/** The spec caps timestamps at 2^63 - 1; JS numbers are exact up to 2^53 - 1, which we accept. */
const MAX_TIMESTAMP = Number.MAX_SAFE_INTEGER;

const SIG_PREFIX = '\u2014 ';
const encoder = new TextEncoder();

export interface Cosigner {
  name: string;
  keyId: number;
  /** The vkey (type 0x04) verifiers configure. */
  vkey: string;
  /** The note signature line (with its newline) cosigning `checkpointBody` at `timestamp`. */
  cosign(checkpointBody: string, timestamp: number): string;
}

export interface CosignatureVerifier {
  name: string;
  keyId: number;
  vkey: string;
  /** True when `signature` (timestamp || Ed25519 signature) cosigns `checkpointBody`. */
  verify(checkpointBody: string, signature: Uint8Array): boolean;
}

/** A cosignature line of a note that a configured verifier accepted. */
export interface VerifiedCosignature {
  name: string;
  keyId: number;
  vkey: string;
  /** POSIX seconds the witness wrote into the cosignature. */
  timestamp: number;
}

/** The exact bytes an Ed25519 v1 cosignature signs. */
export function cosignatureMessage(checkpointBody: string, timestamp: number): Uint8Array {
  checkTimestamp(timestamp);
  if (!checkpointBody.endsWith('\n')) {
    throw new TlogError('TLOG_NOTE_MALFORMED', 'a checkpoint body must end with a newline', {
      category: 'input',
    });
  }
  return encoder.encode(`cosignature/v1\ntime ${timestamp}\n${checkpointBody}`);
}

function checkTimestamp(timestamp: number): void {
  if (!Number.isSafeInteger(timestamp) || timestamp < 0 || timestamp > MAX_TIMESTAMP) {
    throw new TlogError(
      'TLOG_BAD_NUMBER',
      `cosignature timestamp ${timestamp} is not a whole number of seconds in [0, 2^53-1]`,
    );
  }
}

/** The timestamp of a `timestamped_signature` (its first 8 bytes, big-endian). */
export function cosignatureTimestamp(signature: Uint8Array): number | undefined {
  if (signature.length < 8) return undefined;
  const t = new DataView(signature.buffer, signature.byteOffset, 8).getBigUint64(0, false);
  return t > BigInt(MAX_TIMESTAMP) ? undefined : Number(t);
}

function hex8(id: number): string {
  return id.toString(16).padStart(8, '0');
}

/**
 * A new cosigner key: skey `PRIVATE+KEY+<name>+<hex id>+<base64(type || seed)>` and vkey
 * `<name>+<hex id>+<base64(type || pub)>`, type 0x04 (Ed25519, the default) or 0x06 (ML-DSA-44).
 * `seed` (32 bytes) makes it deterministic for tests.
 */
export function generateCosignerKey(
  name: string,
  seed?: Uint8Array,
  algorithm: CosignatureAlgorithm = 'ed25519',
): { skey: string; vkey: string } {
  if (!isValidKeyName(name)) {
    throw keyError(`key name ${JSON.stringify(name)} is empty or contains white space or "+"`);
  }
  const secret = seed ?? randomBytes(32);
  if (secret.length !== 32) throw keyError('a cosigner seed must be 32 bytes');
  const type = algorithm === 'ed25519' ? ALG_COSIGNATURE_V1 : ALG_COSIGNATURE_MLDSA44;
  const pub = withType(
    type,
    algorithm === 'ed25519' ? ed25519.getPublicKey(secret) : mldsa44.publicKey(secret),
  );
  const id = hex8(noteKeyId(name, pub));
  return {
    skey: `PRIVATE+KEY+${name}+${id}+${encodeBase64(withType(type, secret))}`,
    vkey: `${name}+${id}+${encodeBase64(pub)}`,
  };
}

function withType(type: number, key: Uint8Array): Uint8Array {
  const out = new Uint8Array(key.length + 1);
  out[0] = type;
  out.set(key, 1);
  return out;
}

/** keyID || u64be timestamp || signature, as a note signature line. */
function line(name: string, keyId: number, timestamp: number, sig: Uint8Array): string {
  const raw = new Uint8Array(4 + 8 + sig.length);
  const view = new DataView(raw.buffer);
  view.setUint32(0, keyId, false);
  view.setBigUint64(4, BigInt(timestamp), false);
  raw.set(sig, 12);
  return `${SIG_PREFIX}${name} ${encodeBase64(raw)}\n`;
}

/** A cosigner from its skey (Ed25519 or ML-DSA-44); the key ID must match the derived key. */
export function cosignerFromSkey(skey: string): Cosigner {
  const { name, keyId, key } = splitSkey(skey);
  const type = key[0];
  if ((type !== ALG_COSIGNATURE_V1 && type !== ALG_COSIGNATURE_MLDSA44) || key.length !== 33) {
    throw keyError(
      'cosigner key is not a cosignature key (type 0x04 Ed25519 or 0x06 ML-DSA-44, + 32-byte seed)',
    );
  }
  const seed = key.slice(1);
  if (type === ALG_COSIGNATURE_MLDSA44) return mldsaCosigner(name, keyId, seed);
  const pub = withType(ALG_COSIGNATURE_V1, ed25519.getPublicKey(seed));
  if (noteKeyId(name, pub) !== keyId) {
    throw keyError(`cosigner key ID ${hex8(keyId)} does not match the name and derived key`);
  }
  return {
    name,
    keyId,
    vkey: `${name}+${hex8(keyId)}+${encodeBase64(pub)}`,
    cosign(checkpointBody: string, timestamp: number): string {
      const sig = ed25519.sign(cosignatureMessage(checkpointBody, timestamp), seed);
      return line(name, keyId, timestamp, sig);
    },
  };
}

function mldsaCosigner(name: string, keyId: number, seed: Uint8Array): Cosigner {
  const keys = mldsa44.keys(seed);
  const pub = withType(ALG_COSIGNATURE_MLDSA44, keys.publicKey);
  if (noteKeyId(name, pub) !== keyId) {
    throw keyError(`cosigner key ID ${hex8(keyId)} does not match the name and derived key`);
  }
  return {
    name,
    keyId,
    vkey: `${name}+${hex8(keyId)}+${encodeBase64(pub)}`,
    cosign(checkpointBody: string, timestamp: number): string {
      checkTimestamp(timestamp);
      const msg = mldsaCosignedMessage(name, timestamp, parseCheckpoint(checkpointBody));
      return line(name, keyId, timestamp, keys.sign(msg));
    },
  };
}

/** A cosignature verifier from a vkey with type byte 0x04 (Ed25519) or 0x06 (ML-DSA-44). */
export function cosignatureVerifierFromVkey(vkey: string): CosignatureVerifier {
  const { name, keyId, key } = splitVkey(vkey);
  if (key[0] === ALG_COSIGNATURE_MLDSA44 && key.length === 1 + MLDSA44_PUBLIC_KEY_SIZE) {
    return mldsaVerifier(name, keyId, vkey, key.slice(1));
  }
  if (key[0] !== ALG_COSIGNATURE_V1 || key.length !== 33) {
    throw keyError(
      `witness key ${name} is not a cosignature key (type 0x04 Ed25519 + 32 bytes, or 0x06 ML-DSA-44 + ${MLDSA44_PUBLIC_KEY_SIZE} bytes)`,
    );
  }
  const pub = key.slice(1);
  return {
    name,
    keyId,
    vkey,
    verify(checkpointBody: string, signature: Uint8Array): boolean {
      if (signature.length !== 8 + 64) return false;
      const timestamp = cosignatureTimestamp(signature);
      if (timestamp === undefined) return false;
      try {
        return ed25519.verify(
          signature.subarray(8),
          cosignatureMessage(checkpointBody, timestamp),
          pub,
          { zip215: false },
        );
      } catch {
        return false;
      }
    },
  };
}

function mldsaVerifier(
  name: string,
  keyId: number,
  vkey: string,
  pub: Uint8Array,
): CosignatureVerifier {
  return {
    name,
    keyId,
    vkey,
    verify(checkpointBody: string, signature: Uint8Array): boolean {
      if (signature.length !== 8 + MLDSA44_SIGNATURE_SIZE) return false;
      const timestamp = cosignatureTimestamp(signature);
      if (timestamp === undefined) return false;
      try {
        const msg = mldsaCosignedMessage(name, timestamp, parseCheckpoint(checkpointBody));
        return mldsa44.verify(pub, msg, signature.subarray(8));
      } catch {
        return false;
      }
    },
  };
}

/**
 * The cosignatures of a signed checkpoint note made by configured witnesses. Lines by unknown
 * keys are ignored (the log's own signature among them); a line by a configured key that does
 * not verify is ignored too and reported in `invalid` (a relay may have damaged it, and a quorum
 * decides). Duplicate lines of one witness count once.
 */
export function verifyCosignatures(
  note: string,
  verifiers: readonly CosignatureVerifier[],
): { text: string; valid: VerifiedCosignature[]; invalid: string[] } {
  const { text, signatures } = parseNote(note);
  const valid: VerifiedCosignature[] = [];
  const invalid: string[] = [];
  for (const sig of signatures) {
    const v = verifiers.find((k) => k.name === sig.name && k.keyId === sig.keyId);
    if (!v) continue;
    if (!v.verify(text, sig.signature)) {
      invalid.push(v.name);
      continue;
    }
    if (valid.some((c) => c.vkey === v.vkey)) continue;
    valid.push({
      name: v.name,
      keyId: v.keyId,
      vkey: v.vkey,
      timestamp: cosignatureTimestamp(sig.signature)!,
    });
  }
  return { text, valid, invalid };
}
