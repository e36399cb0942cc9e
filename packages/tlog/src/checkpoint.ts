import { decodeBase64, encodeBase64 } from './base64.ts';
import { TlogError } from './errors.ts';
import { HASH_SIZE, type Hash } from './hash.ts';
import type { NoteSigner, NoteVerifier } from './note-keys.ts';
import { openNote, signNote, type OpenedNote } from './note.ts';

/** A C2SP tlog-checkpoint body: origin, tree size, root hash, optional extension lines. */
export interface Checkpoint {
  origin: string;
  size: number;
  root: Hash;
  extensions: string[];
}

function malformed(message: string, category: 'input' | 'verification' = 'verification') {
  return new TlogError('TLOG_CHECKPOINT_MALFORMED', `malformed checkpoint: ${message}`, {
    category,
  });
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f]/;

function checkLine(line: string, what: string, category: 'input' | 'verification'): void {
  if (line.length === 0) throw malformed(`${what} is empty`, category);
  if (!line.isWellFormed() || CONTROL.test(line)) {
    throw malformed(`${what} contains a control character or invalid UTF-8`, category);
  }
}

/** The checkpoint body text `<origin>\n<size>\n<base64 root>\n[extension lines\n]`. */
export function formatCheckpoint(cp: Checkpoint): string {
  checkLine(cp.origin, 'origin', 'input');
  if (!Number.isSafeInteger(cp.size) || cp.size < 0) {
    throw malformed(`size ${String(cp.size)} is not a non-negative safe integer`, 'input');
  }
  if (!(cp.root instanceof Uint8Array) || cp.root.length !== HASH_SIZE) {
    throw malformed(`root must be ${HASH_SIZE} bytes`, 'input');
  }
  cp.extensions.forEach((e, i) => checkLine(e, `extension line ${i + 1}`, 'input'));
  return [cp.origin, String(cp.size), encodeBase64(cp.root), ...cp.extensions, ''].join('\n');
}

/**
 * Parses a checkpoint body. Strict: the text must end with a newline, the size is canonical
 * decimal (no sign, no leading zeros) and a safe integer, the root is canonical base64 of exactly
 * 32 bytes, and no line is empty.
 */
export function parseCheckpoint(text: string): Checkpoint {
  if (!text.endsWith('\n')) throw malformed('text must end with a newline');
  const lines = text.slice(0, -1).split('\n');
  if (lines.length < 3) throw malformed('needs origin, size and root hash lines');
  lines.forEach((l, i) => checkLine(l, `line ${i + 1}`, 'verification'));
  const [origin, sizeText, rootText, ...extensions] = lines as [string, string, string];
  if (!/^(0|[1-9][0-9]*)$/.test(sizeText)) {
    throw malformed(`size ${JSON.stringify(sizeText)} is not a decimal without leading zeros`);
  }
  const size = Number(sizeText);
  if (!Number.isSafeInteger(size)) throw malformed(`size ${sizeText} exceeds 2^53 - 1`);
  const root = decodeBase64(rootText);
  if (!root || root.length !== HASH_SIZE) {
    throw malformed(`root hash must be base64 of ${HASH_SIZE} bytes`);
  }
  return { origin, size, root, extensions };
}

/** Formats and signs a checkpoint, returning the signed note. */
export function signCheckpoint(cp: Checkpoint, ...signers: NoteSigner[]): string {
  return signNote(formatCheckpoint(cp), ...signers);
}

/**
 * Opens a signed checkpoint with the trusted verifiers and, if `origin` is given, checks the
 * origin line (a checkpoint from another log with the same key must not be accepted).
 */
export function openCheckpoint(
  note: string,
  verifiers: readonly NoteVerifier[],
  origin?: string,
): { checkpoint: Checkpoint; note: OpenedNote } {
  const opened = openNote(note, verifiers);
  const checkpoint = parseCheckpoint(opened.text);
  if (origin !== undefined && checkpoint.origin !== origin) {
    throw new TlogError(
      'TLOG_ORIGIN_MISMATCH',
      `checkpoint origin ${JSON.stringify(checkpoint.origin)} is not the expected ${JSON.stringify(origin)}: it comes from another log`,
    );
  }
  return { checkpoint, note: opened };
}
