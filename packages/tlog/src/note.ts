import { decodeBase64, encodeBase64 } from './base64.ts';
import { TlogError } from './errors.ts';
import { isValidKeyName, type NoteSigner, type NoteVerifier } from './note-keys.ts';

/** Notes carry at most this many signature lines (Go's limit; C2SP requires accepting 16). */
export const MAX_NOTE_SIGNATURES = 100;

const SIG_PREFIX = '\u2014 '; // EM DASH + space
const encoder = new TextEncoder();

export interface NoteSignature {
  name: string;
  keyId: number;
  signature: Uint8Array;
}

export interface OpenedNote {
  text: string;
  signatures: { name: string; keyId: number; signature: Uint8Array; verified: boolean }[];
}

function malformed(message: string): TlogError {
  return new TlogError('TLOG_NOTE_MALFORMED', `malformed signed note: ${message}`);
}

/** Valid UTF-8 (well-formed UTF-16 here) without ASCII control characters other than newline. */
function checkNoteChars(s: string, what: string, onError: (m: string) => TlogError): void {
  if (!s.isWellFormed()) throw onError(`${what} is not valid UTF-8`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0009\u000b-\u001f]/.test(s)) {
    throw onError(`${what} contains an ASCII control character other than newline`);
  }
}

/**
 * Signs `text` (which must end with a newline) and returns the signed note: the text, a blank
 * line, then one `— <name> <base64(key ID || signature)>` line per signer.
 */
export function signNote(text: string, ...signers: NoteSigner[]): string {
  const inputError = (m: string) => new TlogError('TLOG_NOTE_MALFORMED', m, { category: 'input' });
  if (!text.endsWith('\n')) throw inputError('note text must end with a newline');
  checkNoteChars(text, 'note text', inputError);
  if (signers.length === 0) throw inputError('a note needs at least one signer');
  const seen = new Set<string>();
  const msg = encoder.encode(text);
  let out = `${text}\n`;
  for (const s of signers) {
    if (!isValidKeyName(s.name))
      throw inputError(`signer name ${JSON.stringify(s.name)} is invalid`);
    const key = `${s.name}\n${s.keyId}`;
    if (seen.has(key)) throw inputError(`signer ${s.name} is given twice`);
    seen.add(key);
    const sig = s.sign(msg);
    const buf = new Uint8Array(4 + sig.length);
    new DataView(buf.buffer).setUint32(0, s.keyId >>> 0, false);
    buf.set(sig, 4);
    out += `${SIG_PREFIX}${s.name} ${encodeBase64(buf)}\n`;
  }
  return out;
}

/**
 * Splits a signed note into its text and signature lines without verifying anything. Rejects
 * malformed notes: bad characters, no blank line before the signatures, a missing final newline,
 * a line without the em-dash prefix, an invalid key name, bad base64, a signature shorter than
 * 1 byte, more than MAX_NOTE_SIGNATURES lines, or two signatures with the same name and key ID
 * (Go silently drops such duplicates; we refuse them since an honest signer never emits them).
 */
export function parseNote(note: string): { text: string; signatures: NoteSignature[] } {
  checkNoteChars(note, 'note', malformed);
  const split = note.lastIndexOf('\n\n');
  if (split < 0) throw malformed('no blank line separates the text from the signatures');
  const text = note.slice(0, split + 1);
  const block = note.slice(split + 2);
  if (block.length === 0 || !block.endsWith('\n')) {
    throw malformed('the signature block must be non-empty and end with a newline');
  }
  const lines = block.slice(0, -1).split('\n');
  if (lines.length > MAX_NOTE_SIGNATURES) {
    throw malformed(`more than ${MAX_NOTE_SIGNATURES} signatures`);
  }
  const seen = new Set<string>();
  const signatures: NoteSignature[] = [];
  for (const line of lines) {
    if (!line.startsWith(SIG_PREFIX)) {
      throw malformed(`signature line ${JSON.stringify(line)} does not start with "— "`);
    }
    const rest = line.slice(SIG_PREFIX.length);
    const space = rest.indexOf(' ');
    const name = space < 0 ? rest : rest.slice(0, space);
    const b64 = space < 0 ? '' : rest.slice(space + 1);
    if (!isValidKeyName(name)) throw malformed(`invalid key name ${JSON.stringify(name)}`);
    const raw = decodeBase64(b64);
    if (b64 === '' || !raw) throw malformed(`signature by ${name} is not valid base64`);
    if (raw.length < 5) throw malformed(`signature by ${name} is too short`);
    const keyId = new DataView(raw.buffer, raw.byteOffset).getUint32(0, false);
    const dup = `${name}\n${keyId}`;
    if (seen.has(dup)) throw malformed(`two signatures by ${name} with the same key ID`);
    seen.add(dup);
    signatures.push({ name, keyId, signature: raw.slice(4) });
  }
  return { text, signatures };
}

/**
 * Opens a signed note: verifies every signature by a known key (same name and key ID), ignores
 * the others, throws TLOG_NOTE_BAD_SIGNATURE if a known key's signature fails and
 * TLOG_NOTE_UNVERIFIED unless at least one known key verified.
 */
export function openNote(note: string, verifiers: readonly NoteVerifier[]): OpenedNote {
  const { text, signatures } = parseNote(note);
  const msg = encoder.encode(text);
  const opened: OpenedNote = { text, signatures: [] };
  let verifiedCount = 0;
  for (const sig of signatures) {
    const matches = verifiers.filter((v) => v.name === sig.name && v.keyId === sig.keyId);
    if (matches.length > 1) {
      throw new TlogError(
        'TLOG_KEY_MALFORMED',
        `two trusted keys share the name ${sig.name} and key ID ${hex(sig.keyId)}; remove one`,
      );
    }
    const v = matches[0];
    let verified = false;
    if (v) {
      if (!v.verify(msg, sig.signature)) {
        throw new TlogError(
          'TLOG_NOTE_BAD_SIGNATURE',
          `signature by trusted key ${sig.name}+${hex(sig.keyId)} does not verify: the note was altered or forged`,
        );
      }
      verified = true;
      verifiedCount++;
    }
    opened.signatures.push({ ...sig, verified });
  }
  if (verifiedCount === 0) {
    const names = signatures.map((s) => `${s.name}+${hex(s.keyId)}`).join(', ');
    throw new TlogError(
      'TLOG_NOTE_UNVERIFIED',
      `note has no signature by a trusted key (signed by: ${names}); configure the log's verifier key`,
    );
  }
  return opened;
}

function hex(id: number): string {
  return id.toString(16).padStart(8, '0');
}
