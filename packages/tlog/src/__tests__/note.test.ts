// Interoperability with golang.org/x/mod/sumdb/note: the published PeterNeumann / EnochRoot keys
// and signatures from note_test.go (data only), plus C2SP signed-note format rules.
import { encodeBase64 } from '../base64.ts';
import { leafHash } from '../hash.ts';
import {
  generateNoteKey,
  noteKeyId,
  noteSignerFromSkey,
  noteVerifierFromVkey,
  type NoteSigner,
} from '../note-keys.ts';
import { openNote, parseNote, signNote } from '../note.ts';
import { codeOf } from './helpers.ts';

const PETER_VKEY = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
const PETER_SKEY = 'PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz';
const ENOCH_VKEY = 'EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop';
const TEXT =
  'If you think cryptography is the answer to your problem,\n' +
  "then you don't know what your problem is.\n";
const PETER_SIG =
  '— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n';
const ENOCH_SIG =
  '— EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n';

const peter = noteVerifierFromVkey(PETER_VKEY);
const enoch = noteVerifierFromVkey(ENOCH_VKEY);

describe('Go note keys', () => {
  it('parses the published vkey and skey with the published key ID', () => {
    expect(peter.name).toBe('PeterNeumann');
    expect(peter.keyId).toBe(0xc74f20a3);
    const signer = noteSignerFromSkey(PETER_SKEY);
    expect(signer.name).toBe('PeterNeumann');
    expect(signer.keyId).toBe(0xc74f20a3);
    expect(enoch.keyId).toBe(0xaf0cfe78);
  });

  it('rejects every proper substring and every single-byte change of the vkey (as Go does)', () => {
    const accepted: string[] = [];
    const tryKey = (k: string) => {
      try {
        noteVerifierFromVkey(k);
        accepted.push(k);
      } catch (e) {
        expect((e as { code: string }).code).toBe('TLOG_KEY_MALFORMED');
      }
    };
    for (let i = 0; i <= PETER_VKEY.length; i++) {
      for (let j = i + 1; j <= PETER_VKEY.length; j++) {
        if (i !== 0 || j !== PETER_VKEY.length) tryKey(PETER_VKEY.slice(i, j));
      }
    }
    for (let i = 0; i < PETER_VKEY.length; i++) {
      const c = String.fromCharCode(PETER_VKEY.charCodeAt(i) + 1);
      tryKey(PETER_VKEY.slice(0, i) + c + PETER_VKEY.slice(i + 1));
    }
    // Wrong key length and unknown algorithm, each with an adjusted (correct) key ID.
    tryKey('PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==');
    tryKey('PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW');
    expect(accepted).toEqual([]);
  });

  it('rejects every proper substring and every single-byte change of the skey', () => {
    const accepted: string[] = [];
    const tryKey = (k: string) => {
      try {
        noteSignerFromSkey(k);
        accepted.push(k);
      } catch (e) {
        expect((e as { code: string }).code).toBe('TLOG_KEY_MALFORMED');
      }
    };
    for (let i = 0; i <= PETER_SKEY.length; i++) {
      for (let j = i + 1; j <= PETER_SKEY.length; j++) {
        if (i !== 0 || j !== PETER_SKEY.length) tryKey(PETER_SKEY.slice(i, j));
      }
    }
    for (let i = 0; i < PETER_SKEY.length; i++) {
      const c = String.fromCharCode(PETER_SKEY.charCodeAt(i) + 1);
      tryKey(PETER_SKEY.slice(0, i) + c + PETER_SKEY.slice(i + 1));
    }
    expect(accepted).toEqual([]);
  });

  it('splits the vkey at the first two "+" only (base64 contains "+")', () => {
    // Enoch's key base64 has no '+', Peter's skey has one; build a vkey whose key has several.
    for (let i = 0; i < 64; i++) {
      const seed = new Uint8Array(32).fill(i);
      const { skey, vkey } = generateNoteKey('example.com/log', seed);
      const v = noteVerifierFromVkey(vkey);
      const s = noteSignerFromSkey(skey);
      expect(v.keyId).toBe(s.keyId);
      const sig = s.sign(new Uint8Array([1, 2, 3]));
      expect(v.verify(new Uint8Array([1, 2, 3]), sig)).toBe(true);
      expect(v.verify(new Uint8Array([1, 2, 4]), sig)).toBe(false);
    }
  });

  it('generates keys in Go format with a key ID over name, newline, type and key', () => {
    const { skey, vkey } = generateNoteKey('EnochRoot');
    expect(vkey).toMatch(/^EnochRoot\+[0-9a-f]{8}\+A[A-Za-z0-9+/]{43}$/);
    expect(skey).toMatch(/^PRIVATE\+KEY\+EnochRoot\+[0-9a-f]{8}\+A[A-Za-z0-9+/]{43}$/);
    expect(vkey.split('+')[1]).toBe(skey.split('+')[3]);
    const pub = Buffer.from(vkey.slice(vkey.indexOf('+', 10) + 1), 'base64');
    expect(noteKeyId('EnochRoot', new Uint8Array(pub))).toBe(
      Number.parseInt(vkey.split('+')[1]!, 16),
    );
    expect(codeOf(() => generateNoteKey('bad name'))).toBe('TLOG_KEY_MALFORMED');
    expect(codeOf(() => generateNoteKey('a+b'))).toBe('TLOG_KEY_MALFORMED');
    expect(codeOf(() => generateNoteKey(''))).toBe('TLOG_KEY_MALFORMED');
  });
});

describe('signNote', () => {
  it('reproduces the published Go signature byte for byte', () => {
    expect(signNote(TEXT, noteSignerFromSkey(PETER_SKEY))).toBe(`${TEXT}\n${PETER_SIG}`);
  });

  it('refuses texts Go would refuse or that could not be opened', () => {
    const s = noteSignerFromSkey(PETER_SKEY);
    expect(codeOf(() => signNote('abc', s))).toBe('TLOG_NOTE_MALFORMED');
    expect(codeOf(() => signNote('a\u0001b\n', s))).toBe('TLOG_NOTE_MALFORMED');
    expect(codeOf(() => signNote(TEXT))).toBe('TLOG_NOTE_MALFORMED');
    const bad: NoteSigner = { name: 'bad name', keyId: 1, sign: () => new Uint8Array(64) };
    expect(codeOf(() => signNote(TEXT, bad))).toBe('TLOG_NOTE_MALFORMED');
  });

  it('round-trips with several signers', () => {
    const a = generateNoteKey('a.example/log');
    const b = generateNoteKey('b.example/witness');
    const note = signNote('x\n\ny\n', noteSignerFromSkey(a.skey), noteSignerFromSkey(b.skey));
    const opened = openNote(note, [noteVerifierFromVkey(b.vkey)]);
    expect(opened.text).toBe('x\n\ny\n'); // text may contain blank lines
    expect(opened.signatures.map((s) => [s.name, s.verified])).toEqual([
      ['a.example/log', false],
      ['b.example/witness', true],
    ]);
  });
});

describe('openNote', () => {
  it('verifies one known signature and ignores the unknown one', () => {
    const n = openNote(`${TEXT}\n${PETER_SIG}${ENOCH_SIG}`, [peter]);
    expect(n.text).toBe(TEXT);
    expect(n.signatures.map((s) => [s.name, s.keyId, s.verified])).toEqual([
      ['PeterNeumann', 0xc74f20a3, true],
      ['EnochRoot', 0xaf0cfe78, false],
    ]);
    expect(encodeBase64(n.signatures[0]!.signature)).toBe(
      // the signature bytes after the 4-byte key ID
      encodeBase64(Buffer.from(PETER_SIG.slice(15, -1), 'base64').subarray(4)),
    );
  });

  it('verifies both published signatures', () => {
    const n = openNote(`${TEXT}\n${PETER_SIG}${ENOCH_SIG}`, [peter, enoch]);
    expect(n.signatures.every((s) => s.verified)).toBe(true);
  });

  it('rejects a note with no trusted signature', () => {
    expect(codeOf(() => openNote(`${TEXT}\n${PETER_SIG}${ENOCH_SIG}`, []))).toBe(
      'TLOG_NOTE_UNVERIFIED',
    );
  });

  it('ignores a key that shares only the name or only the key ID with a trusted key', () => {
    const other = generateNoteKey('PeterNeumann');
    const v = noteVerifierFromVkey(other.vkey);
    expect(codeOf(() => openNote(`${TEXT}\n${PETER_SIG}`, [v]))).toBe('TLOG_NOTE_UNVERIFIED');
    const renamed = PETER_SIG.replace('PeterNeumann', 'CarmenSandiego');
    expect(codeOf(() => openNote(`${TEXT}\n${renamed}`, [peter]))).toBe('TLOG_NOTE_UNVERIFIED');
  });

  it('rejects a bad signature by a trusted key, and an ambiguous verifier list', () => {
    const forged = `${TEXT}\n${PETER_SIG.slice(0, 60)}ABCD${PETER_SIG.slice(60)}`;
    expect(codeOf(() => openNote(forged, [peter]))).toBe('TLOG_NOTE_BAD_SIGNATURE');
    const altered = `${TEXT.replace('answer', 'ANSWER')}\n${PETER_SIG}`;
    expect(codeOf(() => openNote(altered, [peter]))).toBe('TLOG_NOTE_BAD_SIGNATURE');
    expect(codeOf(() => openNote(`${TEXT}\n${ENOCH_SIG}`, [enoch, peter, enoch]))).toBe(
      'TLOG_KEY_MALFORMED',
    );
    expect(() => openNote(`${TEXT}\n${PETER_SIG}`, [enoch, peter, enoch])).not.toThrow();
  });

  it('rejects malformed notes (Go badMsgs plus duplicates and limits)', () => {
    const bad = [
      TEXT,
      `${TEXT}\n`,
      `${TEXT}\n${PETER_SIG.slice(0, -1)}`,
      `\u0001${TEXT}\n${PETER_SIG}`,
      `\uD800${TEXT}\n${PETER_SIG}`, // not representable as UTF-8
      `${TEXT}\n— Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=`,
      `${TEXT}\n${PETER_SIG}Unexpected line.\n`,
      `${TEXT}\n${PETER_SIG.replace('— ', '- ')}`, // hyphen instead of em dash
      `${TEXT}\n${PETER_SIG.replace('— ', '—')}`, // no space after the em dash
      `${TEXT}\n— PeterNeumann\n`, // no signature
      `${TEXT}\n— PeterNeumann x08go/ZJ!!\n`, // bad base64
      `${TEXT}\n— PeterNeumann x08gow==\n`, // key ID only, no signature bytes
      `${TEXT}\n${PETER_SIG}${PETER_SIG}`, // duplicate signature (Go drops, we refuse)
      `${TEXT}\n${PETER_SIG}`.replace('\n\n', '\r\n\r\n'),
      `${TEXT}\n${PETER_SIG.repeat(101)}`,
    ];
    for (const msg of bad) {
      expect([msg, codeOf(() => openNote(msg, [peter]))]).toEqual([msg, 'TLOG_NOTE_MALFORMED']);
    }
  });

  it('accepts up to 100 signatures (C2SP requires at least 16)', () => {
    const signers = Array.from({ length: 100 }, (_, i) =>
      noteSignerFromSkey(generateNoteKey(`w${i}.example`, new Uint8Array(32).fill(i)).skey),
    );
    const note = signNote(TEXT, ...signers);
    const v = noteVerifierFromVkey(
      generateNoteKey('w99.example', new Uint8Array(32).fill(99)).vkey,
    );
    expect(openNote(note, [v]).signatures.length).toBe(100);
    expect(parseNote(note).signatures.length).toBe(100);
  });

  it('treats non-canonical base64 signatures as malformed', () => {
    // Last char 'M' -> 'N' keeps the decoded bytes but sets a padding bit.
    const noncanonical = PETER_SIG.replace('AM=\n', 'AN=\n');
    expect(codeOf(() => openNote(`${TEXT}\n${noncanonical}`, [peter]))).toBe('TLOG_NOTE_MALFORMED');
  });

  it('verifies a signature over a leaf-hash-carrying text from a generated key', () => {
    const k = generateNoteKey('example.com/log');
    const text = `${Buffer.from(leafHash(new Uint8Array([1]))).toString('base64')}\n`;
    const note = signNote(text, noteSignerFromSkey(k.skey));
    expect(openNote(note, [noteVerifierFromVkey(k.vkey)]).text).toBe(text);
  });
});
