import { compileClaimMatch } from '../glob.ts';
import { expandTemplate, parseTemplate } from '../template.ts';

describe('claim globs', () => {
  it.each([
    ['acme/widgets', 'acme/widgets', true],
    ['acme/widgets', 'acme/widgets2', false],
    ['acme/widgets', 'xacme/widgets', false],
    ['acme/*', 'acme/widgets', true],
    ['acme/*', 'acme/', true],
    ['acme/*', 'acme/x/y', false],
    ['acme/*', 'acme-evil/x', false],
    ['acme/**', 'acme/x/y', true],
    ['refs/heads/release-?', 'refs/heads/release-1', true],
    ['refs/heads/release-?', 'refs/heads/release-10', false],
    ['a.b', 'axb', false],
    ['(a|b)+', '(a|b)+', true],
    ['(a|b)+', 'a', false],
    ['x[1]', 'x[1]', true],
    ['x\\d', 'x\\d', true],
    ['x\\d', 'x1', false],
  ])('%s ~ %s -> %s', (pattern, value, expected) => {
    expect(compileClaimMatch([pattern])(value)).toBe(expected);
  });

  it('a list matches when any element does', () => {
    const m = compileClaimMatch(['acme/*', 'tools/release']);
    expect(m('tools/release')).toBe(true);
    expect(m('acme/a')).toBe(true);
    expect(m('tools/other')).toBe(false);
  });

  it('a newline cannot sneak past an anchor', () => {
    expect(compileClaimMatch(['acme/*'])('acme/x\nevil/y')).toBe(false);
  });
});

describe('identity templates', () => {
  it('expands claims', () => {
    const t = parseTemplate('github:{repository}@{ref}');
    expect(expandTemplate(t, { repository: 'acme/w', ref: 'main' })).toBe('github:acme/w@main');
  });

  it('keeps literal text and escaped braces', () => {
    expect(expandTemplate(parseTemplate('scanner-bot'), {})).toBe('scanner-bot');
    expect(expandTemplate(parseTemplate('{{x}}:{a}'), { a: '1' })).toBe('{x}:1');
  });

  it('gives undefined when a claim is missing or empty', () => {
    const t = parseTemplate('gitlab:{project_path}');
    expect(expandTemplate(t, {})).toBeUndefined();
    expect(expandTemplate(t, { project_path: '' })).toBeUndefined();
    expect(expandTemplate(t, { toString: 'x' } as Record<string, string>)).toBeUndefined();
  });

  it.each(['a:{b', 'a:}', 'a:{}', 'a:{b c}', 'a:{1x}'])('refuses %s', (template) => {
    expect(() => parseTemplate(template)).toThrow();
  });
});
