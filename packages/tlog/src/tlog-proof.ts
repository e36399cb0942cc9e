import { decodeBase64, encodeBase64 } from './base64.ts';
import { openCheckpoint, type Checkpoint } from './checkpoint.ts';
import { TlogError } from './errors.ts';
import { HASH_SIZE, type Hash } from './hash.ts';
import type { NoteVerifier } from './note-keys.ts';
import { verifyInclusion } from './verify.ts';

/** C2SP tlog-proof: an offline-verifiable receipt (index, inclusion proof, signed checkpoint). */
export const TLOG_PROOF_HEADER = 'c2sp.org/tlog-proof@v1';

export interface TlogProof {
  index: number;
  proof: Hash[];
  /** The signed checkpoint note, verbatim. */
  checkpoint: string;
  /** Opaque, unauthenticated application data. */
  extra?: Uint8Array;
}

function malformed(message: string, category: 'input' | 'verification' = 'verification') {
  return new TlogError('TLOG_RECEIPT_MALFORMED', `malformed tlog-proof: ${message}`, { category });
}

export function formatTlogProof(p: TlogProof): string {
  if (!Number.isSafeInteger(p.index) || p.index < 0) {
    throw malformed(`index ${String(p.index)} is not a non-negative safe integer`, 'input');
  }
  const lines = [TLOG_PROOF_HEADER];
  if (p.extra !== undefined) lines.push(`extra ${encodeBase64(p.extra)}`);
  lines.push(`index ${p.index}`);
  for (const h of p.proof) {
    if (h.length !== HASH_SIZE) throw malformed('proof hashes must be 32 bytes', 'input');
    lines.push(encodeBase64(h));
  }
  if (!p.checkpoint.endsWith('\n')) throw malformed('checkpoint must end with a newline', 'input');
  return `${lines.join('\n')}\n\n${p.checkpoint}`;
}

export function parseTlogProof(text: string): TlogProof {
  const blank = text.indexOf('\n\n');
  if (blank < 0) throw malformed('no blank line before the checkpoint');
  const head = text.slice(0, blank).split('\n');
  const checkpoint = text.slice(blank + 2);
  if (head[0] !== TLOG_PROOF_HEADER) throw malformed(`first line must be ${TLOG_PROOF_HEADER}`);
  let i = 1;
  let extra: Uint8Array | undefined;
  if (head[i]?.startsWith('extra ')) {
    extra = decodeBase64(head[i]!.slice('extra '.length));
    if (!extra) throw malformed('extra data is not valid base64');
    i++;
  }
  const m = /^index (0|[1-9][0-9]*)$/.exec(head[i] ?? '');
  if (!m) throw malformed('expected "index <decimal without leading zeros>"');
  const index = Number(m[1]);
  if (!Number.isSafeInteger(index)) throw malformed('index exceeds 2^53 - 1');
  const proof = head.slice(i + 1).map((line, j) => {
    const h = decodeBase64(line);
    if (!h || h.length !== HASH_SIZE) throw malformed(`proof line ${j + 1} is not a base64 hash`);
    return h;
  });
  if (checkpoint.length === 0) throw malformed('checkpoint is missing');
  const out: TlogProof = { index, proof, checkpoint };
  if (extra) out.extra = extra;
  return out;
}

/**
 * Verifies a tlog-proof offline: the checkpoint must be signed by a trusted key and come from
 * `origin`, and the proof must include `leafHash` at the stated index. Returns the checkpoint.
 */
export function verifyTlogProof(
  text: string,
  leafHash: Hash,
  verifiers: readonly NoteVerifier[],
  origin: string,
): { index: number; checkpoint: Checkpoint; extra?: Uint8Array } {
  const p = parseTlogProof(text);
  const { checkpoint } = openCheckpoint(p.checkpoint, verifiers, origin);
  verifyInclusion(leafHash, p.index, checkpoint.size, p.proof, checkpoint.root);
  return p.extra ? { index: p.index, checkpoint, extra: p.extra } : { index: p.index, checkpoint };
}
