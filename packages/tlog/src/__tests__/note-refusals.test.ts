// Every refusal of a signed note and of a checkpoint, word for word and with its category: the
// message is what a verifier shows when a log or a client hands over something it must not trust.
import {
  formatCheckpoint,
  openCheckpoint,
  parseCheckpoint,
  signCheckpoint,
  type Checkpoint,
} from '../checkpoint.ts';
import { TlogError } from '../errors.ts';
import { generateNoteKey, noteSignerFromSkey, noteVerifierFromVkey } from '../note-keys.ts';
import { openNote, signNote } from '../note.ts';

const PETER_VKEY = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
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

function refusal(fn: () => unknown): [string, string, string] | 'accepted' {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(TlogError);
    const e = err as TlogError;
    return [e.code, e.category, e.message];
  }
  return 'accepted';
}

const malformedNote = (m: string): [string, string, string] => [
  'TLOG_NOTE_MALFORMED',
  'verification',
  `malformed signed note: ${m}`,
];

describe('signNote refusals', () => {
  const key = generateNoteKey('log.example', new Uint8Array(32).fill(1));
  const signer = noteSignerFromSkey(key.skey);
  it.each([
    ['no final newline', () => signNote('abc', signer), 'note text must end with a newline'],
    [
      'a control character',
      () => signNote('a\u0001b\n', signer),
      'note text contains an ASCII control character other than newline',
    ],
    ['a lone surrogate', () => signNote('a\ud800b\n', signer), 'note text is not valid UTF-8'],
    ['no signer', () => signNote(TEXT), 'a note needs at least one signer'],
    [
      'a bad signer name',
      () => signNote(TEXT, { ...signer, name: 'bad name' }),
      'signer name "bad name" is invalid',
    ],
    ['a signer twice', () => signNote(TEXT, signer, signer), 'signer log.example is given twice'],
  ])('%s', (_what, fn, message) => {
    expect(refusal(fn)).toEqual(['TLOG_NOTE_MALFORMED', 'input', message]);
  });

  it('signs with two keys of one name but different key IDs', () => {
    const other = noteSignerFromSkey(
      generateNoteKey('log.example', new Uint8Array(32).fill(2)).skey,
    );
    const note = signNote(TEXT, signer, other);
    const opened = openNote(note, [noteVerifierFromVkey(key.vkey)]);
    expect(opened.signatures.map((s) => s.verified)).toEqual([true, false]);
  });
});

describe('openNote refusals', () => {
  it.each([
    ['no blank line', TEXT, 'no blank line separates the text from the signatures'],
    [
      'an empty signature block',
      `${TEXT}\n`,
      'the signature block must be non-empty and end with a newline',
    ],
    [
      'no final newline',
      `${TEXT}\n${PETER_SIG.slice(0, -1)}`,
      'the signature block must be non-empty and end with a newline',
    ],
    [
      'a control character',
      `\u0001${TEXT}\n${PETER_SIG}`,
      'note contains an ASCII control character other than newline',
    ],
    ['a lone surrogate', `\uD800${TEXT}\n${PETER_SIG}`, 'note is not valid UTF-8'],
    [
      'a line without the em dash',
      `${TEXT}\n${PETER_SIG}Unexpected line.\n`,
      'signature line "Unexpected line." does not start with "— "',
    ],
    ['an invalid key name', `${TEXT}\n— Bad+Name x08go/ZJ\n`, 'invalid key name "Bad+Name"'],
    ['no signature', `${TEXT}\n— PeterNeumann\n`, 'signature by PeterNeumann is not valid base64'],
    [
      'bad base64',
      `${TEXT}\n— PeterNeumann x08go/ZJ!!\n`,
      'signature by PeterNeumann is not valid base64',
    ],
    [
      'a key ID only',
      `${TEXT}\n— PeterNeumann x08gow==\n`,
      'signature by PeterNeumann is too short',
    ],
    [
      'a signature twice',
      `${TEXT}\n${PETER_SIG}${PETER_SIG}`,
      'two signatures by PeterNeumann with the same key ID',
    ],
    ['101 signatures', `${TEXT}\n${PETER_SIG.repeat(101)}`, 'more than 100 signatures'],
  ])('%s', (_what, note, message) => {
    expect(refusal(() => openNote(note, [peter]))).toEqual(malformedNote(message));
  });

  it('a one-byte signature after the key ID is long enough to be read', () => {
    // 4-byte key ID of PeterNeumann (c74f20a3) + 1 byte: parsed, then refused by the verifier.
    const line = `— PeterNeumann ${Buffer.from([0xc7, 0x4f, 0x20, 0xa3, 0]).toString('base64')}\n`;
    expect(refusal(() => openNote(`${TEXT}\n${line}`, [peter]))).toEqual([
      'TLOG_NOTE_BAD_SIGNATURE',
      'verification',
      'signature by trusted key PeterNeumann+c74f20a3 does not verify: the note was altered or forged',
    ]);
  });

  it('names every signer when none is trusted', () => {
    expect(refusal(() => openNote(`${TEXT}\n${PETER_SIG}${ENOCH_SIG}`, []))).toEqual([
      'TLOG_NOTE_UNVERIFIED',
      'verification',
      "note has no signature by a trusted key (signed by: PeterNeumann+c74f20a3, EnochRoot+af0cfe78); configure the log's verifier key",
    ]);
  });

  it('names the key of a signature that does not verify, and two trusted keys that clash', () => {
    const altered = `${TEXT.replace('answer', 'ANSWER')}\n${PETER_SIG}`;
    expect(refusal(() => openNote(altered, [peter]))).toEqual([
      'TLOG_NOTE_BAD_SIGNATURE',
      'verification',
      'signature by trusted key PeterNeumann+c74f20a3 does not verify: the note was altered or forged',
    ]);
    expect(refusal(() => openNote(`${TEXT}\n${ENOCH_SIG}`, [enoch, peter, enoch]))).toEqual([
      'TLOG_KEY_MALFORMED',
      'input',
      'two trusted keys share the name EnochRoot and key ID af0cfe78; remove one',
    ]);
  });
});

describe('checkpoint refusals', () => {
  const root = new Uint8Array(32).fill(9);
  const R = Buffer.from(root).toString('base64');
  const cp = (over: Partial<Checkpoint>): Checkpoint => ({
    origin: 'log.example',
    size: 1,
    root,
    extensions: [],
    ...over,
  });
  const bad = (category: string, m: string) => [
    'TLOG_CHECKPOINT_MALFORMED',
    category,
    `malformed checkpoint: ${m}`,
  ];

  it.each([
    ['an empty origin', cp({ origin: '' }), 'origin is empty'],
    [
      'a tab in the origin',
      cp({ origin: 'a\tb' }),
      'origin contains a control character or invalid UTF-8',
    ],
    [
      'a lone surrogate in the origin',
      cp({ origin: 'a\ud800' }),
      'origin contains a control character or invalid UTF-8',
    ],
    ['a negative size', cp({ size: -1 }), 'size -1 is not a non-negative safe integer'],
    ['a fractional size', cp({ size: 1.5 }), 'size 1.5 is not a non-negative safe integer'],
    ['a short root', cp({ root: new Uint8Array(31) }), 'root must be 32 bytes'],
    ['an empty extension', cp({ extensions: ['ok', ''] }), 'extension line 2 is empty'],
  ])('formatCheckpoint refuses %s', (_what, c, message) => {
    expect(refusal(() => formatCheckpoint(c))).toEqual(bad('input', message));
  });

  it('formats size 0 and extension lines', () => {
    expect(formatCheckpoint(cp({ size: 0, extensions: ['x', 'y'] }))).toBe(
      `log.example\n0\n${R}\nx\ny\n`,
    );
  });

  it.each([
    ['no final newline', `o\n1\n${R}`, 'text must end with a newline'],
    ['two lines', 'o\n1\n', 'needs origin, size and root hash lines'],
    ['an empty line', `o\n1\n${R}\n\n`, 'line 4 is empty'],
    [
      'a control character',
      `o\u0007\n1\n${R}\n`,
      'line 1 contains a control character or invalid UTF-8',
    ],
    ['a leading zero', `o\n01\n${R}\n`, 'size "01" is not a decimal without leading zeros'],
    ['a sign', `o\n+1\n${R}\n`, 'size "+1" is not a decimal without leading zeros'],
    [
      'a size past 2^53 - 1',
      `o\n9007199254740992\n${R}\n`,
      'size 9007199254740992 exceeds 2^53 - 1',
    ],
    ['a short root', 'o\n1\nAAAA\n', 'root hash must be base64 of 32 bytes'],
    ['a root that is not base64', 'o\n1\n!!!!\n', 'root hash must be base64 of 32 bytes'],
  ])('parseCheckpoint refuses %s', (_what, text, message) => {
    expect(refusal(() => parseCheckpoint(text))).toEqual(bad('verification', message));
  });

  it('parses size 0, 2^53 - 1 and extension lines', () => {
    expect(parseCheckpoint(`o\n0\n${R}\n`).size).toBe(0);
    expect(parseCheckpoint(`o\n9007199254740991\n${R}\ne1\ne2\n`)).toEqual({
      origin: 'o',
      size: 2 ** 53 - 1,
      root,
      extensions: ['e1', 'e2'],
    });
  });

  it('names both origins when a checkpoint comes from another log', () => {
    const key = generateNoteKey('log.example', new Uint8Array(32).fill(3));
    const note = signCheckpoint(cp({}), noteSignerFromSkey(key.skey));
    const verifier = noteVerifierFromVkey(key.vkey);
    expect(refusal(() => openCheckpoint(note, [verifier], 'other.example'))).toEqual([
      'TLOG_ORIGIN_MISMATCH',
      'verification',
      'checkpoint origin "log.example" is not the expected "other.example": it comes from another log',
    ]);
    expect(openCheckpoint(note, [verifier], 'log.example').checkpoint.size).toBe(1);
  });
});
