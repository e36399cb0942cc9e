import { ed25519 } from '@noble/curves/ed25519.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { randomBytes } from '@noble/hashes/utils.js';
import { decodeBase64, encodeBase64 } from './base64.ts';
import { TlogError } from './errors.ts';

/** Signs note texts; `keyId` is the C2SP key ID, a big-endian uint32. */
export interface NoteSigner {
  name: string;
  keyId: number;
  sign(msg: Uint8Array): Uint8Array;
}

export interface NoteVerifier {
  name: string;
  keyId: number;
  verify(msg: Uint8Array, sig: Uint8Array): boolean;
}

/** Signature type byte of Ed25519 keys in C2SP signed-note. */
export const ALG_ED25519 = 0x01;

const encoder = new TextEncoder();

/** A key name per golang.org/x/mod/sumdb/note: non-empty, no white space, no `+`. */
export function isValidKeyName(name: string): boolean {
  // JS `\s` covers Go's unicode.IsSpace except U+0085 (NEL), added explicitly.
  return name.length > 0 && name.isWellFormed() && !/[\s+\u0085]/u.test(name);
}

/** The C2SP key ID: the first 4 bytes of SHA-256(name || 0x0A || type || public key), big-endian. */
export function noteKeyId(name: string, typedPublicKey: Uint8Array): number {
  const n = encoder.encode(name);
  const buf = new Uint8Array(n.length + 1 + typedPublicKey.length);
  buf.set(n, 0);
  buf[n.length] = 0x0a;
  buf.set(typedPublicKey, n.length + 1);
  const h = sha256(buf);
  return ((h[0]! << 24) | (h[1]! << 16) | (h[2]! << 8) | h[3]!) >>> 0;
}

function hex8(id: number): string {
  return id.toString(16).padStart(8, '0');
}

/** Splits at the first `+` only (base64 keys themselves contain `+`). */
function chop(s: string): [string, string] | undefined {
  const i = s.indexOf('+');
  return i < 0 ? undefined : [s.slice(0, i), s.slice(i + 1)];
}

function parseKeyId(hex: string, what: string): number {
  if (!/^[0-9a-fA-F]{8}$/.test(hex)) throw keyError(`${what} key ID must be 8 hex digits`);
  return Number.parseInt(hex, 16);
}

export function keyError(message: string): TlogError {
  return new TlogError('TLOG_KEY_MALFORMED', `${message}; expected Go note key format`);
}

/**
 * A new Ed25519 note key in Go's formats: skey "PRIVATE+KEY+<name>+<hex id>+<b64(0x01||seed)>",
 * vkey "<name>+<hex id>+<b64(0x01||pub)>". `seed` (32 bytes) makes it deterministic for tests.
 */
export function generateNoteKey(name: string, seed?: Uint8Array): { skey: string; vkey: string } {
  if (!isValidKeyName(name)) {
    throw keyError(`key name ${JSON.stringify(name)} is empty or contains white space or "+"`);
  }
  const secret = seed ?? randomBytes(32);
  if (secret.length !== 32) throw keyError('an Ed25519 seed must be 32 bytes');
  const pub = withAlg(ed25519.getPublicKey(secret));
  const id = hex8(noteKeyId(name, pub));
  return {
    skey: `PRIVATE+KEY+${name}+${id}+${encodeBase64(withAlg(secret))}`,
    vkey: `${name}+${id}+${encodeBase64(pub)}`,
  };
}

function withAlg(key: Uint8Array): Uint8Array {
  const out = new Uint8Array(key.length + 1);
  out[0] = ALG_ED25519;
  out.set(key, 1);
  return out;
}

/**
 * Splits a vkey `<name>+<hex id>+<base64(type || key)>` and checks its name and that the key ID
 * is SHA-256(name || 0x0A || type || key)[:4]. The caller checks the type byte and key length.
 */
export function splitVkey(vkey: string): { name: string; keyId: number; key: Uint8Array } {
  const a = chop(vkey);
  const b = a && chop(a[1]);
  if (!a || !b) throw keyError('verifier key must look like <name>+<hex id>+<base64 key>');
  const name = a[0];
  const [idHex, keyB64] = b;
  if (!isValidKeyName(name)) throw keyError(`verifier key name ${JSON.stringify(name)} is invalid`);
  const keyId = parseKeyId(idHex, 'verifier');
  const key = decodeBase64(keyB64);
  if (!key || key.length === 0) throw keyError('verifier key is not valid base64');
  if (noteKeyId(name, key) !== keyId) {
    throw keyError(`verifier key ID ${idHex} does not match the name and key`);
  }
  return { name, keyId, key };
}

/**
 * Splits a skey `PRIVATE+KEY+<name>+<hex id>+<base64(type || secret)>`; checks the prefix, the
 * name and the key ID's syntax (the caller derives the public key and checks the ID against it).
 */
export function splitSkey(skey: string): { name: string; keyId: number; key: Uint8Array } {
  const parts: string[] = [];
  let rest = skey;
  for (let i = 0; i < 4; i++) {
    const c = chop(rest);
    if (!c) throw keyError('signer key must look like PRIVATE+KEY+<name>+<hex id>+<base64 key>');
    parts.push(c[0]);
    rest = c[1];
  }
  const [p1, p2, name, idHex] = parts as [string, string, string, string];
  if (p1 !== 'PRIVATE' || p2 !== 'KEY') throw keyError('signer key must start with PRIVATE+KEY+');
  if (!isValidKeyName(name)) throw keyError(`signer key name ${JSON.stringify(name)} is invalid`);
  const keyId = parseKeyId(idHex, 'signer');
  const key = decodeBase64(rest);
  if (!key || key.length === 0) throw keyError('signer key is not valid base64');
  return { name, keyId, key };
}

/** Parses a Go vkey and checks its key ID against its name and key. */
export function noteVerifierFromVkey(vkey: string): NoteVerifier {
  const { name, keyId, key } = splitVkey(vkey);
  if (key[0] !== ALG_ED25519 || key.length !== 33) {
    throw keyError('verifier key is not an Ed25519 key (type 0x01 + 32 bytes)');
  }
  const pub = key.slice(1);
  return {
    name,
    keyId,
    verify(msg: Uint8Array, sig: Uint8Array): boolean {
      if (sig.length !== 64) return false;
      try {
        // zip215: false = RFC 8032 strict verification (canonical encodings only), like Go.
        return ed25519.verify(sig, msg, pub, { zip215: false });
      } catch {
        return false;
      }
    },
  };
}

/** Parses a Go skey; checks that its key ID matches the derived public key. */
export function noteSignerFromSkey(skey: string): NoteSigner {
  const { name, keyId, key } = splitSkey(skey);
  if (key[0] !== ALG_ED25519 || key.length !== 33) {
    throw keyError('signer key is not an Ed25519 key (type 0x01 + 32-byte seed)');
  }
  const seed = key.slice(1);
  const pub = withAlg(ed25519.getPublicKey(seed));
  if (noteKeyId(name, pub) !== keyId) {
    throw keyError(`signer key ID ${hex8(keyId)} does not match the name and derived public key`);
  }
  return {
    name,
    keyId,
    sign: (msg: Uint8Array) => ed25519.sign(msg, seed),
  };
}
