/**
 * Media type detection of evidence files (docs/evidence.md): the first bytes decide, the name only
 * refines a generic result; and the names evidence is saved under on download.
 */
import {
  detectMediaType,
  MEDIA_TYPES,
  SNIFF_BYTES,
} from '../packages/cli/src/evidence/media-type.ts';
import { OutputNames, safeFileName } from '../packages/cli/src/evidence/output-names.ts';

const enc = (text: string) => new TextEncoder().encode(text);
const statement = {
  _type: 'https://in-toto.io/Statement/v1',
  subject: [{ name: 'app', digest: { sha256: 'ab'.repeat(32) } }],
  predicateType: 'https://slsa.dev/provenance/v1',
  predicate: {},
};
const envelope = {
  payloadType: 'application/vnd.in-toto+json',
  payload: Buffer.from(JSON.stringify(statement)).toString('base64'),
  signatures: [{ keyid: 'k', sig: 'c2ln' }],
};

describe('detectMediaType', () => {
  const cases: [string, string, string][] = [
    [
      'bom.json',
      '{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": []}',
      MEDIA_TYPES.cyclonedxJson,
    ],
    [
      'sbom.xml',
      '<?xml version="1.0" encoding="UTF-8"?>\n<!-- generated -->\n<bom xmlns="http://cyclonedx.org/schema/bom/1.5" version="1"><components/></bom>',
      MEDIA_TYPES.cyclonedxXml,
    ],
    [
      'sbom.json',
      '{\n  "spdxVersion": "SPDX-2.3",\n  "SPDXID": "SPDXRef-DOCUMENT"\n}',
      MEDIA_TYPES.spdxJson,
    ],
    [
      'sbom.txt',
      'SPDXVersion: SPDX-2.3\nDataLicense: CC0-1.0\nSPDXID: SPDXRef-DOCUMENT\n',
      MEDIA_TYPES.spdxTagValue,
    ],
    [
      'scan.json',
      '{"$schema": "https://json.schemastore.org/sarif-2.1.0.json", "version": "2.1.0", "runs": []}',
      MEDIA_TYPES.sarif,
    ],
    ['results.out', '{"runs": [{"tool": {}}], "version": "2.1.0"}', MEDIA_TYPES.sarif],
    ['provenance.json', JSON.stringify(statement, null, 2), MEDIA_TYPES.inTotoStatement],
    ['attestation.json', JSON.stringify(envelope), MEDIA_TYPES.dsseEnvelope],
    [
      'app.intoto.jsonl',
      `${JSON.stringify(envelope)}\n${JSON.stringify(envelope)}\n`,
      MEDIA_TYPES.inTotoBundle,
    ],
    [
      'report.xml',
      '<?xml version="1.0"?>\n<testsuites tests="2" failures="0"><testsuite name="a"/></testsuites>',
      MEDIA_TYPES.junit,
    ],
    [
      'TEST-app.xml',
      '<testsuite name="app" tests="1"><testcase name="x"/></testsuite>',
      MEDIA_TYPES.junit,
    ],
    ['build.log', '\u001b[32mok\u001b[0m step 1\nstep 2 done\n', MEDIA_TYPES.text],
    ['data.json', '{"hello": "world"}', MEDIA_TYPES.json],
    ['pom.xml', '<project><modelVersion>4.0.0</modelVersion></project>', MEDIA_TYPES.xml],
    ['app.log', '{"level":"info","msg":"a"}\n{"level":"info","msg":"b"}\n', MEDIA_TYPES.text],
    ['empty.log', '', MEDIA_TYPES.text],
  ];
  it.each(cases.map(([name, content, type]) => [name, type, content] as const))(
    '%s is %s',
    (name, expected, content) => {
      expect(detectMediaType(name, enc(content))).toBe(expected);
    },
  );

  it('treats bytes with NULs or invalid UTF-8 as binary, whatever the name says', () => {
    expect(detectMediaType('bom.json', new Uint8Array([0x7b, 0x00, 0x22]))).toBe(
      MEDIA_TYPES.binary,
    );
    expect(detectMediaType('build.log', new Uint8Array([0xff, 0xfe, 0xfd, 0x41]))).toBe(
      MEDIA_TYPES.binary,
    );
  });

  it('strips a UTF-8 BOM and tolerates a character cut off at the end of the prefix', () => {
    const bom = '\uFEFF{"bomFormat":"CycloneDX"}';
    expect(detectMediaType('x.json', enc(bom))).toBe(MEDIA_TYPES.cyclonedxJson);
    const cut = enc('plain text é').slice(0, -1); // the last byte of é is missing
    expect(detectMediaType('x.log', cut)).toBe(MEDIA_TYPES.text);
  });

  it('lets the name refine a generic container but never override content', () => {
    // The signature keys lie beyond the sniffed prefix: content says JSON, the name says SARIF.
    const padded = `{"padding": "${'x'.repeat(SNIFF_BYTES)}", "runs": []}`;
    const head = enc(padded).slice(0, SNIFF_BYTES);
    expect(detectMediaType('scan.sarif', head)).toBe(MEDIA_TYPES.sarif);
    expect(detectMediaType('scan.json', head)).toBe(MEDIA_TYPES.json);
    expect(detectMediaType('app.cdx.json', enc('{"components": []}'))).toBe(
      MEDIA_TYPES.cyclonedxJson,
    );
    // A name promising JSON on a text file: the content wins.
    expect(detectMediaType('app.cdx.json', enc('not json at all'))).toBe(MEDIA_TYPES.text);
    // Content that is recognised wins over a name that says otherwise.
    expect(detectMediaType('report.spdx.json', enc('{"bomFormat":"CycloneDX"}'))).toBe(
      MEDIA_TYPES.cyclonedxJson,
    );
  });
});

describe('output names', () => {
  it('reduces a recorded name to a safe base name', () => {
    expect(safeFileName('../../etc/passwd', 'fb')).toBe('passwd');
    expect(safeFileName('C:\\Users\\x\\build.log', 'fb')).toBe('build.log');
    expect(safeFileName('..', 'fb')).toBe('fb');
    expect(safeFileName('.bashrc', 'fb')).toBe('bashrc');
    expect(safeFileName('a\u0000b\nc', 'fb')).toBe('a_b_c');
    expect(safeFileName('', 'fb')).toBe('fb');
  });

  it('prefixes repeated names with the entry index', () => {
    const names = new OutputNames();
    expect(names.claim('build.log', 3, `sha256:${'a'.repeat(64)}`)).toBe('build.log');
    expect(names.claim('sub/build.log', 7, `sha256:${'b'.repeat(64)}`)).toBe('7-build.log');
    expect(names.claim('/', 9, `sha256:${'c'.repeat(64)}`)).toBe('evidence-cccccccccccc');
  });
});
