// C2SP tlog-cosignature v1 (Ed25519), checked against a verifier and a signer written here from
// the spec alone with OpenSSL (`openssl pkeyutl -rawin`), so a shared misreading of the spec by
// our signer and our verifier cannot pass.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  cosignatureMessage,
  cosignatureTimestamp,
  cosignatureVerifierFromVkey,
  cosignerFromSkey,
  generateCosignerKey,
  verifyCosignatures,
} from '../cosignature.ts';
import { generateNoteKey, noteSignerFromSkey } from '../note-keys.ts';
import { signNote } from '../note.ts';
import { codeOf } from './helpers.ts';

const BODY =
  'example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n';
/** The base64 key of a vkey: everything after the second `+` (base64 itself holds `+`). */
const vkeyMaterial = (vkey: string) => vkey.split('+').slice(2).join('+');
const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cosig-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function openssl(args: string[]): Buffer {
  return execFileSync('openssl', args, { stdio: ['ignore', 'pipe', 'pipe'] });
}

/** The spec's signed message, written out independently of cosignatureMessage. */
function specMessage(timestamp: number, body: string): Buffer {
  return Buffer.from(`cosignature/v1\ntime ${timestamp}\n${body}`, 'utf8');
}

/** The spec's key ID: SHA-256(name || "\n" || 0x04 || pub)[:4]. */
function specKeyId(name: string, pub: Buffer): Buffer {
  return createHash('sha256')
    .update(Buffer.concat([Buffer.from(`${name}\n`), Buffer.from([4]), pub]))
    .digest()
    .subarray(0, 4);
}

describe('tlog-cosignature v1 against OpenSSL', () => {
  it('a cosignature we make verifies with openssl over the exact spec message', () => {
    const { skey, vkey } = generateCosignerKey('witness.example/w1');
    const line = cosignerFromSkey(skey).cosign(BODY, 1679315147);
    const match = /^— (\S+) (\S+)\n$/.exec(line);
    expect(match?.[1]).toBe('witness.example/w1');
    const raw = Buffer.from(match![2]!, 'base64');
    expect(raw.length).toBe(4 + 8 + 64);
    const pub = Buffer.from(vkeyMaterial(vkey), 'base64');
    expect(pub[0]).toBe(0x04);
    expect(raw.subarray(0, 4)).toEqual(specKeyId('witness.example/w1', pub.subarray(1)));
    expect(vkey.split('+')[1]).toBe(
      specKeyId('witness.example/w1', pub.subarray(1)).toString('hex'),
    );
    expect(raw.readBigUInt64BE(4)).toBe(1679315147n);

    const pem = join(dir, 'pub.der');
    writeFileSync(pem, Buffer.concat([SPKI_ED25519_PREFIX, pub.subarray(1)]));
    writeFileSync(join(dir, 'msg'), specMessage(1679315147, BODY));
    writeFileSync(join(dir, 'sig'), raw.subarray(12));
    const verify = (msgFile: string) =>
      openssl([
        'pkeyutl',
        '-verify',
        '-rawin',
        '-pubin',
        '-keyform',
        'DER',
        '-inkey',
        pem,
        '-in',
        join(dir, msgFile),
        '-sigfile',
        join(dir, 'sig'),
      ]).toString();
    expect(verify('msg')).toMatch(/Signature Verified Successfully/);
    // The same signature over another timestamp line must not verify: the time is signed.
    writeFileSync(join(dir, 'msg2'), specMessage(1679315148, BODY));
    expect(() => verify('msg2')).toThrow();
  });

  it('verifies a cosignature that openssl made from the spec, and refuses it altered', () => {
    const keyPem = join(dir, 'witness.pem');
    openssl(['genpkey', '-algorithm', 'ed25519', '-out', keyPem]);
    const pubDer = openssl(['pkey', '-in', keyPem, '-pubout', '-outform', 'DER']);
    const pub = pubDer.subarray(pubDer.length - 32);
    const name = 'witness.example/openssl';
    const id = specKeyId(name, pub);
    const vkey = `${name}+${id.toString('hex')}+${Buffer.concat([Buffer.from([4]), pub]).toString('base64')}`;
    const timestamp = 1700000000;
    writeFileSync(join(dir, 'm'), specMessage(timestamp, BODY));
    const sig = openssl(['pkeyutl', '-sign', '-rawin', '-inkey', keyPem, '-in', join(dir, 'm')]);
    expect(sig.length).toBe(64);
    const ts = Buffer.alloc(8);
    ts.writeBigUInt64BE(BigInt(timestamp));
    const line = `— ${name} ${Buffer.concat([id, ts, sig]).toString('base64')}\n`;

    const log = generateNoteKey('example.com/behind-the-sofa');
    const note = signNote(BODY, noteSignerFromSkey(log.skey)) + line;
    const verifier = cosignatureVerifierFromVkey(vkey);
    const result = verifyCosignatures(note, [verifier]);
    expect(result.valid).toEqual([{ name, keyId: id.readUInt32BE(0), vkey, timestamp }]);
    expect(result.text).toBe(BODY);

    // Another timestamp in the line than the one signed: refused.
    ts.writeBigUInt64BE(BigInt(timestamp + 1));
    const altered = `— ${name} ${Buffer.concat([id, ts, sig]).toString('base64')}\n`;
    const bad = verifyCosignatures(signNote(BODY, noteSignerFromSkey(log.skey)) + altered, [
      verifier,
    ]);
    expect(bad.valid).toEqual([]);
    expect(bad.invalid).toEqual([name]);
    // Another checkpoint body: refused.
    expect(
      verifier.verify(
        BODY.replace('20852163', '20852164'),
        Buffer.concat([id.subarray(0, 0), ts, sig]),
      ),
    ).toBe(false);
  });
});

describe('the spec example', () => {
  // C2SP tlog-cosignature's example note: its witness line carries key ID || timestamp || sig,
  // and the timestamp is the one of the spec's example signed message ("time 1679315147").
  const SPEC_LINE =
    'witness.example.com/w1 jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dlrDJsX3b2oyin1nPZqhf5nNo0xUe+mbIUBkBIfZ+qnA==';
  it('parses as key ID, u64 big-endian timestamp and a 64-byte signature', () => {
    const raw = Buffer.from(SPEC_LINE.split(' ')[1]!, 'base64');
    expect(raw.length).toBe(4 + 8 + 64);
    expect(cosignatureTimestamp(raw.subarray(4))).toBe(1679315147);
    expect(cosignatureMessage(BODY, 1679315147)).toEqual(
      new TextEncoder().encode(`cosignature/v1\ntime 1679315147\n${BODY}`),
    );
  });
});

describe('cosignature keys and lines', () => {
  const seed = new Uint8Array(32).fill(7);
  const key = generateCosignerKey('w.example', seed);

  it('round-trips and ignores signatures by unknown keys', () => {
    const cosigner = cosignerFromSkey(key.skey);
    expect(cosigner.vkey).toBe(key.vkey);
    const other = generateCosignerKey('other.example');
    const note = `${BODY}\n${cosigner.cosign(BODY, 5)}${cosignerFromSkey(other.skey).cosign(BODY, 6)}`;
    const result = verifyCosignatures(note, [cosignatureVerifierFromVkey(key.vkey)]);
    expect(result.valid.map((c) => [c.name, c.timestamp])).toEqual([['w.example', 5]]);
  });

  it('the message is the spec bytes', () => {
    expect(Buffer.from(cosignatureMessage(BODY, 1679315147)).toString()).toBe(
      `cosignature/v1\ntime 1679315147\n${BODY}`,
    );
    expect(codeOf(() => cosignatureMessage(BODY, -1))).toBe('TLOG_BAD_NUMBER');
    expect(codeOf(() => cosignatureMessage(BODY, 1.5))).toBe('TLOG_BAD_NUMBER');
  });

  it('refuses log keys (type 0x01) as witness keys and witness keys as skeys of another type', () => {
    const logKey = generateNoteKey('log.example');
    expect(codeOf(() => cosignatureVerifierFromVkey(logKey.vkey))).toBe('TLOG_KEY_MALFORMED');
    expect(codeOf(() => cosignerFromSkey(logKey.skey))).toBe('TLOG_KEY_MALFORMED');
    expect(codeOf(() => generateCosignerKey('has space'))).toBe('TLOG_KEY_MALFORMED');
    const forged = key.vkey.replace(/\+[0-9a-f]{8}\+/, '+00000000+');
    expect(codeOf(() => cosignatureVerifierFromVkey(forged))).toBe('TLOG_KEY_MALFORMED');
  });

  it('a signature of the wrong length never verifies', () => {
    const v = cosignatureVerifierFromVkey(key.vkey);
    const line = cosignerFromSkey(key.skey).cosign(BODY, 9);
    const raw = Buffer.from(line.trim().split(' ')[2]!, 'base64').subarray(4);
    expect(v.verify(BODY, raw)).toBe(true);
    expect(v.verify(BODY, raw.subarray(0, 71))).toBe(false);
    expect(v.verify(BODY, Buffer.concat([raw, Buffer.from([0])]))).toBe(false);
  });
});

test('openssl sees the same key the cosigner derives', () => {
  // The seed in PKCS#8 (RFC 8410) form: OpenSSL derives the public key independently.
  const seed = new Uint8Array(32).fill(3);
  const der = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]);
  const file = join(dir, 'seed.der');
  writeFileSync(file, der);
  const pubDer = openssl(['pkey', '-inform', 'DER', '-in', file, '-pubout', '-outform', 'DER']);
  const { vkey } = generateCosignerKey('w', seed);
  expect(Buffer.from(vkeyMaterial(vkey), 'base64').subarray(1)).toEqual(
    pubDer.subarray(pubDer.length - 32),
  );
  expect(readFileSync(file).length).toBe(48);
});
