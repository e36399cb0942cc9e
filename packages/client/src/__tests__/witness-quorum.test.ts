// The client's quorum rule on a checkpoint's cosignatures: unknown keys ignored, a witness
// counts once, cosignatures dated in the future or older than the limit do not count, and a
// short quorum names every missing witness.
import {
  cosignerFromSkey,
  generateCosignerKey,
  generateNoteKey,
  noteSignerFromSkey,
  signCheckpoint,
} from '@notarize/tlog';
import { LedgerClientError } from '../errors.ts';
import { checkWitnessQuorum, witnessPolicy } from '../witness-quorum.ts';

const NOW = 1_800_000_000_000;
const log = generateNoteKey('log.test');
const note = signCheckpoint(
  { origin: 'log.test', size: 3, root: new Uint8Array(32).fill(1), extensions: [] },
  noteSignerFromSkey(log.skey),
);
const body = note.slice(0, note.indexOf('\n\n') + 1);
const keys = ['a.test/w', 'b.test/w', 'c.test/w'].map((n) => generateCosignerKey(n));
const cosign = (i: number, seconds = NOW / 1000) =>
  cosignerFromSkey(keys[i]!.skey).cosign(body, seconds);
const policy = (quorum?: number, maxAgeSeconds?: number) =>
  witnessPolicy(
    {
      vkeys: keys.map((k) => k.vkey),
      ...(quorum ? { quorum } : {}),
      ...(maxAgeSeconds ? { maxAgeSeconds } : {}),
    },
    () => NOW,
  );

function refusal(fn: () => unknown): LedgerClientError {
  try {
    fn();
  } catch (error) {
    if (error instanceof LedgerClientError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('witness quorum', () => {
  it('counts valid cosignatures of configured witnesses, once each, ignoring unknown keys', () => {
    const stranger = cosignerFromSkey(generateCosignerKey('x.test/w').skey).cosign(
      body,
      NOW / 1000,
    );
    expect(checkWitnessQuorum(note + cosign(0) + cosign(1) + stranger, policy(2))).toEqual([
      'a.test/w',
      'b.test/w',
    ]);
    const e = refusal(() => checkWitnessQuorum(note + cosign(0) + stranger, policy(2)));
    expect(e.code).toBe('WITNESS_QUORUM');
    expect(e.category).toBe('verification');
    expect(e.message).toMatch(/b\.test\/w \(no cosignature\), c\.test\/w \(no cosignature\)/);
  });

  it('defaults to all witnesses given', () => {
    expect(() => checkWitnessQuorum(note + cosign(0) + cosign(1), policy())).toThrow(
      /of the 3 required/,
    );
    expect(checkWitnessQuorum(note + cosign(0) + cosign(1) + cosign(2), policy())).toHaveLength(3);
  });

  it('refuses cosignatures dated in the future and, with a limit, old ones', () => {
    const future = refusal(() =>
      checkWitnessQuorum(note + cosign(0, NOW / 1000 + 3600), policy(1)),
    );
    expect(future.message).toMatch(/a\.test\/w \(its cosignature is dated in the future/);
    expect(checkWitnessQuorum(note + cosign(0, NOW / 1000 + 30), policy(1))).toEqual(['a.test/w']);
    const old = refusal(() =>
      checkWitnessQuorum(note + cosign(0, NOW / 1000 - 7200), policy(1, 3600)),
    );
    expect(old.message).toMatch(/7200s old \(limit 3600s\)/);
    expect(checkWitnessQuorum(note + cosign(0, NOW / 1000 - 7200), policy(1))).toEqual([
      'a.test/w',
    ]);
  });

  it('a cosignature over another checkpoint does not count', () => {
    const other = cosignerFromSkey(keys[0]!.skey).cosign(
      body.replace('\n3\n', '\n4\n'),
      NOW / 1000,
    );
    const e = refusal(() => checkWitnessQuorum(note + other, policy(1)));
    expect(e.message).toMatch(/a\.test\/w \(its cosignature does not verify\)/);
  });

  it('bad settings are input errors', () => {
    expect(refusal(() => witnessPolicy({ vkeys: [log.vkey] })).code).toBe('KEY_INVALID');
    expect(refusal(() => witnessPolicy({ vkeys: [keys[0]!.vkey], quorum: 2 })).code).toBe(
      'ARGUMENT_INVALID',
    );
    expect(refusal(() => witnessPolicy({ vkeys: [] })).category).toBe('input');
  });
});
