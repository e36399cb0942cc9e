/**
 * The ledger's Ed25519 checkpoint key (C2SP signed-note form). Generated on first open into
 * `<dir>/ledger.key` (mode 0600, the private skey) and `<dir>/ledger.vkey` (the public vkey that
 * clients pin). The key never leaves the directory; backups carry it (see backup.ts).
 */
import { createPrivateKey, createPublicKey, sign, verify } from 'node:crypto';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  generateNoteKey,
  isValidKeyName,
  noteKeyId,
  noteSignerFromSkey,
  noteVerifierFromVkey,
  type NoteSigner,
  type NoteVerifier,
} from '@notarize/tlog';
import { LedgerError } from './errors.ts';

export const KEY_FILE = 'ledger.key';
export const VKEY_FILE = 'ledger.vkey';

export interface LedgerKey {
  skey?: string;
  vkey: string;
  signer?: NoteSigner;
  verifier: NoteVerifier;
}

async function readIfExists(file: string): Promise<string | undefined> {
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new LedgerError(
      'KEY_INVALID',
      'unavailable',
      `cannot read ${file}: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
}

/** PKCS#8 DER prefix of an Ed25519 private key; the 32-byte seed follows. */
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/**
 * A note signer that signs through node:crypto (OpenSSL): ~0.05 ms per checkpoint instead of
 * ~1.5 ms with @noble/curves, which matters because every commit signs one. Ed25519 is
 * deterministic, so the signatures are the same bytes (a test checks it).
 */
export function fastNoteSigner(skey: string): NoteSigner {
  // "PRIVATE+KEY+<name>+<hex id>+<base64(0x01 || seed)>"; names hold no '+', base64 may.
  const parts = skey.split('+');
  const name = parts[2] ?? '';
  const typed = Buffer.from(parts.slice(4).join('+'), 'base64');
  if (parts[0] !== 'PRIVATE' || parts[1] !== 'KEY' || typed.length !== 33 || typed[0] !== 0x01) {
    return noteSignerFromSkey(skey); // not Ed25519 as we know it: let tlog judge (and throw)
  }
  const key = createPrivateKey({
    key: Buffer.concat([ED25519_PKCS8_PREFIX, typed.subarray(1)]),
    format: 'der',
    type: 'pkcs8',
  });
  // The key id is derived from the public key; check the one written in the skey against it.
  const spki = createPublicKey(key).export({ format: 'der', type: 'spki' });
  const publicKey = new Uint8Array([0x01, ...spki.subarray(spki.length - 32)]);
  const keyId = noteKeyId(name, publicKey);
  if (!isValidKeyName(name) || parts[3] !== keyId.toString(16).padStart(8, '0')) {
    throw new Error("the skey's name or key id does not match its key");
  }
  return { name, keyId, sign: (msg) => new Uint8Array(sign(null, msg, key)) };
}

/** SPKI DER prefix of an Ed25519 public key; the 32-byte key follows. */
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** A note verifier through node:crypto (no @noble/curves warm-up on open; same results). */
export function fastNoteVerifier(vkey: string): NoteVerifier {
  const reference = noteVerifierFromVkey(vkey);
  // "<name>+<hex id>+<base64(0x01 || public key)>"
  const typed = Buffer.from(vkey.split('+').slice(2).join('+'), 'base64');
  if (typed.length !== 33 || typed[0] !== 0x01) return reference;
  const key = createPublicKey({
    key: Buffer.concat([ED25519_SPKI_PREFIX, typed.subarray(1)]),
    format: 'der',
    type: 'spki',
  });
  return {
    name: reference.name,
    keyId: reference.keyId,
    verify: (msg, sig) => sig.length === 64 && verify(null, msg, key, sig),
  };
}

function parseKeys(dir: string, skey: string | undefined, vkey: string): LedgerKey {
  try {
    const verifier = fastNoteVerifier(vkey);
    if (skey === undefined) return { vkey, verifier };
    const signer = fastNoteSigner(skey);
    if (signer.name !== verifier.name || signer.keyId !== verifier.keyId) {
      throw new Error(`${KEY_FILE} and ${VKEY_FILE} are not the same key`);
    }
    return { skey, vkey, signer, verifier };
  } catch (error) {
    throw new LedgerError(
      'KEY_INVALID',
      'input',
      `the ledger key in ${dir} is unusable: ${(error as Error).message}`,
      { cause: error },
    );
  }
}

/** Loads the key of a ledger directory; with `create`, generates one named `origin` if absent. */
export async function loadLedgerKey(
  dir: string,
  origin: string,
  options: { create: boolean },
): Promise<LedgerKey> {
  const keyFile = path.join(dir, KEY_FILE);
  const vkeyFile = path.join(dir, VKEY_FILE);
  let skey = await readIfExists(keyFile);
  let vkey = await readIfExists(vkeyFile);
  if (skey === undefined && vkey === undefined && options.create) {
    const generated = generateNoteKey(origin);
    skey = generated.skey;
    vkey = generated.vkey;
    // 'wx': never overwrite a key another process just created.
    await writeFile(keyFile, `${skey}\n`, { mode: 0o600, flag: 'wx' });
    await chmod(keyFile, 0o600);
    await writeFile(vkeyFile, `${vkey}\n`, { mode: 0o644, flag: 'wx' });
  }
  if (vkey === undefined) {
    throw new LedgerError(
      'KEY_INVALID',
      'input',
      `${vkeyFile} is missing; restore it from a backup (the checkpoints cannot be checked without it)`,
    );
  }
  const key = parseKeys(dir, skey, vkey);
  if (key.verifier.name !== origin) {
    throw new LedgerError(
      'KEY_INVALID',
      'input',
      `the ledger key in ${dir} is named "${key.verifier.name}" but the log's origin is "${origin}"`,
    );
  }
  return key;
}
