import { encodeBase64 } from './base64.ts';
import type { Hash } from './hash.ts';

/**
 * The body of a C2SP tlog-witness `add-checkpoint` request: `old <size>\n`, one base64 line per
 * consistency-proof hash, an empty line, then the signed checkpoint note.
 */
export function formatAddCheckpoint(oldSize: number, proof: readonly Hash[], note: string): string {
  return `old ${oldSize}\n${proof.map((h) => `${encodeBase64(h)}\n`).join('')}\n${note}`;
}
