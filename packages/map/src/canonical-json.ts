// The pieces of RFC 8785 (JCS) that map values need: strings and non-negative integers. A map
// value has a fixed shape, so a full JCS implementation (floats, arbitrary nesting) is not needed,
// and keeping this package free of other workspace packages keeps it browser- and Python-portable.

/** RFC 8785 section 3.2.2.2: escape `"`, `\` and C0 controls; everything else is literal. */
export function canonicalString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x22) out += '\\"';
    else if (c === 0x5c) out += '\\\\';
    else if (c >= 0x20) out += s[i];
    else if (c === 0x08) out += '\\b';
    else if (c === 0x09) out += '\\t';
    else if (c === 0x0a) out += '\\n';
    else if (c === 0x0c) out += '\\f';
    else if (c === 0x0d) out += '\\r';
    else out += `\\u${c.toString(16).padStart(4, '0')}`;
  }
  return `${out}"`;
}

/** An integer in ECMAScript form, which for safe integers is plain decimal digits. */
export function canonicalInteger(n: number): string {
  return String(n);
}

/** RFC 8785 sorts members by UTF-16 code units, which is JS's default string comparison. */
export function compareUtf16(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
