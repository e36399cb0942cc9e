/**
 * What a policy that does not validate says, problem by problem: line, column, path and message
 * (a person fixes the file from these), and the whole error text. And the values the parser keeps
 * as written.
 */
import { parsePolicy } from '../policy/parse.ts';
import { generateSigningKey } from '../signing/keys.ts';
import { PolicyError, type PolicyProblem } from '../policy/policy-error.ts';

async function refusal(text: string, source?: string): Promise<PolicyError> {
  try {
    await parsePolicy(text, source === undefined ? {} : { source });
  } catch (e) {
    expect(e).toBeInstanceOf(PolicyError);
    return e as PolicyError;
  }
  throw new Error('the policy was accepted');
}

const cases: [string, string, PolicyProblem[]][] = [
  [
    'no rules after a comment',
    '# gate\n\nversion: 1\n',
    [
      {
        line: 3,
        column: 1,
        path: '',
        message:
          'the policy has no rules; add require or block rules (an empty policy would allow everything)',
      },
    ],
  ],
  [
    'a ci value that is a mapping, under a key with / and ~',
    'version: 1\nrequire:\n  - status: trusted\n    ci:\n      a/b~c: {x: 1}\n',
    [{ line: 5, column: 14, path: 'require[0].ci.a/b~c', message: 'must be string,array' }],
  ],
  [
    'a ci value that is a mapping, under a key ending in a digit',
    'version: 1\nrequire:\n  - status: trusted\n    ci:\n      k1: {a: 1}\n',
    [{ line: 5, column: 11, path: 'require[0].ci.k1', message: 'must be string,array' }],
  ],
  [
    'a ci value that is a mapping, under a key starting with a digit',
    'version: 1\nrequire:\n  - status: trusted\n    ci:\n      "1k": {a: 1}\n',
    [{ line: 5, column: 13, path: 'require[0].ci.1k', message: 'must be string,array' }],
  ],
  [
    'top unknown',
    'version: 1\nrequire:\n  - {status: trusted}\nextra: 1\n',
    [
      {
        line: 4,
        column: 1,
        path: '',
        message: 'unknown key "extra"; a policy has version, require, block and witnesses',
      },
    ],
  ],
  [
    'rule unknown',
    'version: 1\nrequire:\n  - status: trusted\n    idnetity: ci\n',
    [
      {
        line: 4,
        column: 5,
        path: 'require[0]',
        message:
          'unknown key "idnetity"; a rule has identity, role, status, min, maxAge, signedBy and ci',
      },
    ],
  ],
  [
    'min',
    'version: 1\nrequire:\n  - {status: trusted, min: 0}\n',
    [
      {
        line: 3,
        column: 28,
        path: 'require[0].min',
        message: 'min must be a positive integer (how many distinct identities must match)',
      },
    ],
  ],
  [
    'version',
    'version: 2\nrequire:\n  - {status: trusted}\n',
    [
      {
        line: 1,
        column: 10,
        path: 'version',
        message: 'version must be 1 (the only policy language version)',
      },
    ],
  ],
  [
    'maxAge',
    'version: 1\nrequire:\n  - {status: trusted, maxAge: 30x}\n',
    [
      {
        line: 3,
        column: 31,
        path: 'require[0].maxAge',
        message: 'maxAge must be a number and a unit s, m, h, d or w (e.g. 30d)',
      },
    ],
  ],
  [
    'maxAge type',
    'version: 1\nrequire:\n  - {status: trusted, maxAge: 30}\n',
    [{ line: 3, column: 31, path: 'require[0].maxAge', message: 'must be string' }],
  ],
  [
    'block trusted',
    'version: 1\nblock:\n  - {status: trusted}\n',
    [
      {
        line: 3,
        column: 14,
        path: 'block[0].status',
        message:
          'must be one of "untrusted", "unsupported", "eol", "revoked" (a block rule cannot name trusted)',
      },
    ],
  ],
  [
    'require bad status',
    'version: 1\nrequire:\n  - {status: nice}\n',
    [
      {
        line: 3,
        column: 14,
        path: 'require[0].status',
        message: 'must be one of "trusted", "untrusted", "unsupported", "eol", "revoked"',
      },
    ],
  ],
  [
    'null',
    '~\n',
    [
      {
        line: 1,
        column: 1,
        path: '',
        message: 'the policy is empty; write at least `version: 1` and one require or block rule',
      },
    ],
  ],
  [
    'no rules',
    'version: 1\n',
    [
      {
        line: 1,
        column: 1,
        path: '',
        message:
          'the policy has no rules; add require or block rules (an empty policy would allow everything)',
      },
    ],
  ],
  [
    'dup key',
    'version: 1\nversion: 1\n',
    [{ line: 2, column: 1, path: '', message: 'YAML syntax error: Map keys must be unique' }],
  ],
  [
    'bad key',
    'version: 1\nrequire:\n  - {status: trusted, signedBy: [nothex]}\n',
    [
      {
        line: 3,
        column: 34,
        path: 'require[0].signedBy[0]',
        message:
          'not a key id (64 hex), a PEM public key or a key file: expected 64 lowercase hex characters or a PEM block',
      },
    ],
  ],
  [
    'block rule unknown',
    'version: 1\nblock:\n  - {status: untrusted, x: 1}\n',
    [
      {
        line: 3,
        column: 25,
        path: 'block[0]',
        message: 'unknown key "x"; a rule has identity, role, status, min, maxAge, signedBy and ci',
      },
    ],
  ],
  [
    'second rule min',
    'version: 1\nrequire:\n  - {status: trusted}\n  - {status: trusted, min: 1.5}\n',
    [
      {
        line: 4,
        column: 28,
        path: 'require[1].min',
        message: 'min must be a positive integer (how many distinct identities must match)',
      },
    ],
  ],
];

describe('policy problems, exactly', () => {
  it.each(cases)('%s', async (_what, text, problems) => {
    expect((await refusal(text, 'gate.yml')).problems).toEqual(problems);
  });

  it('says the whole of it in the message, and names itself', async () => {
    const err = await refusal('version: 2\nrequire:\n  - {status: trusted, min: 0}\n', 'gate.yml');
    expect(err.name).toBe('PolicyError');
    expect(err.message).toBe(
      'invalid gate policy gate.yml (a policy that does not validate never allows):\n' +
        '  gate.yml:1:10: version: version must be 1 (the only policy language version)\n' +
        '  gate.yml:3:28: require[0].min: min must be a positive integer (how many distinct identities must match)',
    );
  });

  it('names the source "policy" when none is given, and a problem without a path plainly', async () => {
    const err = await refusal('');
    expect(err.message).toBe(
      'invalid gate policy policy (a policy that does not validate never allows):\n' +
        '  policy:1:1: the policy is empty; write at least `version: 1` and one require or block rule',
    );
  });

  it('refuses a document that expands too many aliases, with the cause', async () => {
    const bomb = [
      'a: &a [x,x,x,x,x,x,x,x,x,x]',
      'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]',
      'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]',
      'd: [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]',
      '',
    ].join('\n');
    const err = await refusal(bomb, 'gate.yml');
    expect(err.problems).toEqual([
      {
        line: 1,
        column: 1,
        path: '',
        message:
          'the policy expands too many YAML aliases: Excessive alias count indicates a resource exhaustion attack; write it without aliases',
      },
    ]);
    expect(err.cause).toBeInstanceOf(Error);
  });
});

describe('values kept as written', () => {
  it('keeps numbers in signedBy and ci as their text, and copies identity and role', async () => {
    const digits = '1'.repeat(64);
    const policy = await parsePolicy(
      `version: 1\nrequire:\n  - {identity: ci, role: qa, status: trusted, signedBy: [${digits}], ci: {pipeline_id: 123, ref: [main, 0x10], flag: true}}\n`,
    );
    expect(policy.require).toEqual([
      {
        where: 'require[0]',
        line: 3,
        identity: 'ci',
        role: 'qa',
        status: 'trusted',
        min: 1,
        signedBy: [digits],
        ci: { pipeline_id: ['123'], ref: ['main', '0x10'], flag: ['true'] },
      },
    ]);
    expect(policy.keys).toEqual([]);
    const block = await parsePolicy(
      `version: 1\nblock:\n  - {status: untrusted, signedBy: [${digits}], ci: {pipeline_id: 123}}\n`,
    );
    expect(block.block[0]).toMatchObject({ signedBy: [digits], ci: { pipeline_id: ['123'] } });
  });

  it('leaves identity and role out of a rule that has none', async () => {
    const policy = await parsePolicy('version: 1\nblock:\n  - {status: untrusted}\n');
    expect(Object.keys(policy.block[0]!).sort()).toEqual(['line', 'min', 'status', 'where']);
  });

  it('imports a PEM key named twice once, under its key id', async () => {
    const pair = await generateSigningKey('ed25519');
    const pem = JSON.stringify(pair.publicKeyPem);
    const policy = await parsePolicy(
      `version: 1\nrequire:\n  - {status: trusted, signedBy: [${pem}]}\n  - {status: trusted, signedBy: [${pem}]}\n`,
    );
    expect(policy.keys).toHaveLength(1);
    const other = JSON.stringify((await generateSigningKey('ed25519')).publicKeyPem);
    const two = await parsePolicy(
      `version: 1\nrequire:\n  - {status: trusted, signedBy: [${pem}, ${other}]}\n`,
    );
    expect(two.keys).toHaveLength(2);
    expect(policy.require.map((r) => r.signedBy)).toEqual([
      [policy.keys[0]!.keyid],
      [policy.keys[0]!.keyid],
    ]);
  });
});
