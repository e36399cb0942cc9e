/**
 * Signing keys of asserting parties: Ed25519 or ECDSA P-256, from PEM (PKCS#8 private, SPKI public)
 * or JWK, through WebCrypto only. A key's id is the lowercase hex SHA-256 of its SPKI DER, so anyone
 * holding the public key computes the same id.
 */
import { sha256, toHex } from '../digest.ts';
import { TrustError } from '../errors.ts';
import { fromBase64, toBase64 } from './base64.ts';
import { keyAlgorithmOf } from './der.ts';

export type SigningAlgorithm = 'ed25519' | 'ecdsa-p256';
export const SIGNING_ALGORITHMS: readonly SigningAlgorithm[] = ['ed25519', 'ecdsa-p256'];

export interface PublicKey {
  keyid: string;
  algorithm: SigningAlgorithm;
  cryptoKey: CryptoKey;
  /** SPKI PEM, e.g. to print or store. */
  pem: string;
}

export interface SigningKey {
  keyid: string;
  algorithm: SigningAlgorithm;
  cryptoKey: CryptoKey;
  publicKey: PublicKey;
}

/** What `notarize keygen` writes: both halves in both encodings, and the key id. */
export interface GeneratedKeyPair {
  algorithm: SigningAlgorithm;
  keyid: string;
  privateKeyPem: string;
  publicKeyPem: string;
  privateJwk: JsonWebKey & { kid: string };
  publicJwk: JsonWebKey & { kid: string };
}

const subtle = () => globalThis.crypto.subtle;

function importParams(algorithm: SigningAlgorithm): EcKeyImportParams | Algorithm {
  return algorithm === 'ed25519' ? { name: 'Ed25519' } : { name: 'ECDSA', namedCurve: 'P-256' };
}

/** Accepts ed25519, ecdsa-p256 and the common spellings p256, p-256, es256 (case-insensitive). */
export function parseSigningAlgorithm(text: string): SigningAlgorithm {
  const name = text.trim().toLowerCase();
  if (name === 'ed25519') return 'ed25519';
  if (['ecdsa-p256', 'p256', 'p-256', 'es256', 'ecdsa'].includes(name)) return 'ecdsa-p256';
  throw new TrustError(
    'KEY_UNSUPPORTED',
    'input',
    `"${text}" is not a supported signing algorithm; use ed25519 or ecdsa-p256`,
  );
}

export function toPem(label: 'PUBLIC KEY' | 'PRIVATE KEY', der: Uint8Array): string {
  const lines = toBase64(der).match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

interface PemBlock {
  label: string;
  der: Uint8Array<ArrayBuffer>;
}

function parsePem(text: string): PemBlock {
  const match = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/.exec(text);
  if (!match?.[1] || match[2] === undefined) {
    throw new TrustError(
      'KEY_INVALID',
      'input',
      'not a PEM key (no BEGIN/END lines) and not a JWK',
    );
  }
  const body = match[2].replace(/\s+/g, '');
  try {
    return { label: match[1], der: fromBase64(body, 'PEM body') };
  } catch (cause) {
    throw new TrustError('KEY_INVALID', 'input', 'the PEM body is not valid base64', { cause });
  }
}

/** Only the members WebCrypto needs; `key_ops`/`alg` from other tools would make import fail. */
function cleanJwk(jwk: JsonWebKey, withPrivate: boolean): JsonWebKey {
  const out: JsonWebKey = { kty: jwk.kty, crv: jwk.crv, x: jwk.x };
  if (jwk.y !== undefined) out.y = jwk.y;
  if (withPrivate && jwk.d !== undefined) out.d = jwk.d;
  return out;
}

function jwkAlgorithm(jwk: JsonWebKey): SigningAlgorithm {
  if (jwk.kty === 'OKP' && jwk.crv === 'Ed25519' && typeof jwk.x === 'string') return 'ed25519';
  if (
    jwk.kty === 'EC' &&
    jwk.crv === 'P-256' &&
    typeof jwk.x === 'string' &&
    typeof jwk.y === 'string'
  ) {
    return 'ecdsa-p256';
  }
  throw new TrustError(
    'KEY_UNSUPPORTED',
    'input',
    'the JWK is not an Ed25519 (kty OKP, crv Ed25519) or P-256 (kty EC, crv P-256) key',
  );
}

function asJwk(material: string | JsonWebKey): JsonWebKey | undefined {
  if (typeof material !== 'string') return material;
  const text = material.trim();
  if (!text.startsWith('{')) return undefined;
  try {
    return JSON.parse(text) as JsonWebKey;
  } catch (cause) {
    throw new TrustError('KEY_INVALID', 'input', 'the key looks like JSON but does not parse', {
      cause,
    });
  }
}

/** Lowercase hex SHA-256 of the SPKI DER. */
export async function keyIdOf(spki: Uint8Array): Promise<string> {
  return toHex(await sha256(spki));
}

async function publicFromJwk(jwk: JsonWebKey): Promise<PublicKey> {
  const algorithm = jwkAlgorithm(jwk);
  const cryptoKey = await subtle().importKey(
    'jwk',
    cleanJwk(jwk, false),
    importParams(algorithm),
    true,
    ['verify'],
  );
  const spki = new Uint8Array(await subtle().exportKey('spki', cryptoKey));
  return { keyid: await keyIdOf(spki), algorithm, cryptoKey, pem: toPem('PUBLIC KEY', spki) };
}

async function privateFromJwk(jwk: JsonWebKey): Promise<SigningKey> {
  const algorithm = jwkAlgorithm(jwk);
  if (typeof jwk.d !== 'string') {
    throw new TrustError(
      'KEY_INVALID',
      'input',
      'this JWK is a public key; signing needs the private key',
    );
  }
  const cryptoKey = await subtle().importKey(
    'jwk',
    cleanJwk(jwk, true),
    importParams(algorithm),
    false,
    ['sign'],
  );
  const publicKey = await publicFromJwk(jwk);
  return { keyid: publicKey.keyid, algorithm, cryptoKey, publicKey };
}

function unsupportedPem(label: string): TrustError {
  const hint =
    label === 'EC PRIVATE KEY'
      ? '; convert it with `openssl pkcs8 -topk8 -nocrypt -in key.pem`'
      : label === 'ENCRYPTED PRIVATE KEY'
        ? '; decrypt it first (`openssl pkcs8 -in key.pem`)'
        : '';
  return new TrustError(
    'KEY_UNSUPPORTED',
    'input',
    `a "${label}" PEM is not supported: use PKCS#8 "PRIVATE KEY" or SPKI "PUBLIC KEY"${hint}`,
  );
}

async function importWrapped<T>(what: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (cause) {
    if (cause instanceof TrustError) throw cause;
    throw new TrustError(
      'KEY_INVALID',
      'input',
      `the ${what} could not be imported: ${String(cause)}`,
      {
        cause,
      },
    );
  }
}

/** A private key (PKCS#8 PEM or JWK with `d`) for signing statements. */
export async function importSigningKey(material: string | JsonWebKey): Promise<SigningKey> {
  return importWrapped('private key', async () => {
    const jwk = asJwk(material);
    if (jwk) return privateFromJwk(jwk);
    const pem = parsePem(material as string);
    if (pem.label === 'PUBLIC KEY') {
      throw new TrustError(
        'KEY_INVALID',
        'input',
        'this PEM is a public key; signing needs the private key',
      );
    }
    if (pem.label !== 'PRIVATE KEY') throw unsupportedPem(pem.label);
    const algorithm = keyAlgorithmOf(pem.der, 'pkcs8');
    // Extractable only long enough to read the public half: WebCrypto has no "public from private".
    const extractable = await subtle().importKey('pkcs8', pem.der, importParams(algorithm), true, [
      'sign',
    ]);
    const jwkPrivate = await subtle().exportKey('jwk', extractable);
    return privateFromJwk(jwkPrivate);
  });
}

/**
 * A public key (SPKI PEM or JWK) for verifying signatures. Given a private key, its public half is
 * used, so one key file can serve both commands.
 */
export async function importPublicKey(material: string | JsonWebKey): Promise<PublicKey> {
  return importWrapped('public key', async () => {
    const jwk = asJwk(material);
    if (jwk) return publicFromJwk(jwk);
    const pem = parsePem(material as string);
    if (pem.label === 'PRIVATE KEY') return (await importSigningKey(material)).publicKey;
    if (pem.label !== 'PUBLIC KEY') throw unsupportedPem(pem.label);
    const algorithm = keyAlgorithmOf(pem.der, 'spki');
    const cryptoKey = await subtle().importKey('spki', pem.der, importParams(algorithm), true, [
      'verify',
    ]);
    return {
      keyid: await keyIdOf(pem.der),
      algorithm,
      cryptoKey,
      pem: toPem('PUBLIC KEY', pem.der),
    };
  });
}

/** A fresh key pair for `notarize keygen`. The JWKs carry the key id as `kid`. */
export async function generateSigningKey(
  algorithm: SigningAlgorithm = 'ed25519',
): Promise<GeneratedKeyPair> {
  const pair = (await subtle().generateKey(importParams(algorithm), true, [
    'sign',
    'verify',
  ])) as CryptoKeyPair;
  const spki = new Uint8Array(await subtle().exportKey('spki', pair.publicKey));
  const pkcs8 = new Uint8Array(await subtle().exportKey('pkcs8', pair.privateKey));
  const keyid = await keyIdOf(spki);
  const privateJwk = cleanJwk(await subtle().exportKey('jwk', pair.privateKey), true);
  const publicJwk = cleanJwk(privateJwk, false);
  return {
    algorithm,
    keyid,
    privateKeyPem: toPem('PRIVATE KEY', pkcs8),
    publicKeyPem: toPem('PUBLIC KEY', spki),
    privateJwk: { ...privateJwk, kid: keyid },
    publicJwk: { ...publicJwk, kid: keyid },
  };
}
