/**
 * The C2SP tlog-witness `add-checkpoint` request body: `old <size>\n`, at most 63 base64
 * consistency-proof lines, an empty line, then the signed checkpoint note. Parsed strictly: a
 * body that deviates is BODY_MALFORMED (400).
 */
import { decodeBase64, HASH_SIZE, type Hash } from '@notarize/tlog';
import { WitnessError } from './errors.ts';

export const MAX_PROOF_LINES = 63;

export interface AddCheckpointRequest {
  oldSize: number;
  proof: Hash[];
  /** The signed checkpoint note, as submitted. */
  note: string;
}

const malformed = (why: string) =>
  new WitnessError('BODY_MALFORMED', `malformed add-checkpoint body: ${why}`);

export function parseAddCheckpoint(body: string): AddCheckpointRequest {
  const first = body.indexOf('\n');
  if (first < 0) throw malformed('no "old <size>" line');
  const oldLine = body.slice(0, first);
  const m = /^old (0|[1-9][0-9]*)$/.exec(oldLine);
  if (!m) throw malformed(`first line ${JSON.stringify(oldLine.slice(0, 40))} is not "old <size>"`);
  const oldSize = Number(m[1]);
  if (!Number.isSafeInteger(oldSize)) throw malformed('old size exceeds 2^53 - 1');
  const proof: Hash[] = [];
  let pos = first + 1;
  for (;;) {
    const end = body.indexOf('\n', pos);
    if (end < 0) throw malformed('no empty line before the checkpoint');
    const line = body.slice(pos, end);
    pos = end + 1;
    if (line === '') break;
    if (proof.length === MAX_PROOF_LINES) {
      throw malformed(`more than ${MAX_PROOF_LINES} consistency proof lines`);
    }
    const hash = decodeBase64(line);
    if (!hash || hash.length !== HASH_SIZE) {
      throw malformed(`proof line ${proof.length + 1} is not the base64 of a 32-byte hash`);
    }
    proof.push(hash);
  }
  const note = body.slice(pos);
  if (note.length === 0) throw malformed('no checkpoint after the empty line');
  return { oldSize, proof, note };
}

export { formatAddCheckpoint } from '@notarize/tlog';
