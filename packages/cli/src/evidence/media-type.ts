/**
 * Media type of an evidence file, from its first bytes and its name. The content decides what
 * kind of document it is (a `.json` name proves nothing); the name only refines a generic result
 * (JSON, XML, text) when the signature keys lie beyond the sniffed prefix. Documented in
 * docs/evidence.md.
 */

export const MEDIA_TYPES = {
  cyclonedxJson: 'application/vnd.cyclonedx+json',
  cyclonedxXml: 'application/vnd.cyclonedx+xml',
  spdxJson: 'application/spdx+json',
  spdxTagValue: 'text/spdx',
  sarif: 'application/sarif+json',
  inTotoStatement: 'application/vnd.in-toto+json',
  dsseEnvelope: 'application/vnd.dsse.envelope.v1+json',
  inTotoBundle: 'application/vnd.in-toto.bundle',
  junit: 'application/junit+xml',
  json: 'application/json',
  xml: 'application/xml',
  text: 'text/plain',
  binary: 'application/octet-stream',
} as const;

export type EvidenceMediaType = (typeof MEDIA_TYPES)[keyof typeof MEDIA_TYPES];

/** How many leading bytes `detectMediaType` looks at. */
export const SNIFF_BYTES = 64 * 1024;

type Container = 'json' | 'jsonl' | 'xml' | 'text' | 'binary';

const IN_TOTO_PAYLOAD = /"payloadType"\s*:\s*"application\/vnd\.in-toto(?:\.[\w.-]+)?\+json"/;
const IN_TOTO_TYPE = /"_type"\s*:\s*"https:\/\/in-toto\.io\/Statement\/v[\d.]+"/;

function decodeText(head: Uint8Array): string | undefined {
  // NUL bytes never occur in the text formats we recognise; they mark binary data.
  if (head.includes(0)) return undefined;
  try {
    // `stream: true` tolerates a multi-byte character cut off at the end of the prefix.
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(head, {
      stream: true,
    });
  } catch {
    return undefined;
  }
}

function jsonKind(text: string): EvidenceMediaType | undefined {
  if (/"bomFormat"\s*:\s*"CycloneDX"/.test(text)) return MEDIA_TYPES.cyclonedxJson;
  if (/"spdxVersion"\s*:\s*"SPDX-/.test(text)) return MEDIA_TYPES.spdxJson;
  if (
    /"\$schema"\s*:\s*"[^"]*sarif[^"]*"/i.test(text) ||
    (/"version"\s*:\s*"2\.1\.0"/.test(text) && /"runs"\s*:\s*\[/.test(text))
  ) {
    return MEDIA_TYPES.sarif;
  }
  if (IN_TOTO_PAYLOAD.test(text) && /"payload"\s*:/.test(text)) return MEDIA_TYPES.dsseEnvelope;
  if (IN_TOTO_TYPE.test(text)) return MEDIA_TYPES.inTotoStatement;
  return undefined;
}

/** The first element name of an XML document, skipping the declaration, comments and DOCTYPE. */
function xmlRoot(text: string): { name: string; start: string } | undefined {
  const body = text
    .replace(/<\?[\s\S]*?\?>/g, '')
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/<!DOCTYPE[^>]*>/gi, '');
  const m = /<([A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)([^>]*)>?/.exec(body);
  return m ? { name: m[2] as string, start: m[3] ?? '' } : undefined;
}

function xmlKind(text: string): EvidenceMediaType | undefined {
  const root = xmlRoot(text);
  if (!root) return undefined;
  if (root.name === 'bom' && /cyclonedx\.org\/schema\/bom/.test(root.start)) {
    return MEDIA_TYPES.cyclonedxXml;
  }
  if (root.name === 'testsuites' || root.name === 'testsuite') return MEDIA_TYPES.junit;
  return undefined;
}

function container(text: string | undefined): Container {
  if (text === undefined) return 'binary';
  const t = text.replace(/^\uFEFF/, '').trimStart();
  if (t.startsWith('{')) {
    // JSON Lines: a complete object on the first line and another object after it.
    const newline = t.indexOf('\n');
    if (
      newline > 0 &&
      t.slice(0, newline).trimEnd().endsWith('}') &&
      t
        .slice(newline + 1)
        .trimStart()
        .startsWith('{')
    ) {
      return 'jsonl';
    }
    return 'json';
  }
  if (t.startsWith('[')) return 'json';
  if (t.startsWith('<')) return 'xml';
  return 'text';
}

const NAME_HINTS: { pattern: RegExp; container: Container; type: EvidenceMediaType }[] = [
  { pattern: /(\.cdx\.json|^bom\.json)$/i, container: 'json', type: MEDIA_TYPES.cyclonedxJson },
  { pattern: /(\.cdx\.xml|^bom\.xml)$/i, container: 'xml', type: MEDIA_TYPES.cyclonedxXml },
  { pattern: /\.spdx\.json$/i, container: 'json', type: MEDIA_TYPES.spdxJson },
  { pattern: /\.spdx$/i, container: 'text', type: MEDIA_TYPES.spdxTagValue },
  { pattern: /\.sarif(\.json)?$/i, container: 'json', type: MEDIA_TYPES.sarif },
  { pattern: /\.intoto\.jsonl$/i, container: 'jsonl', type: MEDIA_TYPES.inTotoBundle },
  { pattern: /\.intoto\.jsonl$/i, container: 'json', type: MEDIA_TYPES.inTotoBundle },
  { pattern: /\.dsse(\.json)?$/i, container: 'json', type: MEDIA_TYPES.dsseEnvelope },
  { pattern: /\.intoto\.json$/i, container: 'json', type: MEDIA_TYPES.inTotoStatement },
  {
    pattern: /(^|[._-])(junit|test-?results?)[^/]*\.xml$/i,
    container: 'xml',
    type: MEDIA_TYPES.junit,
  },
];

/**
 * The media type of a file given its first bytes (at least the first SNIFF_BYTES, or all of a
 * smaller file) and its name (only the base name is looked at).
 */
export function detectMediaType(name: string, head: Uint8Array): EvidenceMediaType {
  const base = name.split(/[\\/]/).pop() ?? name;
  const text = decodeText(head);
  const kind = container(text);
  const body = text ?? '';
  if (kind === 'json') {
    const found = jsonKind(body);
    if (found) return found;
  } else if (kind === 'jsonl') {
    // An in-toto bundle: one DSSE envelope (or statement) per line.
    const firstLine = body.trimStart().split('\n', 1)[0] ?? '';
    if (IN_TOTO_PAYLOAD.test(firstLine) || IN_TOTO_TYPE.test(firstLine)) {
      return MEDIA_TYPES.inTotoBundle;
    }
  } else if (kind === 'xml') {
    const found = xmlKind(body);
    if (found) return found;
  } else if (kind === 'text') {
    if (/^\uFEFF?\s*SPDXVersion:\s*SPDX-/m.test(body)) return MEDIA_TYPES.spdxTagValue;
  }
  for (const hint of NAME_HINTS) {
    if (hint.container === kind && hint.pattern.test(base)) return hint.type;
  }
  switch (kind) {
    case 'json':
      return MEDIA_TYPES.json;
    case 'jsonl':
      return MEDIA_TYPES.text;
    case 'xml':
      return MEDIA_TYPES.xml;
    case 'text':
      return MEDIA_TYPES.text;
    case 'binary':
      return MEDIA_TYPES.binary;
  }
}
