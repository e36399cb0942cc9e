/**
 * DSSE envelopes (https://github.com/secure-systems-lab/dsse, protocol v1) around in-toto
 * statements: the asserting party's own signature, independent of the ledger's. The payload is the
 * statement's RFC 8785 canonical JSON, so a verifier can check that the envelope signs exactly the
 * statement stored in the entry. ECDSA signatures are ASN.1 DER, as sigstore and in-toto tools use.
 */
import { canonicalBytes } from '../canonical-json.ts';
import type { DsseEnvelope, InTotoStatement, LedgerEntry } from '../entry.ts';
import { TrustError } from '../errors.ts';
import { fromBase64, toBase64 } from './base64.ts';
import { ecdsaDerToRaw, ecdsaRawToDer } from './der.ts';
import type { PublicKey, SigningAlgorithm, SigningKey } from './keys.ts';

export const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';

const encoder = new TextEncoder();

/** DSSE pre-authentication encoding: "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body. */
export function pae(payloadType: string, payload: Uint8Array): Uint8Array<ArrayBuffer> {
  const type = encoder.encode(payloadType);
  const head = encoder.encode(`DSSEv1 ${type.length} ${payloadType} ${payload.length} `);
  const out = new Uint8Array(head.length + payload.length);
  out.set(head, 0);
  out.set(payload, head.length);
  return out;
}

function signParams(algorithm: SigningAlgorithm): Algorithm | EcdsaParams {
  return algorithm === 'ed25519' ? { name: 'Ed25519' } : { name: 'ECDSA', hash: 'SHA-256' };
}

/** Signs any payload; one signature per key, each tagged with its key id. */
export async function signPayload(
  payloadType: string,
  payload: Uint8Array,
  keys: SigningKey | readonly SigningKey[],
): Promise<DsseEnvelope> {
  const list = Array.isArray(keys) ? (keys as readonly SigningKey[]) : [keys as SigningKey];
  if (list.length === 0) throw new TrustError('KEY_INVALID', 'input', 'no signing key given');
  const message = pae(payloadType, payload);
  const signatures = [];
  for (const key of list) {
    const raw = new Uint8Array(
      await globalThis.crypto.subtle.sign(signParams(key.algorithm), key.cryptoKey, message),
    );
    const sig = key.algorithm === 'ecdsa-p256' ? ecdsaRawToDer(raw) : raw;
    signatures.push({ keyid: key.keyid, sig: toBase64(sig) });
  }
  return { payloadType, payload: toBase64(payload), signatures };
}

/** The envelope a party attaches to its assertion: it signs the statement's canonical bytes. */
export async function signStatement(
  statement: InTotoStatement,
  keys: SigningKey | readonly SigningKey[],
): Promise<DsseEnvelope> {
  return signPayload(IN_TOTO_PAYLOAD_TYPE, canonicalBytes(statement), keys);
}

function checkShape(envelope: DsseEnvelope, payloadType: string): void {
  const e = envelope as Partial<DsseEnvelope> | null;
  if (
    !e ||
    typeof e.payload !== 'string' ||
    typeof e.payloadType !== 'string' ||
    !Array.isArray(e.signatures) ||
    e.signatures.length === 0 ||
    !e.signatures.every(
      (s) =>
        s && typeof s.sig === 'string' && (s.keyid === undefined || typeof s.keyid === 'string'),
    )
  ) {
    throw new TrustError(
      'ENVELOPE_INVALID',
      'verification',
      'malformed DSSE envelope: it needs payloadType, payload and at least one signature {keyid?, sig}',
    );
  }
  if (e.payloadType !== payloadType) {
    throw new TrustError(
      'ENVELOPE_INVALID',
      'verification',
      `DSSE envelope has payloadType "${e.payloadType}", expected "${payloadType}"`,
    );
  }
}

async function verifyOne(
  key: PublicKey,
  message: Uint8Array<ArrayBuffer>,
  sig: Uint8Array<ArrayBuffer>,
): Promise<boolean> {
  const signature = key.algorithm === 'ecdsa-p256' ? ecdsaDerToRaw(sig, 32) : sig;
  if (!signature) return false;
  try {
    return await globalThis.crypto.subtle.verify(
      signParams(key.algorithm),
      key.cryptoKey,
      signature,
      message,
    );
  } catch {
    return false;
  }
}

export interface VerifyEnvelopeOptions {
  /** Expected payloadType; default in-toto. */
  payloadType?: string;
  /** Throw SIGNATURE_INVALID unless at least one signature verifies with the given keys. */
  requireSignature?: boolean;
}

/**
 * Verifies an envelope's signatures against trusted public keys and returns the ids of the keys that
 * verified (each once, in key order). A signature whose keyid names one of the keys but does not
 * verify means the envelope was altered: that throws SIGNATURE_INVALID (verification), never a
 * quiet "unsigned". Signatures by keys the caller does not know are ignored, as DSSE says; one
 * without a keyid is tried against every key.
 */
export async function verifyEnvelope(
  envelope: DsseEnvelope,
  publicKeys: readonly PublicKey[],
  options: VerifyEnvelopeOptions = {},
): Promise<string[]> {
  checkShape(envelope, options.payloadType ?? IN_TOTO_PAYLOAD_TYPE);
  const message = pae(envelope.payloadType, fromBase64(envelope.payload, 'DSSE payload'));
  const verified = new Set<string>();
  for (const [i, signature] of envelope.signatures.entries()) {
    const sig = fromBase64(signature.sig, `DSSE signature ${i}`);
    const candidates =
      signature.keyid === undefined || signature.keyid === ''
        ? publicKeys
        : publicKeys.filter((k) => k.keyid === signature.keyid);
    let ok = false;
    for (const key of candidates) {
      if (await verifyOne(key, message, sig)) {
        verified.add(key.keyid);
        ok = true;
        break;
      }
    }
    if (!ok && signature.keyid && candidates.length > 0) {
      throw new TrustError(
        'SIGNATURE_INVALID',
        'verification',
        `DSSE signature ${i} by key ${signature.keyid} does not verify: the envelope or its ` +
          'payload was altered after signing (possible tampering)',
      );
    }
  }
  if (options.requireSignature && verified.size === 0) {
    throw new TrustError(
      'SIGNATURE_INVALID',
      'verification',
      `no DSSE signature verifies with the ${publicKeys.length} trusted key(s) given; ` +
        `the envelope is signed by ${envelope.signatures.map((s) => s.keyid ?? '(no keyid)').join(', ')}`,
    );
  }
  return publicKeys
    .map((k) => k.keyid)
    .filter((id, i, all) => verified.has(id) && all.indexOf(id) === i);
}

/** Throws PAYLOAD_MISMATCH unless the envelope's payload is exactly the statement's canonical bytes. */
export function assertEnvelopeMatchesStatement(
  envelope: DsseEnvelope,
  statement: InTotoStatement,
): void {
  const payload = fromBase64(envelope.payload, 'DSSE payload');
  const expected = canonicalBytes(statement);
  const same = payload.length === expected.length && payload.every((b, i) => b === expected[i]);
  if (!same) {
    throw new TrustError(
      'PAYLOAD_MISMATCH',
      'verification',
      "the DSSE envelope does not sign this entry's statement (payload differs from the statement's canonical JSON)",
    );
  }
}

/**
 * The key ids whose signatures on an entry's envelope verify, after checking that the envelope signs
 * the entry's own statement. An entry without an envelope has none.
 */
export async function verifyEntrySignatures(
  entry: LedgerEntry,
  publicKeys: readonly PublicKey[],
): Promise<string[]> {
  if (!entry.envelope) return [];
  assertEnvelopeMatchesStatement(entry.envelope, entry.statement);
  return verifyEnvelope(entry.envelope, publicKeys);
}
