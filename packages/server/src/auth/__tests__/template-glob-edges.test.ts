/**
 * The exact output of parseTemplate (no empty text parts), its refusals word for word, the glob
 * edges (`**` before more text, `**` across a newline, an empty list), and which token claims
 * become strings.
 */
import { AuthError } from '../errors.ts';
import { stringClaims } from '../claims.ts';
import { compileClaimMatch } from '../glob.ts';
import { parseTemplate } from '../template.ts';

function message(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    return (err as Error).message;
  }
  return 'no error';
}

describe('parseTemplate', () => {
  it('splits text and claims, with no empty text parts', () => {
    expect(parseTemplate('{repository}')).toEqual([{ claim: 'repository' }]);
    expect(parseTemplate('github:{repository}')).toEqual([
      { text: 'github:' },
      { claim: 'repository' },
    ]);
    expect(parseTemplate('{a}{b}')).toEqual([{ claim: 'a' }, { claim: 'b' }]);
    expect(parseTemplate('{a}@{{x}}')).toEqual([{ claim: 'a' }, { text: '@{x}' }]);
    expect(parseTemplate('')).toEqual([]);
  });

  it.each([
    ['a:{b', 'unclosed "{" at 2; write "{{" for a literal brace'],
    ['{b', 'unclosed "{" at 0; write "{{" for a literal brace'],
    ['a:}', 'unmatched "}" at 2; write "}}" for a literal brace'],
    ['a:{b c}', '"{b c}" is not a {claim} placeholder'],
    ['a:{}', '"{}" is not a {claim} placeholder'],
  ])('refuses %s: %s', (template, expected) => {
    expect(message(() => parseTemplate(template))).toBe(expected);
  });
});

describe('compileClaimMatch edges', () => {
  it.each([
    ['**/main', 'refs/heads/main', true],
    ['**/main', 'refs/heads/xmain', false],
    ['**/main', 'refs/heads/dev', false],
    ['acme/**', 'acme/x\ny', true],
  ])('%j ~ %j -> %s', (pattern, value, expected) => {
    expect(compileClaimMatch([pattern])(value)).toBe(expected);
  });

  it('refuses an empty list of patterns', () => {
    let err: unknown;
    try {
      compileClaimMatch([]);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(AuthError);
    expect(err).toMatchObject({
      code: 'AUTH_CONFIG_INVALID',
      message: 'A claim match needs at least one pattern.',
    });
  });
});

describe('stringClaims', () => {
  it('keeps strings, numbers and booleans as text, leaves objects and null out', () => {
    expect(
      stringClaims({ sub: 'x', run_attempt: 2, ref_protected: false, aud: ['a'], nbf: null }),
    ).toEqual({ sub: 'x', run_attempt: '2', ref_protected: 'false' });
  });
});
