// C2SP tlog-checkpoint bodies, with the Go sumdb tree vector (tlog/note_test.go: tree size
// 123456789012, root = RecordHash("hello world")) and the C2SP spec example.
import {
  formatCheckpoint,
  openCheckpoint,
  parseCheckpoint,
  signCheckpoint,
  type Checkpoint,
} from '../checkpoint.ts';
import { leafHash } from '../hash.ts';
import { generateNoteKey, noteSignerFromSkey, noteVerifierFromVkey } from '../note-keys.ts';
import { codeOf, toHex } from './helpers.ts';

const GO_TREE =
  'go.sum database tree\n123456789012\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=\n';
const helloWorld = leafHash(new TextEncoder().encode('hello world'));

describe('checkpoint body', () => {
  it('formats the Go sumdb tree golden text', () => {
    const cp: Checkpoint = {
      origin: 'go.sum database tree',
      size: 123456789012,
      root: helloWorld,
      extensions: [],
    };
    expect(formatCheckpoint(cp)).toBe(GO_TREE);
  });

  it('parses the Go golden text and the C2SP example', () => {
    const cp = parseCheckpoint(GO_TREE);
    expect(cp.origin).toBe('go.sum database tree');
    expect(cp.size).toBe(123456789012);
    expect(toHex(cp.root)).toBe(toHex(helloWorld));
    expect(cp.extensions).toEqual([]);
    const spec = parseCheckpoint(
      'example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n',
    );
    expect(spec.size).toBe(20852163);
  });

  it('keeps extension lines', () => {
    const text = `${GO_TREE}JOE\nfoo bar\n`;
    const cp = parseCheckpoint(text);
    expect(cp.extensions).toEqual(['JOE', 'foo bar']);
    expect(formatCheckpoint(cp)).toBe(text);
  });

  it.each([
    ['not ending in newline', GO_TREE.slice(0, -1)],
    ['junk without newline (Go ignores it)', `${GO_TREE}JOE`],
    ['hex size', 'go.sum database tree\n0xabcdef\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=\n'],
    [
      'oversized root',
      'go.sum database tree\n123456789012\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBTOOBIG=\n',
    ],
    ['leading zero', 'o\n012\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=\n'],
    ['plus sign', 'o\n+12\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=\n'],
    ['negative', 'o\n-1\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=\n'],
    ['empty size', 'o\n\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=\n'],
    ['size above 2^53', 'o\n9007199254740993\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=\n'],
    ['short root', 'o\n1\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40Hmuw\n'],
    ['unpadded root', 'o\n1\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0\n'],
    ['non-canonical root', 'o\n1\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb1=\n'],
    ['empty origin', '\n1\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=\n'],
    ['two lines', 'o\n1\n'],
    ['empty extension', `${GO_TREE}\n`],
    ['carriage return', 'o\r\n1\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=\n'],
  ])('rejects %s', (_what, text) => {
    expect(codeOf(() => parseCheckpoint(text))).toBe('TLOG_CHECKPOINT_MALFORMED');
  });

  it('refuses to format invalid checkpoints', () => {
    const ok: Checkpoint = { origin: 'o', size: 1, root: helloWorld, extensions: [] };
    for (const bad of [
      { ...ok, origin: '' },
      { ...ok, origin: 'a\nb' },
      { ...ok, size: -1 },
      { ...ok, size: 1.5 },
      { ...ok, root: new Uint8Array(31) },
      { ...ok, extensions: [''] },
    ]) {
      expect(codeOf(() => formatCheckpoint(bad))).toBe('TLOG_CHECKPOINT_MALFORMED');
    }
  });

  it('size 0 is "0"', () => {
    const cp = { origin: 'o', size: 0, root: helloWorld, extensions: [] };
    expect(parseCheckpoint(formatCheckpoint(cp)).size).toBe(0);
  });
});

describe('signed checkpoints', () => {
  const key = generateNoteKey('example.com/log');
  const verifier = noteVerifierFromVkey(key.vkey);
  const cp: Checkpoint = { origin: 'example.com/log', size: 42, root: helloWorld, extensions: [] };

  it('signs and opens, checking the origin', () => {
    const note = signCheckpoint(cp, noteSignerFromSkey(key.skey));
    const opened = openCheckpoint(note, [verifier], 'example.com/log');
    expect(opened.checkpoint.size).toBe(42);
    expect(toHex(opened.checkpoint.root)).toBe(toHex(helloWorld));
    expect(codeOf(() => openCheckpoint(note, [verifier], 'example.com/other'))).toBe(
      'TLOG_ORIGIN_MISMATCH',
    );
    const tampered = note.replace('\n42\n', '\n43\n');
    expect(codeOf(() => openCheckpoint(tampered, [verifier]))).toBe('TLOG_NOTE_BAD_SIGNATURE');
  });
});
