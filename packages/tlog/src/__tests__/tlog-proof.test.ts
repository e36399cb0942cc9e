// C2SP tlog-proof receipts: format, parse, offline verification.
import { signCheckpoint } from '../checkpoint.ts';
import { CompactRange } from '../compact-range.ts';
import { leafHash, type Hash } from '../hash.ts';
import { generateNoteKey, noteSignerFromSkey, noteVerifierFromVkey } from '../note-keys.ts';
import { planInclusionProof } from '../proof-plan.ts';
import { formatTlogProof, parseTlogProof, verifyTlogProof } from '../tlog-proof.ts';
import { codeOf, NodeStore, toHex } from './helpers.ts';

const ORIGIN = 'example.com/fancylog';
const key = generateNoteKey(ORIGIN, new Uint8Array(32).fill(9));
const verifier = noteVerifierFromVkey(key.vkey);
const store = new NodeStore();
const range = CompactRange.empty();
const leaves: Hash[] = [];
for (let i = 0; i < 13; i++) {
  leaves.push(leafHash(new Uint8Array([i])));
  range.append(leaves[i]!, store.put);
}
const checkpoint = signCheckpoint(
  { origin: ORIGIN, size: 13, root: range.root(), extensions: [] },
  noteSignerFromSkey(key.skey),
);
const receipt = (index: number, extra?: Uint8Array) =>
  formatTlogProof({
    index,
    proof: store.run(planInclusionProof(index, 13)),
    checkpoint,
    ...(extra ? { extra } : {}),
  });

describe('tlog-proof', () => {
  it('has the C2SP layout', () => {
    const text = receipt(5, new Uint8Array([1, 2, 3]));
    const lines = text.split('\n');
    expect(lines[0]).toBe('c2sp.org/tlog-proof@v1');
    expect(lines[1]).toBe('extra AQID');
    expect(lines[2]).toBe('index 5');
    expect(lines.slice(3, 7).every((l) => /^[A-Za-z0-9+/]{43}=$/.test(l))).toBe(true);
    expect(lines[7]).toBe('');
    expect(text.endsWith(checkpoint)).toBe(true);
  });

  it('round-trips and verifies offline for every leaf', () => {
    for (let i = 0; i < 13; i++) {
      const text = receipt(i);
      const parsed = parseTlogProof(text);
      expect(parsed.index).toBe(i);
      expect(parsed.checkpoint).toBe(checkpoint);
      expect(formatTlogProof(parsed)).toBe(text);
      const v = verifyTlogProof(text, leaves[i]!, [verifier], ORIGIN);
      expect(v.checkpoint.size).toBe(13);
      expect(toHex(v.checkpoint.root)).toBe(toHex(range.root()));
    }
    expect(
      verifyTlogProof(receipt(2, new Uint8Array([7])), leaves[2]!, [verifier], ORIGIN).extra,
    ).toEqual(new Uint8Array([7]));
  });

  it('rejects wrong leaves, indexes, logs and keys', () => {
    expect(codeOf(() => verifyTlogProof(receipt(3), leaves[4]!, [verifier], ORIGIN))).toBe(
      'TLOG_ROOT_MISMATCH',
    );
    const moved = receipt(3).replace('index 3\n', 'index 2\n');
    expect(codeOf(() => verifyTlogProof(moved, leaves[3]!, [verifier], ORIGIN))).toBe(
      'TLOG_ROOT_MISMATCH',
    );
    const far = receipt(3).replace('index 3\n', 'index 12\n');
    expect(codeOf(() => verifyTlogProof(far, leaves[3]!, [verifier], ORIGIN))).toBe(
      'TLOG_PROOF_LENGTH',
    );
    expect(codeOf(() => verifyTlogProof(receipt(3), leaves[3]!, [verifier], 'other.log'))).toBe(
      'TLOG_ORIGIN_MISMATCH',
    );
    const stranger = noteVerifierFromVkey(generateNoteKey(ORIGIN).vkey);
    expect(codeOf(() => verifyTlogProof(receipt(3), leaves[3]!, [stranger], ORIGIN))).toBe(
      'TLOG_NOTE_UNVERIFIED',
    );
  });

  it.each([
    ['wrong header', (t: string) => t.replace('tlog-proof@v1', 'tlog-proof@v2')],
    ['index with leading zero', (t: string) => t.replace('index 3', 'index 03')],
    ['missing index', (t: string) => t.replace('index 3\n', '')],
    ['bad hash line', (t: string) => t.replace(/\n[A-Za-z0-9+/]{43}=\n/, '\nnot-base64\n')],
    ['no blank line', (t: string) => t.replace('\n\n', '\n')],
    ['bad extra', (t: string) => t.replace('index 3', 'extra !!\nindex 3')],
    ['no checkpoint', (t: string) => t.slice(0, t.indexOf('\n\n') + 2)],
  ])('rejects %s', (_what, mangle) => {
    const text = mangle(receipt(3));
    expect(codeOf(() => parseTlogProof(text))).toBe('TLOG_RECEIPT_MALFORMED');
  });
});
