/**
 * The GitHub Actions end to end, as a runner runs them: the committed bundles in dist/ (run
 * `npm run build` first) in their own `node` processes, inputs and file commands through the
 * environment, the job's OIDC token from the local issuer's runner-style token endpoint, against
 * a real `notarize serve` whose config trusts that issuer.
 *
 * Story: the build job notarizes app.tgz with its build log as evidence, a test job attaches a
 * report, the gate allows; then a scanner (second party, API key) untrusts it and the gate blocks
 * the release with an error annotation naming why.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { openLedgerClient, verifyOfflineBundle, type LedgerClient } from '@notarize/client';
import { generateSigningKey } from '@notarize/trust';
import { githubClaims, startOidcIssuer, type OidcIssuer } from './support/oidc-issuer.ts';
import { runAction, type ActionRun, type JobEnv } from './support/actions-runner.ts';
import { startActionsLedger, type ActionsLedger } from './support/actions-ledger.ts';

const AUDIENCE = 'notarize';
const REPO = 'acme/widgets';
const POLICY = [
  'version: 1',
  'require:',
  `  - identity: github:${REPO}`,
  '    status: trusted',
  'block:',
  '  - status: untrusted',
  '',
].join('\n');

let issuer: OidcIssuer;
let ledger: ActionsLedger;
let dir: string;
let client: LedgerClient;

const job = (name: string, attempt = '1'): JobEnv => ({
  GITHUB_REPOSITORY: REPO,
  GITHUB_RUN_ID: '9001',
  GITHUB_RUN_ATTEMPT: attempt,
  GITHUB_JOB: name,
});

function oidcEnv(): Record<string, string> {
  const env = issuer.runnerEnv();
  delete env.GITHUB_ACTIONS;
  return env;
}

function explain(run: ActionRun): string {
  return `exit ${run.code}\nstdout:\n${run.stdout}\nstderr:\n${run.stderr}`;
}

function expectOk(run: ActionRun): void {
  if (run.code !== 0) throw new Error(explain(run));
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'actions-e2e-'));
  issuer = await startOidcIssuer({ defaultAudience: AUDIENCE });
  issuer.runnerClaims = githubClaims({ repository: REPO, run_id: '9001' });
  ledger = await startActionsLedger({
    dir,
    issuer: issuer.url,
    audience: AUDIENCE,
    repositories: [REPO],
  });
  client = await openLedgerClient(ledger.url, {
    vkey: ledger.vkey,
    statePath: false,
    env: {},
    notice: () => {},
  });
  await writeFile(path.join(dir, 'app.tgz'), 'the release artifact\n');
  await writeFile(path.join(dir, 'build.log'), 'compiling...\nok\n');
  await writeFile(path.join(dir, 'report.json'), '{"tests": 12, "failed": 0}\n');
  await writeFile(path.join(dir, 'policy.yml'), POLICY);
}, 30_000);

afterAll(async () => {
  await client?.close();
  await ledger?.close();
  await issuer?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const appDigest = async (): Promise<string> => {
  const lookup = await client.subject(
    'sha256:' +
      (await import('node:crypto'))
        .createHash('sha256')
        .update('the release artifact\n')
        .digest('hex'),
  );
  return lookup.entries[0]?.entry.statement.subject[0]?.digest.sha256 ?? '';
};

describe('notarize -> evidence -> gate against a real ledger service', () => {
  let notarized: ActionRun;

  it('notarizes with the job OIDC token, records the GitHub job context and attaches evidence', async () => {
    notarized = await runAction('notarize', {
      cwd: dir,
      job: job('build'),
      env: oidcEnv(),
      inputs: {
        'subject-path': 'app.tgz\n',
        ledger: ledger.url,
        'ledger-key': ledger.vkey,
        metadata: 'version=1.2.3\nchannel=stable',
        evidence: 'build.log',
        reason: 'built and tested',
      },
    });
    expectOk(notarized);
    const digests = JSON.parse(notarized.outputs.subjects ?? 'null') as {
      subject: string;
      digest: string;
    }[];
    expect(digests).toEqual([{ subject: 'app.tgz', digest: expect.stringMatching(/^sha256:/) }]);
    expect(digests[0]?.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    // Plain outputs a workflow uses without fromJSON.
    expect(notarized.outputs.digest).toBe(digests[0]?.digest);
    expect(notarized.outputs.digests).toBe(digests[0]?.digest);
    const receipts = JSON.parse(notarized.outputs.receipts ?? 'null') as Record<string, unknown>[];
    expect(receipts).toEqual([
      {
        subject: 'app.tgz',
        digest: digests[0]?.digest,
        status: 'trusted',
        index: expect.any(Number),
        checkpoint: { size: expect.any(Number), root: expect.any(String) },
      },
    ]);
    const checkpoint = JSON.parse(notarized.outputs.checkpoint ?? 'null') as { size: number };
    expect(checkpoint.size).toBeGreaterThan(receipts[0]?.index as number);
    expect(notarized.outputs.index).toBe(String(receipts[0]?.index));
    // The offline bundle verifies with the ledger key alone.
    const offline = await verifyOfflineBundle(
      JSON.parse(await readFile(notarized.outputs['bundle-path'] as string, 'utf8')),
      ledger.vkey,
    );
    expect(offline.receipts.map((r) => r.index)).toEqual([receipts[0]?.index]);
    expect(offline.statuses.subjects[0]?.entries.map((e) => e.index)).toEqual([receipts[0]?.index]);

    // What the ledger holds, read back verified: the OIDC identity and this job's context.
    const lookup = await client.subject(digests[0]?.digest as string);
    const assertion = lookup.entries.find((e) => e.entry.kind === 'assertion');
    expect(assertion?.index).toBe(receipts[0]?.index);
    expect(assertion?.entry.identity).toEqual(
      expect.objectContaining({ name: `github:${REPO}`, role: 'pipeline', auth: 'oidc' }),
    );
    expect(assertion?.entry.statement.predicate).toEqual(
      expect.objectContaining({
        status: 'trusted',
        reason: 'built and tested',
        metadata: { version: '1.2.3', channel: 'stable' },
        ci: expect.objectContaining({
          provider: 'github',
          project: REPO,
          pipelineId: '9001',
          runAttempt: '1',
          job: 'build',
          jobId: '9001/1/build',
          commit: 'c'.repeat(40),
          ref: 'refs/heads/main',
          workflowRef: `${REPO}/.github/workflows/release.yml@refs/heads/main`,
          jobUrl: `https://github.com/${REPO}/actions/runs/9001/attempts/1`,
        }),
      }),
    );
    const evidence = lookup.entries.find((e) => e.entry.kind === 'evidence');
    expect(evidence?.entry.statement.predicate).toEqual(
      expect.objectContaining({
        file: expect.objectContaining({ name: 'build.log', mediaType: 'text/plain', size: 16 }),
      }),
    );

    // The summary: a table with the artifact, digest, status, index and a link to the job.
    expect(notarized.summary).toContain(
      '<th>Artifact</th><th>Digest</th><th>Status</th><th>Ledger index</th>',
    );
    expect(notarized.summary).toContain(
      `<td><code>app.tgz</code></td><td><code>${digests[0]?.digest}</code></td><td>trusted</td><td>${receipts[0]?.index}</td>`,
    );
    expect(notarized.summary).toContain(
      `href="https://github.com/${REPO}/actions/runs/9001/attempts/1"`,
    );
  });

  it('masks the OIDC token: it is registered with ::add-mask:: and never printed otherwise', async () => {
    const mask = /^::add-mask::(.+)$/m.exec(notarized.stdout)?.[1];
    expect(mask).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    const rest = notarized.stdout.replace(/^::add-mask::.*$/gm, '') + notarized.stderr;
    expect(rest).not.toContain(mask as string);
  });

  it('attaches a test report from another job with the evidence action', async () => {
    const run = await runAction('evidence', {
      cwd: dir,
      job: job('test'),
      env: oidcEnv(),
      inputs: {
        files: 'report.json',
        subjects: 'app.tgz',
        ledger: ledger.url,
        'ledger-key': ledger.vkey,
      },
    });
    expectOk(run);
    const receipts = JSON.parse(run.outputs.receipts ?? 'null') as Record<string, unknown>[];
    expect(receipts).toEqual([
      expect.objectContaining({
        file: 'report.json',
        mediaType: 'application/json',
        size: 27,
        index: expect.any(Number),
      }),
    ]);
    const found = await client.entry(receipts[0]?.index as number);
    expect(found.found.entry.kind).toBe('evidence');
    expect(found.found.entry.statement.subject[0]?.name).toBe('app.tgz');
    expect((found.found.entry.statement.predicate as { ci: { jobId: string } }).ci.jobId).toBe(
      '9001/1/test',
    );
    expect(run.summary).toContain('<td><code>report.json</code></td>');
  });

  it('the gate allows: decision, code and report outputs, a summary table, exit 0', async () => {
    const run = await runAction('gate', {
      cwd: dir,
      job: job('release'),
      env: oidcEnv(),
      inputs: {
        subjects: 'app.tgz',
        policy: 'policy.yml',
        ledger: ledger.url,
        'ledger-key': ledger.vkey,
      },
    });
    expectOk(run);
    expect(run.outputs.decision).toBe('allow');
    expect(run.outputs.code).toBe('0');
    const report = JSON.parse(run.outputs.report ?? 'null') as {
      subjects: { identities: Record<string, string> }[];
    };
    expect(report.subjects[0]?.identities).toEqual({ [`github:${REPO}`]: 'trusted' });
    expect(run.annotations.filter((a) => a.level === 'error')).toEqual([]);
    expect(run.summary).toContain('Gate: allowed 1 artifact');
    expect(run.summary).toMatch(
      /<td><code>app\.tgz<\/code><\/td><td><code>sha256:[0-9a-f]{64}<\/code><\/td><td>✅ allow<\/td><td>0<\/td>/,
    );
  });

  it('a scanner (API key) untrusts it; the gate then fails the step with an error annotation', async () => {
    const untrust = await runAction('notarize', {
      cwd: dir,
      job: job('scan'),
      inputs: {
        subjects: 'app.tgz',
        status: 'untrusted',
        reason: 'CVE-2026-0001 in libfoo',
        ledger: ledger.url,
        'ledger-key': ledger.vkey,
        token: ledger.scannerKey,
      },
    });
    expectOk(untrust);
    expect(untrust.stdout).toContain(`::add-mask::${ledger.scannerKey}`);
    expect(untrust.stdout.replace(/^::add-mask::.*$/gm, '')).not.toContain(ledger.scannerKey);

    const gate = await runAction('gate', {
      cwd: dir,
      job: job('release', '2'),
      env: oidcEnv(),
      inputs: {
        subjects: 'app.tgz',
        policy: POLICY,
        ledger: ledger.url,
        'ledger-key': ledger.vkey,
      },
    });
    expect(gate.code).toBe(1);
    expect(gate.outputs.decision).toBe('block');
    expect(gate.outputs.code).toBe('1');
    const blocked = gate.annotations.filter((a) => a.properties.title === 'Blocked: app.tgz');
    expect(blocked).toHaveLength(1);
    expect(blocked[0]?.level).toBe('error');
    expect(blocked[0]?.message).toContain('scanner-bot');
    expect(blocked[0]?.message).toContain('untrusted');
    expect(blocked[0]?.message).toContain('CVE-2026-0001 in libfoo');
    const failure = gate.annotations.filter((a) => a.level === 'error' && !a.properties.title);
    expect(failure).toHaveLength(1);
    expect(failure[0]?.message).toMatch(
      /^notarize gate: blocked app\.tgz \(code 1\).*\[GATE_BLOCKED\]/,
    );
    expect(gate.summary).toContain('Gate: blocked 1 of 1 (code 1)');
    expect(gate.summary).toContain('⛔ block');
    expect(gate.summary).toContain('scanner-bot: untrusted');
    // Each reason names the policy rule that gave it.
    expect(gate.summary).toContain('blocked: rule <code>block[0]</code> (status untrusted)');
  });

  it('mode: warn only warns: the same block is a warning annotation and the step passes', async () => {
    const gate = await runAction('gate', {
      cwd: dir,
      job: job('release', '3'),
      env: oidcEnv(),
      inputs: {
        subjects: 'app.tgz',
        policy: 'policy.yml',
        ledger: ledger.url,
        'ledger-key': ledger.vkey,
        mode: 'warn',
      },
    });
    expectOk(gate);
    expect(gate.outputs.decision).toBe('block');
    expect(gate.annotations.filter((a) => a.level === 'error')).toEqual([]);
    expect(
      gate.annotations.filter((a) => a.level === 'warning').map((a) => a.properties.title),
    ).toContain('Blocked: app.tgz');
  });

  it('time travel: `at` the size before the scanner spoke, the gate allows again', async () => {
    const digest = await appDigest();
    const lookup = await client.subject(`sha256:${digest}`);
    const untrust = lookup.entries.find((e) => e.entry.identity.name === 'scanner-bot');
    const gate = await runAction('gate', {
      cwd: dir,
      job: job('release', '4'),
      env: oidcEnv(),
      inputs: {
        subjects: `sha256:${digest}`,
        policy: 'policy.yml',
        ledger: ledger.url,
        'ledger-key': ledger.vkey,
        at: String(untrust?.index),
      },
    });
    expectOk(gate);
    expect(gate.outputs.decision).toBe('allow');
    expect(JSON.parse(gate.outputs.report ?? '{}').checkpoint.size).toBe(untrust?.index);
  });
});

describe('subject inputs as actions/attest has them', () => {
  it('subject-digest with subject-name: the name goes to the ledger and the summaries', async () => {
    const digest = `sha256:${'ab'.repeat(32)}`;
    const run = await runAction('notarize', {
      cwd: dir,
      job: job('named'),
      env: oidcEnv(),
      inputs: {
        'subject-digest': digest,
        'subject-name': 'ghcr.io/acme/widgets:1.2.3',
        ledger: ledger.url,
        'ledger-key': ledger.vkey,
      },
    });
    expectOk(run);
    expect(run.outputs.digest).toBe(digest);
    expect(run.summary).toContain(
      `Notarized 1 artifact as trusted, recorded as github:${REPO} (pipeline)`,
    );
    // The name, once; the digest column does not repeat what the name already is.
    expect(run.summary).toContain(
      '<td><code>ghcr.io/acme/widgets:1.2.3</code></td><td><code>sha256:',
    );
    const lookup = await client.subject(digest);
    expect(lookup.entries[0]?.entry.statement.subject).toEqual([
      { name: 'ghcr.io/acme/widgets:1.2.3', digest: { sha256: 'ab'.repeat(32) } },
    ]);
    const gate = await runAction('gate', {
      cwd: dir,
      job: job('named-gate'),
      env: oidcEnv(),
      inputs: {
        'subject-digest': digest,
        policy: 'policy.yml',
        ledger: ledger.url,
        'ledger-key': ledger.vkey,
      },
    });
    expectOk(gate);
    expect(gate.outputs.digests).toBe(digest);
    // The gate names a digest-only subject by the name the ledger recorded.
    expect(gate.summary).toContain('<code>ghcr.io/acme/widgets:1.2.3</code>');
  });

  it('subject-checksums: a sha256sum file notarizes every line under its name', async () => {
    const a = createHash('sha256').update('artifact a').digest('hex');
    const b = createHash('sha256').update('artifact b').digest('hex');
    await writeFile(path.join(dir, 'SHA256SUMS'), `${a}  dist/a.tar.gz\n${b} *dist/b.zip\n`);
    const run = await runAction('notarize', {
      cwd: dir,
      job: job('sums'),
      env: oidcEnv(),
      inputs: {
        'subject-checksums': 'SHA256SUMS',
        'show-summary': 'false',
        ledger: ledger.url,
        'ledger-key': ledger.vkey,
      },
    });
    expectOk(run);
    expect(run.outputs.digests).toBe(`sha256:${a}\nsha256:${b}`);
    expect(JSON.parse(run.outputs.subjects ?? '[]')).toEqual([
      { subject: 'dist/a.tar.gz', digest: `sha256:${a}` },
      { subject: 'dist/b.zip', digest: `sha256:${b}` },
    ]);
    expect(run.summary).toBe(''); // show-summary: false
  });

  it('subject-image: an OCI layout is notarized under its manifest digest', async () => {
    execFileSync('umoci', ['init', '--layout', path.join(dir, 'image')]);
    execFileSync('umoci', ['new', '--image', `${path.join(dir, 'image')}:1.0`]);
    const index = JSON.parse(await readFile(path.join(dir, 'image', 'index.json'), 'utf8')) as {
      manifests: { digest: string }[];
    };
    const run = await runAction('notarize', {
      cwd: dir,
      job: job('image'),
      env: oidcEnv(),
      inputs: { 'subject-image': 'oci:image:1.0', ledger: ledger.url, 'ledger-key': ledger.vkey },
    });
    expectOk(run);
    expect(run.outputs.digest).toBe(index.manifests[0]?.digest);
    expect(JSON.parse(run.outputs.subjects ?? '[]')).toEqual([
      { subject: 'oci:image:1.0', digest: index.manifests[0]?.digest },
    ]);
  });

  it('the old subjects input still works, with a deprecation warning', async () => {
    const run = await runAction('gate', {
      cwd: dir,
      job: job('legacy'),
      env: oidcEnv(),
      inputs: {
        subjects: 'app.tgz',
        policy: 'policy.yml',
        ledger: ledger.url,
        'ledger-key': ledger.vkey,
        mode: 'warn',
      },
    });
    expectOk(run);
    expect(run.annotations).toContainEqual(
      expect.objectContaining({
        level: 'warning',
        message: expect.stringMatching(/^Input "subjects" is deprecated/),
      }),
    );
  });

  it.each([
    [
      { 'subject-image': 'ghcr.io/acme/app:1' },
      /Input "subject-image": "ghcr\.io\/acme\/app:1" is not an image reference/,
    ],
    [
      { 'subject-digest': 'sha256:abc' },
      /Input "subject-digest": "sha256:abc" is not sha256:<64 lowercase hex>/,
    ],
    [
      { 'subject-path': 'app.tgz', 'subject-name': 'x' },
      /Input "subject-name" names the one subject of subject-digest/,
    ],
    [{ 'subject-checksums': 'nope.sums' }, /Input "subject-checksums": cannot read nope\.sums/],
    [
      { 'show-summary': 'maybe', 'subject-path': 'app.tgz' },
      /Input "show-summary" is "maybe"; write true or false/,
    ],
  ])('refuses %j with a message naming the input', async (inputs, message) => {
    const run = await runAction('notarize', {
      cwd: dir,
      job: job('bad-subject'),
      env: oidcEnv(),
      inputs: { ...inputs, ledger: ledger.url, 'ledger-key': ledger.vkey },
    });
    expect(run.code).toBe(1);
    expect(run.annotations.filter((a) => a.level === 'error').map((a) => a.message)).toEqual([
      expect.stringMatching(message),
    ]);
  });

  it('a policy file that does not validate: annotations pinned to its file, line and column', async () => {
    await writeFile(
      path.join(dir, 'bad-policy.yml'),
      'version: 1\nrequire:\n  - {status: maybe}\n',
    );
    const run = await runAction('gate', {
      cwd: dir,
      job: job('bad-policy'),
      env: oidcEnv(),
      inputs: {
        'subject-path': 'app.tgz',
        policy: 'bad-policy.yml',
        ledger: ledger.url,
        'ledger-key': ledger.vkey,
      },
    });
    expect(run.code).toBe(1);
    expect(run.annotations).toContainEqual({
      level: 'error',
      properties: { title: 'Invalid gate policy', file: 'bad-policy.yml', line: '3', col: '14' },
      message: expect.stringMatching(/^require\[0\]\.status: must be one of/),
    });
  });
});

describe('bad inputs fail the step with a clear message', () => {
  const failure = (run: ActionRun): string => {
    expect(run.code).toBe(1);
    const errors = run.annotations.filter((a) => a.level === 'error');
    expect(errors).toHaveLength(1);
    return errors[0]?.message ?? '';
  };
  const base = () => ({ ledger: ledger.url, 'ledger-key': ledger.vkey });

  it('an unknown status', async () => {
    const run = await runAction('notarize', {
      cwd: dir,
      job: job('bad'),
      env: oidcEnv(),
      inputs: { ...base(), subjects: 'app.tgz', status: 'maybe' },
    });
    expect(failure(run)).toBe(
      'notarize: Input "status" is "maybe"; use one of: trusted, untrusted, unsupported. [INPUT_INVALID]',
    );
  });

  it('no subjects', async () => {
    for (const name of ['notarize', 'gate'] as const) {
      const run = await runAction(name, {
        cwd: dir,
        job: job('bad'),
        env: oidcEnv(),
        inputs: { ...base(), subjects: '\n  \n', policy: 'policy.yml' },
      });
      expect(failure(run)).toMatch(
        /Name the artifacts: subject-path .*subject-checksums .*\[INPUT_MISSING\]$/,
      );
    }
  });

  it('a subject that does not exist', async () => {
    const run = await runAction('notarize', {
      cwd: dir,
      job: job('bad'),
      env: oidcEnv(),
      inputs: { ...base(), subjects: 'missing.tgz' },
    });
    expect(failure(run)).toContain('missing.tgz');
  });

  it('a policy that does not validate is an error, never an allow', async () => {
    const run = await runAction('gate', {
      cwd: dir,
      job: job('bad'),
      env: oidcEnv(),
      inputs: {
        ...base(),
        subjects: 'app.tgz',
        policy: 'version: 1\nrequire:\n  - {status: maybe}\n',
      },
    });
    expect(run.outputs.decision).toBeUndefined();
    expect(run.code).toBe(1);
    const [problem, failed, ...more] = run.annotations.filter((a) => a.level === 'error');
    expect(more).toEqual([]);
    // One annotation per problem at its line and column (an inline policy has no file to name).
    expect(problem).toEqual({
      level: 'error',
      properties: { title: 'Invalid gate policy', line: '3', col: '14' },
      message: expect.stringMatching(/^require\[0\]\.status: must be one of /),
    });
    expect(failed?.message).toMatch(
      /^notarize gate: invalid gate policy input "policy".*require\[0\]\.status: must be one of .*\[POLICY_INVALID\]$/s,
    );
  });

  it('a policy file that is not there', async () => {
    const run = await runAction('gate', {
      cwd: dir,
      job: job('bad'),
      env: oidcEnv(),
      inputs: { ...base(), subjects: 'app.tgz', policy: 'nope.yml' },
    });
    expect(failure(run)).toContain('cannot read policy file nope.yml: no such file');
  });

  it('an unreachable ledger', async () => {
    const run = await runAction('gate', {
      cwd: dir,
      job: job('bad'),
      env: oidcEnv(),
      inputs: {
        subjects: 'app.tgz',
        policy: 'policy.yml',
        ledger: 'http://127.0.0.1:9',
        'ledger-key': ledger.vkey,
      },
    });
    expect(failure(run)).toMatch(/127\.0\.0\.1:9.*check the `ledger` input/);
  });

  it('a write to a service with neither id-token permission nor token', async () => {
    const run = await runAction('evidence', {
      cwd: dir,
      job: job('bad'),
      inputs: { ...base(), files: 'report.json' },
    });
    expect(failure(run)).toMatch(/add `permissions: id-token: write`.*\[TOKEN_MISSING\]$/);
  });
});

describe('signing keys and file: ledgers', () => {
  it('signs each statement with `key` given as PEM text, and masks the key line by line', async () => {
    const pair = await generateSigningKey('ed25519');
    const digest = `sha256:${'ab'.repeat(32)}`;
    const run = await runAction('notarize', {
      cwd: dir,
      job: job('sign'),
      env: oidcEnv(),
      inputs: {
        subjects: digest,
        ledger: ledger.url,
        'ledger-key': ledger.vkey,
        key: pair.privateKeyPem,
      },
    });
    expectOk(run);
    const index = (JSON.parse(run.outputs.receipts ?? '[]') as { index: number }[])[0]
      ?.index as number;
    const { found } = await client.entry(index);
    expect(found.entry.envelope?.signatures.map((s) => s.keyid)).toEqual([pair.keyid]);
    const body = pair.privateKeyPem.split('\n').filter((l) => l !== '' && !l.startsWith('-----'));
    const masks = [...run.stdout.matchAll(/^::add-mask::(.*)$/gm)].map((m) => m[1]);
    for (const line of body) expect(masks).toContain(line);
    const rest = run.stdout.replace(/^::add-mask::.*$/gm, '') + run.stderr;
    for (const line of body) expect(rest).not.toContain(line);
  });

  it('a file: ledger needs no service: entries are appended as github:<repository>', async () => {
    const run = await runAction('notarize', {
      cwd: dir,
      job: job('local'),
      inputs: { subjects: 'app.tgz', ledger: 'file:local-ledger', status: 'eol' },
    });
    expectOk(run);
    expect(JSON.parse(run.outputs.receipts ?? '[]')).toEqual([
      expect.objectContaining({ subject: 'app.tgz', status: 'unsupported', index: 0 }),
    ]);
    // First use of a ledger's key is an annotation, so it shows on the run's page.
    expect(
      run.annotations.some((a) => a.level === 'warning' && /no key pinned/.test(a.message)),
    ).toBe(true);
    const local = await openLedgerClient(`file:${path.join(dir, 'local-ledger')}`, {
      statePath: false,
      env: {},
      notice: () => {},
    });
    try {
      const { found } = await local.entry(0);
      expect(found.entry.identity.name).toBe(`github:${REPO}`);
      expect((found.entry.statement.predicate as { ci: { jobId: string } }).ci.jobId).toBe(
        '9001/1/local',
      );
    } finally {
      await local.close();
    }
  });
});
