/**
 * The CLI's surface for people and scripts: failures as JSON with --json, the "recorded as" line
 * after every write, decision messages that read "needs N, found M", `signedBy` key files, and
 * shell completion scripts that the real shells (bash, zsh, fish) accept and complete with.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { notarizeCli } from './support/cli.ts';
import { startHarness } from './support/service-harness.ts';

let dir: string;
const ledger = () => `file:${path.join(dir, 'ledger')}`;
const run = (argv: string[]) =>
  notarizeCli([...argv, '--ledger', ledger()], {
    cwd: dir,
    env: { NOTARIZE_STATE: path.join(dir, 'state.json') },
  });

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'notarize-ergonomics-'));
  await writeFile(path.join(dir, 'app.tgz'), 'the app\n');
  await writeFile(path.join(dir, 'lib.tgz'), 'the lib\n');
  expect((await run(['trust', 'lib.tgz', '--as', 'ci'])).code).toBe(0);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('--json failures', () => {
  it('a refused command prints one JSON error object on stdout, with its exit code', async () => {
    const r = await run(['gate', 'app.tgz', '--json']);
    expect(r.code).toBe(10);
    expect(r.json()).toEqual({
      error: { code: 'POLICY_MISSING', message: expect.stringMatching(/--policy FILE/), exit: 10 },
    });
    expect(r.stderr).toMatch(/POLICY_MISSING/);
  });

  it('a usage error too; without --json stdout stays empty', async () => {
    const bad = await notarizeCli(['status', '--json', '--no-such-flag', 'x'], { cwd: dir });
    expect(bad.code).toBe(10);
    expect(bad.json()).toEqual({
      error: { code: 'USAGE', message: expect.stringMatching(/no-such-flag/), exit: 10 },
    });
    const plain = await run(['gate', 'app.tgz']);
    expect(plain.code).toBe(10);
    expect(plain.stdout).toBe('');
  });

  it('--json after -- is an argument, not a request for JSON', async () => {
    const r = await run(['digest', '--', '--json']);
    expect(r.code).not.toBe(0);
    expect(r.stdout).toBe('');
  });
});

describe('the "recorded as" line', () => {
  it('names the identity and role the ledger recorded, the index and the tree size', async () => {
    const r = await run(['trust', 'app.tgz', '--as', 'qa-alice']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^recorded as qa-alice \(\w+\) at index \d+, tree size \d+$/m);
    const two = await run(['untrust', 'app.tgz', 'lib.tgz', '--as', 'trivy', '--json']);
    expect(two.code).toBe(0);
    const rows = two.json<{ index: number }[]>();
    // A file: ledger records its single user under the name given with --as, as admin.
    expect(two.stderr).toContain(
      `recorded as trivy (admin) at indexes ${rows[0]!.index}..${rows[1]!.index} (2 entries), tree size`,
    );
  });
});

describe('decisions', () => {
  it('say "needs N, found M" and put the summary line on stderr, like trust', async () => {
    await writeFile(
      path.join(dir, 'two-qa.yml'),
      'version: 1\nrequire:\n  - {role: qa, status: trusted, min: 2}\n',
    );
    const r = await run(['gate', 'lib.tgz', '--policy', 'two-qa.yml']);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/needs 2, found 0/);
    expect(r.stdout).not.toMatch(/met by/);
    expect(r.stderr).toMatch(/^block \(code 2\) at tree size \d+, root /m);
    expect(r.stdout).not.toMatch(/^block \(code/m);
  });

  it('signedBy takes a key file next to the policy, and hints at --trusted-key', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    await writeFile(path.join(dir, 'legal.pub'), publicKey.export({ type: 'spki', format: 'pem' }));
    await writeFile(
      path.join(dir, 'legal.key'),
      privateKey.export({ type: 'pkcs8', format: 'pem' }),
    );
    await writeFile(
      path.join(dir, 'signed.yml'),
      'version: 1\nrequire:\n  - {status: trusted, signedBy: [legal.pub]}\n',
    );
    await writeFile(path.join(dir, 'release.tar'), 'release\n');
    expect((await run(['trust', 'release.tar', '--as', 'legal'])).code).toBe(0);
    const unsigned = await run(['gate', 'release.tar', '--policy', 'signed.yml']);
    expect(unsigned.code).toBe(2);
    expect(unsigned.stdout).toMatch(/no signature verified with a signedBy key.*--trusted-key/);
    const signed = await run(['trust', 'release.tar', '--as', 'legal', '--key', 'legal.key']);
    expect(signed.code).toBe(0);
    // Run from another directory: the key file is found next to the policy.
    const elsewhere = await notarizeCli(
      [
        'gate',
        path.join(dir, 'release.tar'),
        '--policy',
        path.join(dir, 'signed.yml'),
        '--ledger',
        ledger(),
      ],
      { cwd: os.tmpdir(), env: { NOTARIZE_STATE: path.join(dir, 'state.json') } },
    );
    expect(elsewhere.stderr).not.toMatch(/KEY_UNREADABLE|POLICY/);
    expect(elsewhere.code).toBe(0);
    const here = await run(['gate', 'release.tar', '--policy', 'signed.yml']);
    expect(here.code).toBe(0);
    await writeFile(
      path.join(dir, 'missing-key.yml'),
      'version: 1\nrequire:\n  - {status: trusted, signedBy: [nowhere.pub]}\n',
    );
    const missing = await run(['gate', 'release.tar', '--policy', 'missing-key.yml']);
    expect(missing.code).toBe(10);
    expect(missing.stderr).toMatch(/signedBy\[0\].*nowhere\.pub/s);
  });
});

describe('--junit', () => {
  // jest runs from the repository root.
  const SCHEMA = path.resolve('test', 'fixtures', 'junit.xsd');
  const xmllint = (file: string) =>
    execFileSync('xmllint', ['--noout', '--schema', SCHEMA, file], {
      encoding: 'utf8',
      stdio: 'pipe',
    });

  it('writes a report every CI reads: a test per subject, named <name> (<digest>)', async () => {
    await writeFile(
      path.join(dir, 'gate.yml'),
      'version: 1\nrequire:\n  - {identity: ci, status: trusted}\n',
    );
    const digest = await notarizeCli(['digest', 'lib.tgz', '--json'], { cwd: dir });
    const lib = digest.json<{ digest: string }[]>()[0]!;
    const report = path.join(dir, 'reports', 'gate.xml');
    const r = await run(['gate', 'app.tgz', lib.digest, '--policy', 'gate.yml', '--junit', report]);
    expect(r.code).toBe(2); // app.tgz was never trusted by ci
    expect(xmllint(report)).toBe('');
    const xml = await readFile(report, 'utf8');
    expect(xml).toMatch(/<testsuites name="notarize gate" tests="2" failures="1" /);
    // The bare digest gets the name the ledger recorded for it.
    expect(xml).toContain(
      `<testcase classname="notarize.gate" name="lib.tgz (${lib.digest})" time="0">`,
    );
    expect(xml).toMatch(
      /name="app\.tgz \(sha256:[0-9a-f]{64}\)" time="0">\n\s+<failure message="blocked: rule require\[0\][^"]*" type="unknown">/,
    );
    expect(xml).toMatch(/<property name="decision" value="block \(code 2\)"\/>/);
  });

  it('escapes what the ledger and the policy say, and the schema refuses a broken report', async () => {
    await writeFile(path.join(dir, 'x<&>.tgz'), 'odd name\n');
    expect(
      (await run(['trust', 'x<&>.tgz', '--as', 'ci', '--reason', 'a "quoted" <reason>'])).code,
    ).toBe(0);
    const report = path.join(dir, 'odd.xml');
    expect((await run(['status', 'x<&>.tgz', '--junit', report])).code).toBe(0);
    expect(xmllint(report)).toBe('');
    expect(await readFile(report, 'utf8')).toContain('name="x&lt;&amp;&gt;.tgz (sha256:');
    const broken = path.join(dir, 'broken.xml');
    await writeFile(broken, (await readFile(report, 'utf8')).replace(/ classname="[^"]*"/, ''));
    expect(() => xmllint(broken)).toThrow(/classname/);
  });
});

describe('progress', () => {
  // The bundle as users run it, on a pseudo-terminal (script(1)) and on a pipe. A sparse file
  // large enough that digesting it outlasts the progress delay on any machine.
  const CLI = path.resolve('dist', 'cli', 'index.js');
  beforeAll(() => {
    execFileSync('truncate', ['-s', '1G', path.join(dir, 'big.bin')]);
  });

  const onTerminal = (args: string) => {
    const typescript = path.join(dir, 'typescript');
    execFileSync('script', ['-qfec', `"${process.execPath}" "${CLI}" ${args}`, typescript], {
      cwd: dir,
      stdio: 'ignore',
    });
    return execFileSync('cat', [typescript], { encoding: 'latin1' });
  };

  it('redraws one line on a terminal and clears it before the result', () => {
    const draws = onTerminal('digest big.bin').split('\r\x1b[K');
    expect(draws.length).toBeGreaterThan(2);
    expect(draws[1]).toMatch(
      /^digesting big\.bin: [\d.]+ (MiB|GiB) \/ 1\.00 GiB \(\d+%\), [\d.]+ \w+\/s, \S+ left$/,
    );
    // No progress update ends a line: they overwrite each other.
    expect(draws.slice(1, -1).every((d) => !d.includes('\n'))).toBe(true);
    // After the last clear comes the result table, not a progress line.
    expect(draws[draws.length - 1]).toMatch(
      /^SUBJECT\s+TYPE\s+DIGEST\r?\nbig\.bin\s+file\s+sha256:/,
    );
  }, 60_000);

  it('draws nothing with --quiet or --json on a terminal, nor on a pipe', () => {
    const quiet = onTerminal('digest big.bin --quiet');
    expect(quiet).not.toContain('\x1b[K');
    expect(quiet).toMatch(/big\.bin\s+file\s+sha256:/);
    const json = onTerminal('digest big.bin --json');
    expect(json).not.toContain('\x1b[K');
    expect(json).toMatch(/"digest": "sha256:/);
    const piped = spawnSync(process.execPath, [CLI, 'digest', 'big.bin'], {
      cwd: dir,
      encoding: 'utf8',
    });
    expect(piped.status).toBe(0);
    expect(piped.stderr).toBe('');
  }, 60_000);
});

describe('tables', () => {
  const CLI = path.resolve('dist', 'cli', 'index.js');
  const onTerminal = (columns: number, args: string) => {
    const typescript = path.join(dir, 'typescript-table');
    execFileSync(
      'script',
      ['-qfec', `stty cols ${columns}; "${process.execPath}" "${CLI}" ${args}`, typescript],
      { cwd: dir, stdio: 'ignore' },
    );
    return execFileSync('cat', [typescript], { encoding: 'utf8' });
  };

  it('shorten digests to fit a narrow terminal; --wide and pipes get them whole', () => {
    const narrow = onTerminal(60, 'digest app.tgz lib.tgz');
    expect(narrow).toMatch(/^app\.tgz\s+file\s+sha256:[0-9a-f]{8}…\r?$/m);
    expect(narrow).not.toMatch(/sha256:[0-9a-f]{64}/);
    expect(onTerminal(60, 'digest app.tgz --wide')).toMatch(
      /app\.tgz\s+file\s+sha256:[0-9a-f]{64}/,
    );
    expect(onTerminal(200, 'digest app.tgz')).toMatch(/app\.tgz\s+file\s+sha256:[0-9a-f]{64}/);
    const piped = spawnSync(process.execPath, [CLI, 'digest', 'app.tgz'], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, COLUMNS: '40' },
    });
    expect(piped.stdout).toMatch(/sha256:[0-9a-f]{64}/);
  });
});

describe('offline bundles', () => {
  let vkey: string;
  let bundle: Record<string, unknown> & {
    status: { entries: unknown[] };
    receipts: { entry: { statement: { predicate: Record<string, unknown> } } }[];
  };
  const verify = async (value: unknown, extra: string[] = [], key = vkey) => {
    await writeFile(path.join(dir, 'check.json'), JSON.stringify(value));
    return notarizeCli(['verify', '--bundle', 'check.json', '--ledger-key', key, ...extra], {
      cwd: dir,
    });
  };

  beforeAll(async () => {
    await writeFile(path.join(dir, 'ship.bin'), 'to be shipped\n');
    expect((await run(['trust', 'ship.bin', '--as', 'ci'])).code).toBe(0);
    const written = await run(['trust', 'ship.bin', '--as', 'qa-bob', '--bundle', 'ship.bundle']);
    expect(written.code).toBe(0);
    const info = await notarizeCli(
      ['ledger', 'info', '--data', path.join(dir, 'ledger'), '--json'],
      {
        cwd: dir,
      },
    );
    vkey = info.json<{ vkey: string }>().vkey;
    bundle = JSON.parse(await readFile(path.join(dir, 'ship.bundle'), 'utf8'));
  });

  it('trust --bundle writes what verify checks with the ledger key alone', async () => {
    expect(bundle.mediaType).toBe('application/vnd.notarize.bundle.v1+json');
    const r = await verify(bundle, ['--json']);
    expect(r.code).toBe(0);
    const report = r.json<{
      decision: string;
      subjects: { identities: Record<string, string> }[];
      receipts: unknown[];
    }>();
    expect(report.decision).toBe('allow');
    // Complete as of the write: both identities' assertions, not only the one just written.
    expect(report.subjects[0]!.identities).toEqual({ ci: 'trusted', 'qa-bob': 'trusted' });
    expect(report.receipts).toHaveLength(1);
    await writeFile(
      path.join(dir, 'two.yml'),
      'version: 1\nrequire:\n  - {status: trusted, min: 3}\n',
    );
    const gated = await verify(bundle, ['--policy', 'two.yml']);
    expect(gated.code).toBe(2);
    expect(gated.stdout).toMatch(/needs 3, found 2/);
  });

  it('refuses a bundle that hides an entry, alters a receipt or comes from another ledger (exit 20)', async () => {
    const hidden = structuredClone(bundle);
    hidden.status.entries = hidden.status.entries.slice(1);
    const a = await verify(hidden);
    expect(a.code).toBe(20);
    expect(a.stderr).toMatch(/INCOMPLETE_ANSWER/);
    expect(a.stdout).toBe('');
    const altered = structuredClone(bundle);
    altered.receipts[0]!.entry.statement.predicate.status = 'untrusted';
    const b = await verify(altered);
    expect(b.code).toBe(20);
    expect(b.stderr).toMatch(/RECEIPT_INVALID/);
    const { publicKey } = generateKeyPairSync('ed25519');
    const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
    const origin = vkey.split('+')[0]!;
    // Same name, another Ed25519 key (C2SP key id: SHA-256(name || "\n" || 0x01 || key)[:4]).
    const id = createHash('sha256').update(`${origin}\n`).update(Buffer.of(1)).update(raw);
    const otherKey = `${origin}+${id.digest().subarray(0, 4).toString('hex')}+${Buffer.concat([Buffer.of(1), raw]).toString('base64')}`;
    const c = await verify(bundle, [], otherKey);
    expect(c.code).toBe(20);
    expect(c.stderr).toMatch(/RECEIPT_INVALID|CHECKPOINT_SIGNATURE/);
  });

  it('through a ledger service too: the bundle verifies with the service key alone', async () => {
    const h = await startHarness();
    try {
      const env = {
        NOTARIZE_LEDGER: h.url,
        NOTARIZE_LEDGER_KEY: h.vkey,
        NOTARIZE_STATE: path.join(dir, 'svc-state.json'),
      };
      const as = (token: string, argv: string[]) =>
        notarizeCli(argv, { cwd: dir, env: { ...env, NOTARIZE_TOKEN: token } });
      expect((await as(h.keys.scanner, ['untrust', 'ship.bin', '--reason', 'CVE-1'])).code).toBe(0);
      const w = await as(h.keys.pipeline, ['trust', 'ship.bin', '--bundle', 'svc.bundle']);
      expect(w.code).toBe(0);
      expect(w.stderr).toMatch(/^recorded as pipeline-bot \(pipeline\) at index \d+/m);
      const r = await notarizeCli(['verify', '--bundle', 'svc.bundle', '--ledger-key', h.vkey], {
        cwd: dir,
      });
      // The scanner's untrusted assertion is part of the proved status: blocked (1).
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/scanner-bot=untrusted/);
    } finally {
      await h.close();
    }
  });

  it('says what is wrong with what is not a bundle, or a missing key (exit 10)', async () => {
    const junk = await verify({ hello: 'world' });
    expect(junk.code).toBe(10);
    expect(junk.stderr).toMatch(/BUNDLE_INVALID: not a notarize bundle/);
    await writeFile(path.join(dir, 'broken.json'), '{');
    const notJson = await notarizeCli(['verify', '--bundle', 'broken.json', '--ledger-key', vkey], {
      cwd: dir,
    });
    expect(notJson.code).toBe(10);
    const noKey = await notarizeCli(['verify', '--bundle', 'ship.bundle'], { cwd: dir });
    expect(noKey.code).toBe(10);
    expect(noKey.stderr).toMatch(/LEDGER_KEY_MISSING/);
  });
});

describe('notarize completion', () => {
  const script = async (shell: string) => {
    const r = await notarizeCli(['completion', shell], { cwd: dir });
    expect(r.code).toBe(0);
    const file = path.join(dir, `completion.${shell}`);
    await writeFile(file, r.stdout);
    return file;
  };

  it('bash completes commands, subcommands, options and files', async () => {
    const file = await script('bash');
    const complete = (words: string[]) =>
      execFileSync(
        'bash',
        [
          '-c',
          `source "$1"; COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _notarize; printf '%s\\n' "\${COMPREPLY[@]}"`,
          'bash',
          file,
        ],
        { cwd: dir, encoding: 'utf8' },
      )
        .split('\n')
        .filter(Boolean);
    expect(complete(['notarize', 'unt'])).toEqual(['untrust']);
    expect(complete(['notarize', 'ledger', 're'])).toEqual(['restore', 'reindex']);
    expect(complete(['notarize', 'gate', '--pol'])).toEqual(['--policy']);
    expect(complete(['notarize', 'evidence', 'add', '--media'])).toEqual(['--media-type']);
    expect(complete(['notarize', 'gate', '--policy', 'two-'])).toEqual(['two-qa.yml']);
    expect(complete(['notarize', 'trust', 'app'])).toEqual(['app.tgz']);
  });

  it('zsh loads it through its bash completion layer and gets the same table', async () => {
    const file = await script('zsh');
    const candidates = (words: string[]) =>
      execFileSync(
        'zsh',
        [
          '-c',
          `autoload -U +X compinit && compinit -u -d "$2"; source "$1"; print -r -- "\${_comps[notarize]}"; ` +
            `emulate sh -c 'COMP_WORDS=(${words.join(' ')}); COMP_CWORD=${words.length - 1}; _notarize; printf "%s\\n" "\${COMPREPLY[@]}"'`,
          'zsh',
          file,
          path.join(dir, 'zcompdump'),
        ],
        { cwd: dir, encoding: 'utf8' },
      )
        .split('\n')
        .filter(Boolean);
    // zsh matches the typed prefix itself: the function offers every candidate of the position.
    const ledgerSubs = candidates(['notarize', 'ledger', 're']);
    expect(ledgerSubs[0]).toBe('_bash_complete -o filenames -F _notarize');
    expect(ledgerSubs).toEqual(expect.arrayContaining(['restore', 'reindex', 'verify']));
    expect(ledgerSubs).not.toContain('trust');
    const gateOptions = candidates(['notarize', 'gate', '--pol']);
    expect(gateOptions).toEqual(expect.arrayContaining(['--policy', '--at', '--json']));
    expect(gateOptions).not.toContain('--reason');
  });

  it('fish completes commands with their descriptions, and options per command', async () => {
    const file = await script('fish');
    const complete = (line: string) =>
      execFileSync('fish', ['-c', `source $argv[1]; complete -C '${line}'`, file], {
        cwd: dir,
        encoding: 'utf8',
      })
        .split('\n')
        .filter(Boolean);
    expect(complete('notarize unt')).toEqual([
      expect.stringMatching(/^untrust\tAssert that the subjects are untrusted/),
    ]);
    expect(complete('notarize ledger rei')).toEqual([expect.stringMatching(/^reindex\t/)]);
    expect(complete('notarize gate --pol')).toEqual([expect.stringMatching(/^--policy\t/)]);
  });

  it('refuses a shell it does not know', async () => {
    const r = await notarizeCli(['completion', 'tcsh'], { cwd: dir });
    expect(r.code).toBe(10);
    expect(r.stderr).toMatch(/SHELL_UNKNOWN.*bash, zsh or fish/);
  });
});
