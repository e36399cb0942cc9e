import { generateSigningKey } from '../signing/keys.ts';
import { DEFAULT_POLICY, DEFAULT_POLICY_YAML } from '../policy/default-policy.ts';
import { parsePolicy } from '../policy/parse.ts';
import { PolicyError, type PolicyProblem } from '../policy/policy-error.ts';

async function problems(text: string): Promise<PolicyProblem[]> {
  try {
    await parsePolicy(text, { source: 'gate.yml' });
  } catch (e) {
    expect(e).toBeInstanceOf(PolicyError);
    expect(e).toMatchObject({ code: 'POLICY_INVALID', category: 'input' });
    return [...(e as PolicyError).problems];
  }
  throw new Error('the policy was accepted');
}

describe('parsePolicy', () => {
  it('reads the example of docs/trust-model.md', async () => {
    const policy = await parsePolicy(
      [
        'version: 1',
        'require:                      # every rule must be met',
        '  - {identity: ci, status: trusted}',
        '  - {role: qa, status: trusted, min: 2}      # N-of-M approvals',
        'block:                        # any match blocks; checked before `require`',
        '  - {status: untrusted}                     # from any identity',
        '  - {role: pm, status: unsupported}',
        '',
      ].join('\n'),
      { source: 'gate.yml' },
    );
    expect(policy).toEqual({
      version: 1,
      source: 'gate.yml',
      keys: [],
      require: [
        { where: 'require[0]', line: 3, identity: 'ci', status: 'trusted', min: 1 },
        { where: 'require[1]', line: 4, role: 'qa', status: 'trusted', min: 2 },
      ],
      block: [
        { where: 'block[0]', line: 6, status: 'untrusted', min: 1 },
        { where: 'block[1]', line: 7, role: 'pm', status: 'unsupported', min: 1 },
      ],
    });
  });

  it('reads the extensions', async () => {
    const pair = await generateSigningKey('ed25519');
    const keyid = 'f'.repeat(64);
    const pem = pair.publicKeyPem
      .trim()
      .split('\n')
      .map((l) => `        ${l}`)
      .join('\n');
    const policy = await parsePolicy(
      [
        'version: 1',
        'require:',
        '  - identity: "github:org/*"',
        '    status: trusted',
        '    maxAge: 30d',
        '    signedBy:',
        `      - ${keyid}`,
        '      - |',
        pem,
        '    ci:',
        '      ref: refs/heads/main',
        '      repository: [org/app, org/lib]',
        'block:',
        '  - {status: eol, maxAge: 12h}',
      ].join('\n'),
    );
    expect(policy.require[0]).toEqual({
      where: 'require[0]',
      line: 3,
      identity: 'github:org/*',
      status: 'trusted',
      min: 1,
      maxAge: { text: '30d', ms: 30 * 86_400_000 },
      signedBy: [keyid, pair.keyid],
      ci: { ref: ['refs/heads/main'], repository: ['org/app', 'org/lib'] },
    });
    expect(policy.block[0]).toMatchObject({
      status: 'unsupported',
      maxAge: { ms: 12 * 3_600_000 },
    });
    expect(policy.keys.map((k) => k.keyid)).toEqual([pair.keyid]);
  });

  it('keeps key ids and CI values as written even when YAML would read numbers', async () => {
    const digits = '1'.repeat(64);
    const floaty = `12e4${'0'.repeat(60)}`;
    const policy = await parsePolicy(
      `version: 1\nrequire:\n  - status: trusted\n    signedBy: [${digits}, ${floaty}]\n    ci: {pipeline_id: 0123, attempt: [1, 2]}\n`,
    );
    expect(policy.require[0]?.signedBy).toEqual([digits, floaty]);
    expect(policy.require[0]?.ci).toEqual({ pipeline_id: ['0123'], attempt: ['1', '2'] });
  });

  it('the built-in policy is the documented YAML', async () => {
    const parsed = await parsePolicy(DEFAULT_POLICY_YAML, { source: 'built-in' });
    const strip = (rules: typeof parsed.require) => rules.map(({ line: _line, ...r }) => r);
    expect(strip(parsed.require)).toEqual(strip(DEFAULT_POLICY.require));
    expect(strip(parsed.block)).toEqual(strip(DEFAULT_POLICY.block));
  });

  it.each([
    ['an empty file', '', [{ line: 1, message: /empty/ }]],
    ['a file of comments only', '# nothing here\n', [{ line: 1, message: /empty/ }]],
    [
      'a YAML syntax error',
      'version: 1\nrequire:\n  - {status: trusted\n',
      [{ line: 4, message: /YAML syntax error/ }],
    ],
    [
      'duplicate keys',
      'version: 1\nversion: 1\nblock: [{status: untrusted}]\n',
      [{ line: 2, message: /YAML syntax error.*unique/ }],
    ],
    ['a top-level list', '- status: trusted\n', [{ line: 1, message: /must be object/ }]],
    [
      'no version',
      'require: [{status: trusted}]\n',
      [{ line: 1, message: /missing required key "version"/ }],
    ],
    [
      'a bad version',
      'version: 2\nrequire: [{status: trusted}]\n',
      [{ line: 1, path: 'version', message: /version must be 1/ }],
    ],
    [
      'version as a string',
      'version: "1"\nrequire: [{status: trusted}]\n',
      [{ line: 1, path: 'version', message: /version must be 1/ }],
    ],
    [
      'an unknown top-level key',
      'version: 1\nrequires: [{status: trusted}]\n',
      [
        {
          line: 2,
          column: 1,
          message: /unknown key "requires"; a policy has version, require, block and witnesses/,
        },
      ],
    ],
    [
      'an unknown rule key',
      'version: 1\nrequire:\n  - status: trusted\n    identiy: ci\n',
      [{ line: 4, column: 5, path: 'require[0]', message: /unknown key "identiy"/ }],
    ],
    [
      'a wrong status',
      'version: 1\nblock:\n  - {status: untrusted}\n  - {status: bad}\n',
      [
        {
          line: 4,
          path: 'block[1].status',
          message: /must be one of "untrusted", "unsupported", "eol", "revoked"/,
        },
      ],
    ],
    [
      'a block rule on trusted',
      'version: 1\nblock:\n  - status: trusted\n',
      [{ line: 3, path: 'block[0].status', message: /cannot name trusted/ }],
    ],
    [
      'a rule without status',
      'version: 1\nrequire:\n  - identity: ci\n',
      [{ line: 3, message: /missing required key "status"/ }],
    ],
    [
      'min zero',
      'version: 1\nrequire:\n  - {status: trusted, min: 0}\n',
      [{ line: 3, path: 'require[0].min', message: /positive integer/ }],
    ],
    [
      'min 1.5',
      'version: 1\nrequire:\n  - {status: trusted, min: 1.5}\n',
      [{ line: 3, path: 'require[0].min', message: /positive integer/ }],
    ],
    [
      'min as text',
      'version: 1\nrequire:\n  - status: trusted\n    min: two\n',
      [{ line: 4, column: 10, message: /positive integer/ }],
    ],
    [
      'a bad maxAge',
      'version: 1\nrequire:\n  - {status: trusted, maxAge: 30 days}\n',
      [{ line: 3, message: /maxAge must be/ }],
    ],
    [
      'an empty signedBy',
      'version: 1\nrequire:\n  - {status: trusted, signedBy: []}\n',
      [{ line: 3, message: /fewer than 1/ }],
    ],
    [
      'a signedBy that is no key',
      'version: 1\nrequire:\n  - status: trusted\n    signedBy: [abc]\n',
      [{ line: 4, path: 'require[0].signedBy[0]', message: /not a key id/ }],
    ],
    [
      'a ci condition that is a map',
      'version: 1\nrequire:\n  - status: trusted\n    ci: {ref: {a: b}}\n',
      [{ line: 4, message: /must be string,array/ }],
    ],
    ['no rules at all', 'version: 1\nrequire: []\n', [{ line: 1, message: /no rules/ }]],
  ])('reports %s with its line', async (_what, text, expected) => {
    const got = await problems(text);
    expect(got).toEqual(
      expected.map((e) =>
        expect.objectContaining({
          line: e.line,
          message: expect.stringMatching(e.message),
          ...('column' in e ? { column: e.column } : {}),
          ...('path' in e ? { path: e.path } : {}),
        }),
      ),
    );
  });

  it('reports every problem at once, in file order, in the message too', async () => {
    const text =
      'version: 1\nrequire:\n  - {status: nope, min: 0}\nblock:\n  - {status: trusted, colour: red}\n';
    const got = await problems(text);
    expect(got.map((p) => [p.line, p.path])).toEqual([
      [3, 'require[0].status'],
      [3, 'require[0].min'],
      [5, 'block[0].status'],
      [5, 'block[0]'], // at the unknown key, right of `status`
    ]);
    await expect(parsePolicy(text, { source: 'gate.yml' })).rejects.toThrow(
      /gate\.yml:5:\d+: block\[0\]: unknown key "colour"/,
    );
  });
});

describe('witnesses option', () => {
  const vkey = 'w.test/witness+0b8cbb0f+BDNMeYrdT6Lh9w0Q3kQXr0YVbzEXyEpOGPjZ9O0Bv1bG';
  it('reads keys, quorum and maxAge', async () => {
    const p = await parsePolicy(
      `version: 1\nrequire: [{status: trusted}]\nwitnesses:\n  keys: ["${vkey}", "other"]\n  quorum: 1\n  maxAge: 1h\n`,
    );
    expect(p.witnesses).toEqual({ keys: [vkey, 'other'], quorum: 1, maxAgeMs: 3_600_000 });
  });
  it('refuses a quorum above the keys listed, and unknown keys in the section', async () => {
    await expect(
      parsePolicy(`version: 1\nrequire: [{status: trusted}]\nwitnesses: {keys: [a], quorum: 2}\n`),
    ).rejects.toThrow(/quorum 2 exceeds the 1 witness keys listed/);
    await expect(
      parsePolicy(`version: 1\nrequire: [{status: trusted}]\nwitnesses: {keys: [a], quorom: 1}\n`),
    ).rejects.toThrow(/unknown key "quorom"/);
    await expect(
      parsePolicy(`version: 1\nrequire: [{status: trusted}]\nwitnesses: {keys: []}\n`),
    ).rejects.toThrow(/witnesses/);
  });
});
