/**
 * Identity name templates of OIDC rules: `github:{repository}` -> `github:acme/widgets`.
 * `{claim}` is replaced by the claim's value; `{{` and `}}` are literal braces.
 */
export type TemplatePart = { text: string } | { claim: string };

const CLAIM = /^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/;

/** Throws an Error with a plain message when the template is malformed. */
export function parseTemplate(template: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let text = '';
  for (let i = 0; i < template.length; i++) {
    const c = template[i];
    if ((c === '{' || c === '}') && template[i + 1] === c) {
      text += c;
      i++;
    } else if (c === '{') {
      const end = template.indexOf('}', i);
      if (end < 0) throw new Error(`unclosed "{" at ${i}; write "{{" for a literal brace`);
      const claim = template.slice(i + 1, end);
      if (!CLAIM.test(claim)) throw new Error(`"{${claim}}" is not a {claim} placeholder`);
      if (text !== '') parts.push({ text });
      text = '';
      parts.push({ claim });
      i = end;
    } else if (c === '}') {
      throw new Error(`unmatched "}" at ${i}; write "}}" for a literal brace`);
    } else {
      text += c;
    }
  }
  if (text !== '') parts.push({ text });
  return parts;
}

/** The expanded name, or undefined when a claim it needs is missing. */
export function expandTemplate(
  parts: readonly TemplatePart[],
  claims: Readonly<Record<string, string>>,
): string | undefined {
  let out = '';
  for (const part of parts) {
    if ('text' in part) {
      out += part.text;
    } else {
      const value = Object.hasOwn(claims, part.claim) ? claims[part.claim] : undefined;
      if (value === undefined || value === '') return undefined;
      out += value;
    }
  }
  return out;
}
