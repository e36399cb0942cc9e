// ML-DSA-44 cosignatures (C2SP tlog-cosignature): the binary `cosigned_message` is built here by
// hand from the spec and checked with @noble/post-quantum directly, in both directions, so our
// message layout, key ID and line format are pinned independently of the code under test.
import { createHash } from 'node:crypto';
import { ml_dsa44 } from '@noble/post-quantum/ml-dsa.js';
import {
  cosignatureVerifierFromVkey,
  cosignerFromSkey,
  generateCosignerKey,
  verifyCosignatures,
} from '../cosignature.ts';
import { generateNoteKey, noteSignerFromSkey } from '../note-keys.ts';
import { signNote } from '../note.ts';

const ORIGIN = 'example.com/behind-the-sofa';
const ROOT = Buffer.from('CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=', 'base64');
const BODY = `${ORIGIN}\n20852163\n${ROOT.toString('base64')}\n`;
const NAME = 'witness.example/pq';
const seed = new Uint8Array(32).fill(5);

/** The spec's struct, field by field. */
function specMessage(name: string, timestamp: number, origin: string, size: number): Buffer {
  const u64 = (n: number) => {
    const b = Buffer.alloc(8);
    b.writeBigUInt64BE(BigInt(n));
    return b;
  };
  return Buffer.concat([
    Buffer.from('subtree/v1\n\0', 'latin1'),
    Buffer.from([Buffer.byteLength(name)]),
    Buffer.from(name),
    u64(timestamp),
    Buffer.from([Buffer.byteLength(origin)]),
    Buffer.from(origin),
    u64(0),
    u64(size),
    ROOT,
  ]);
}

const vkeyMaterial = (vkey: string) => Buffer.from(vkey.split('+').slice(2).join('+'), 'base64');

describe('ML-DSA-44 cosignatures', () => {
  const { skey, vkey } = generateCosignerKey(NAME, seed, 'ml-dsa-44');
  const pub = vkeyMaterial(vkey);

  it('vkey: type 0x06, the 1312-byte key, key ID SHA-256(name || 0x0A || 0x06 || key)[:4]', () => {
    expect(pub[0]).toBe(0x06);
    expect(pub.length).toBe(1 + 1312);
    const id = createHash('sha256')
      .update(Buffer.concat([Buffer.from(`${NAME}\n`), pub]))
      .digest();
    expect(vkey.split('+')[1]).toBe(id.subarray(0, 4).toString('hex'));
    expect(Buffer.from(ml_dsa44.keygen(seed).publicKey)).toEqual(pub.subarray(1));
  });

  it('our line is key ID || timestamp || a signature noble verifies over the spec message', () => {
    const line = cosignerFromSkey(skey).cosign(BODY, 1679315147);
    const raw = Buffer.from(line.trim().split(' ')[2]!, 'base64');
    expect(raw.length).toBe(4 + 8 + 2420);
    expect(raw.subarray(0, 4).toString('hex')).toBe(vkey.split('+')[1]);
    expect(raw.readBigUInt64BE(4)).toBe(1679315147n);
    const msg = specMessage(NAME, 1679315147, ORIGIN, 20852163);
    expect(ml_dsa44.verify(raw.subarray(12), msg, pub.subarray(1))).toBe(true);
    expect(
      ml_dsa44.verify(
        raw.subarray(12),
        specMessage(NAME, 1679315148, ORIGIN, 20852163),
        pub.subarray(1),
      ),
    ).toBe(false);
  });

  it('verifies a cosignature made by hand with noble, and refuses it altered', () => {
    const { secretKey } = ml_dsa44.keygen(seed);
    const sig = ml_dsa44.sign(specMessage(NAME, 1700000000, ORIGIN, 20852163), secretKey);
    const ts = Buffer.alloc(8);
    ts.writeBigUInt64BE(1700000000n);
    const id = Buffer.from(vkey.split('+')[1]!, 'hex');
    const log = generateNoteKey(ORIGIN);
    const note = signNote(BODY, noteSignerFromSkey(log.skey));
    const good = `— ${NAME} ${Buffer.concat([id, ts, sig]).toString('base64')}\n`;
    const verifier = cosignatureVerifierFromVkey(vkey);
    expect(verifyCosignatures(note + good, [verifier]).valid).toEqual([
      { name: NAME, keyId: id.readUInt32BE(0), vkey, timestamp: 1700000000 },
    ]);
    // Another size in the checkpoint than the one signed.
    const other = signNote(BODY.replace('20852163', '20852164'), noteSignerFromSkey(log.skey));
    expect(verifyCosignatures(other + good, [verifier]).invalid).toEqual([NAME]);
    // The same signature under another name (ML-DSA commits to it): not the same key ID anyway,
    // and a verifier for that name refuses it.
    const renamed = generateCosignerKey('witness.example/other', seed, 'ml-dsa-44');
    const v2 = cosignatureVerifierFromVkey(renamed.vkey);
    expect(v2.verify(BODY, Buffer.concat([ts, sig]))).toBe(false);
  });

  it('an Ed25519 vkey and an ML-DSA-44 vkey of one name are different witnesses', () => {
    const ed = generateCosignerKey(NAME, seed);
    expect(ed.vkey.split('+')[1]).not.toBe(vkey.split('+')[1]);
    const both = `${BODY}\n${cosignerFromSkey(ed.skey).cosign(BODY, 7)}${cosignerFromSkey(skey).cosign(BODY, 8)}`;
    const result = verifyCosignatures(both, [
      cosignatureVerifierFromVkey(ed.vkey),
      cosignatureVerifierFromVkey(vkey),
    ]);
    expect(result.valid.map((c) => c.timestamp)).toEqual([7, 8]);
  });
});
