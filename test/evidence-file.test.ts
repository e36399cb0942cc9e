/**
 * `notarize evidence add|get` end to end through the CLI on a real embedded (`file:`) ledger:
 * job keys from the CI environment, one batch per call, subjects, deduplication, downloads checked
 * against their digests, bad input that appends nothing, and a blob altered in the store.
 */
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { verifyEvidenceBlobsInDir } from '../packages/ledger/src/verify-blobs.ts';
import { notarizeCli, type CliRun } from './support/cli.ts';

interface AddRow {
  file: string;
  name: string;
  digest: string;
  mediaType: string;
  size: number;
  created: boolean;
  index: number;
  job: Record<string, string>;
  subjects: { name: string; digest: string }[];
  checkpoint: { size: number; root: string };
}

interface GetReport {
  query: Record<string, unknown>;
  checkpoint: { size: number; root: string };
  evidence: {
    index: number;
    file: string;
    mediaType: string;
    size: number;
    digest: string;
    identity: string;
    role: string;
    time: string;
    job: Record<string, string>;
    subjects: { name: string; digest: string }[];
    path?: string;
  }[];
}

const SHA = 'c0ffee'.padEnd(40, '0');
const GITHUB = {
  GITHUB_ACTIONS: 'true',
  GITHUB_REPOSITORY: 'acme/app',
  GITHUB_RUN_ID: '4711',
  GITHUB_RUN_ATTEMPT: '2',
  GITHUB_JOB: 'build',
  GITHUB_SHA: SHA,
  GITHUB_REF: 'refs/heads/main',
  GITHUB_SERVER_URL: 'https://github.com',
};
const JOB_ID = '4711/2/build';

const sha256 = (bytes: Buffer | string) =>
  `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

let dir: string;
let ledgerDir: string;
let run: (argv: string[], env?: NodeJS.ProcessEnv) => Promise<CliRun>;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'notarize-evidence-'));
  ledgerDir = path.join(dir, 'ledger');
  await writeFile(path.join(dir, 'build.log'), 'step 1\nstep 2: ok\n');
  await writeFile(path.join(dir, 'bom.json'), '{"bomFormat":"CycloneDX","specVersion":"1.6"}\n');
  await writeFile(
    path.join(dir, 'junit.xml'),
    '<testsuites><testsuite name="unit" tests="3"/></testsuites>\n',
  );
  await writeFile(path.join(dir, 'app.tar'), 'the artifact\n');
  const base = {
    NOTARIZE_STATE: path.join(dir, 'state.json'),
    NOTARIZE_LEDGER: `file:${ledgerDir}`,
  };
  run = (argv, env = {}) => notarizeCli(argv, { cwd: dir, env: { ...base, ...env } });
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function ledgerSize(): Promise<number> {
  const r = await run(['evidence', 'get', '--job', 'none', '--json']);
  expect(r.code).toBe(2); // nothing recorded for that job: the report still says the size
  return r.json<GetReport>().checkpoint.size;
}

async function blobCount(): Promise<number> {
  try {
    return (await readdir(path.join(ledgerDir, 'blobs', 'sha256'))).length;
  } catch {
    return 0;
  }
}

describe('evidence add', () => {
  it('records each file under the CI job, detected from the environment, as one batch', async () => {
    const r = await run(
      ['evidence', 'add', 'build.log', 'bom.json', 'junit.xml', '--json'],
      GITHUB,
    );
    expect(r.stderr).not.toMatch(/error/);
    expect(r.code).toBe(0);
    const rows = r.json<AddRow[]>();
    expect(rows.map((x) => [x.file, x.mediaType])).toEqual([
      ['build.log', 'text/plain'],
      ['bom.json', 'application/vnd.cyclonedx+json'],
      ['junit.xml', 'application/junit+xml'],
    ]);
    const bytes = await readFile(path.join(dir, 'build.log'));
    expect(rows[0]).toMatchObject({
      name: 'build.log',
      size: bytes.length,
      digest: sha256(bytes),
      created: true,
    });
    // One batch: consecutive indexes, one checkpoint that covers them all and ends with the map
    // head the ledger appends after them.
    expect(rows.map((x) => x.index)).toEqual([
      rows[0]!.index,
      rows[0]!.index + 1,
      rows[0]!.index + 2,
    ]);
    expect(new Set(rows.map((x) => JSON.stringify(x.checkpoint))).size).toBe(1);
    expect(rows[0]!.checkpoint.size).toBe(rows[2]!.index + 2);
    expect(rows[0]!.job).toEqual({
      provider: 'github',
      project: 'acme/app',
      pipelineId: '4711',
      runAttempt: '2',
      job: 'build',
      jobId: JOB_ID,
      jobUrl: 'https://github.com/acme/app/actions/runs/4711/attempts/2',
      commit: SHA,
      ref: 'refs/heads/main',
      serverUrl: 'https://github.com',
    });
    // Without --subject, each file is its own subject.
    expect(rows[1]!.subjects).toEqual([{ name: 'bom.json', digest: rows[1]!.digest }]);
    // The blob is in the store under its digest.
    const stored = await readFile(
      path.join(ledgerDir, 'blobs', 'sha256', rows[0]!.digest.slice(7)),
    );
    expect(stored.equals(bytes)).toBe(true);
  });

  it('gets the job evidence back, verified, into a directory (job from the environment)', async () => {
    const out = path.join(dir, 'out-job');
    const r = await run(['evidence', 'get', '--job', '--out', 'out-job', '--json'], GITHUB);
    expect(r.code).toBe(0);
    const report = r.json<GetReport>();
    expect(report.query).toEqual({
      job: { provider: 'github', project: 'acme/app', jobId: JOB_ID },
    });
    expect(report.evidence.map((e) => e.file)).toEqual(['build.log', 'bom.json', 'junit.xml']);
    expect(report.evidence[0]).toMatchObject({
      identity: 'github:acme/app',
      mediaType: 'text/plain',
    });
    expect(Date.parse(report.evidence[0]!.time)).not.toBeNaN();
    for (const name of ['build.log', 'bom.json', 'junit.xml']) {
      const original = await readFile(path.join(dir, name));
      expect((await readFile(path.join(out, name))).equals(original)).toBe(true);
    }
    expect((await readdir(out)).sort()).toEqual(['bom.json', 'build.log', 'junit.xml']);
  });

  it('finds a job from elsewhere with --provider and --project, and lists it for a person', async () => {
    const r = await run([
      'evidence',
      'get',
      '--job',
      JOB_ID,
      '--provider',
      'github',
      '--project',
      'acme/app',
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^INDEX\s+FILE\s+MEDIA TYPE\s+SIZE\s+DIGEST\s+WHO\s+JOB\s+WHEN/);
    // An admin API key only claims the job: its files are marked so.
    expect(r.stdout).toMatch(/github:acme\/app \(admin\)\s+claimed/);
    expect(r.stdout).toMatch(/bom\.json\s+application\/vnd\.cyclonedx\+json/);
    expect(r.stderr).toMatch(/job github\/acme\/app\/4711\/2\/build: 3 verified at tree size \d+/);
  });

  it('records the artifacts named with --subject, and get --subject lists only evidence', async () => {
    const trust = await run(['trust', 'app.tar', '--json'], GITHUB);
    expect(trust.code).toBe(0);
    const r = await run(
      [
        'evidence',
        'add',
        'build.log',
        '--subject',
        'app.tar',
        '--job',
        'release-9',
        '--pipeline',
        '77',
        '--json',
      ],
      GITHUB,
    );
    expect(r.code).toBe(0);
    const [row] = r.json<AddRow[]>();
    const artifact = sha256(await readFile(path.join(dir, 'app.tar')));
    expect(row!.subjects).toEqual([{ name: 'app.tar', digest: artifact }]);
    expect(row!.job).toMatchObject({ jobId: 'release-9', pipelineId: '77', project: 'acme/app' });
    // The same bytes were stored by the first test: deduplicated.
    expect(row!.created).toBe(false);

    const got = await run(['evidence', 'get', '--subject', 'app.tar', '--json']);
    expect(got.code).toBe(0);
    const report = got.json<GetReport>();
    expect(report.query).toEqual({ subject: 'app.tar', digest: artifact });
    expect(report.evidence.map((e) => [e.index, e.file])).toEqual([[row!.index, 'build.log']]);
  });

  it('stores identical bytes once under another name (created: false)', async () => {
    await writeFile(path.join(dir, 'copy.log'), await readFile(path.join(dir, 'build.log')));
    const before = await blobCount();
    const r = await run(['evidence', 'add', 'copy.log', '--job', 'dedup', '--json']);
    expect(r.code).toBe(0);
    const [row] = r.json<AddRow[]>();
    expect(row).toMatchObject({ name: 'copy.log', created: false });
    expect(await blobCount()).toBe(before);
  });

  it('warns when there is no job id to record', async () => {
    await writeFile(path.join(dir, 'local.log'), 'local run\n');
    const r = await run(['evidence', 'add', 'local.log', '--json']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/no CI job detected and no --job given/);
    expect(r.json<AddRow[]>()[0]!.job).toEqual({ provider: 'local', project: path.basename(dir) });
  });
});

describe('evidence add: bad input appends nothing and uploads nothing', () => {
  const cases: [string, () => Promise<string[]>, string, RegExp][] = [
    [
      'a missing file',
      async () => ['build.log', 'nope.log'],
      'EVIDENCE_FILE_MISSING',
      /nope\.log does not exist/,
    ],
    [
      'a directory',
      async () => {
        await mkdir(path.join(dir, 'logs'), { recursive: true });
        return ['build.log', 'logs'];
      },
      'EVIDENCE_NOT_A_FILE',
      /logs is a directory, not a regular file; archive a directory first/,
    ],
    [
      'a FIFO',
      async () => {
        execFileSync('mkfifo', [path.join(dir, 'pipe')]);
        return ['pipe'];
      },
      'EVIDENCE_NOT_A_FILE',
      /special file/,
    ],
    // Unreadable even for root: opening another process's memory is refused (EACCES).
    [
      'an unreadable file',
      async () => ['/proc/1/mem'],
      'EVIDENCE_UNREADABLE',
      /cannot read evidence file \/proc\/1\/mem: permission denied/,
    ],
    [
      'the same file twice',
      async () => ['build.log', './build.log'],
      'EVIDENCE_DUPLICATE',
      /named twice/,
    ],
  ];
  it.each(cases)('%s', async (_what, files, code, message) => {
    await writeFile(path.join(dir, 'fresh.log'), `fresh ${code}\n`);
    const size = await ledgerSize();
    const blobs = await blobCount();
    const r = await run([
      'evidence',
      'add',
      'fresh.log',
      ...(await files()),
      '--job',
      'bad',
      '--json',
    ]);
    expect(r.code).toBe(10);
    expect(r.json()).toEqual({ error: { code, message: expect.any(String), exit: 10 } });
    expect(r.stderr).toContain(`error ${code}:`);
    expect(r.stderr).toMatch(message);
    expect(await ledgerSize()).toBe(size);
    // Files are checked before any upload: not even fresh.log reached the blob store.
    expect(await blobCount()).toBe(blobs);
  });

  it('checks the entries before uploading: an empty --media-type stores nothing', async () => {
    await writeFile(path.join(dir, 'typed.log'), 'typed\n');
    const blobs = await blobCount();
    const r = await run(['evidence', 'add', 'typed.log', '--media-type', '', '--job', 'mt']);
    expect(r.code).toBe(10);
    expect(r.stderr).toMatch(/error STATEMENT_INVALID: .*mediaType/);
    expect(await blobCount()).toBe(blobs);
  });

  it('refuses a role without the evidence right (file: ledger with a config)', async () => {
    const restricted = path.join(dir, 'restricted');
    await mkdir(restricted, { recursive: true });
    await writeFile(
      path.join(restricted, 'config.yaml'),
      'identities:\n  lawyer: {role: legal}\n  ci: {role: pipeline}\n',
    );
    const ledger = `file:${restricted}`;
    const denied = await run([
      'evidence',
      'add',
      'build.log',
      '--job',
      '1',
      '--as',
      'lawyer',
      '--ledger',
      ledger,
    ]);
    expect(denied.code).toBe(10);
    expect(denied.stderr).toMatch(/error FORBIDDEN:.*evidence/);
    const allowed = await run([
      'evidence',
      'add',
      'build.log',
      '--job',
      '1',
      '--as',
      'ci',
      '--ledger',
      ledger,
      '--json',
    ]);
    expect(allowed.code).toBe(0);
    expect(allowed.json<AddRow[]>()[0]!.index).toBe(0);
  });
});

describe('evidence get: usage errors', () => {
  it('needs exactly one of --job and --subject', async () => {
    for (const argv of [
      ['evidence', 'get'],
      ['evidence', 'get', '--job', '1', '--subject', 'app.tar'],
    ]) {
      const r = await run(argv);
      expect(r.code).toBe(10);
      expect(r.stderr).toMatch(/EVIDENCE_QUERY_INVALID: name either --job <id> or --subject/);
    }
  });

  it('says how to name a job when none is detected', async () => {
    const r = await run(['evidence', 'get', '--job']);
    expect(r.code).toBe(10);
    expect(r.stderr).toMatch(/EVIDENCE_JOB_MISSING: no CI job detected here/);
  });

  it('ends with 2 (unknown) for a job without evidence, saying what it looked up', async () => {
    const r = await run(['evidence', 'get', '--job', 'never-ran']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(
      /^no evidence recorded for job local\/.+\/never-ran at tree size \d+ \(looked up provider "local", project ".+", job "never-ran"; --provider and --project name another\)$/m,
    );
    const json = await run(['evidence', 'get', '--job', 'never-ran', '--json']);
    expect(json.code).toBe(2);
    expect(json.json<{ evidence: unknown[] }>().evidence).toEqual([]);
  });
});

describe('a blob altered in the store', () => {
  it('fails the download with exit 20 and leaves no file under its name', async () => {
    const content = 'tamper target: the real log\n';
    await writeFile(path.join(dir, 'target.log'), content);
    const add = await run(['evidence', 'add', 'target.log', '--job', 'tamper', '--json']);
    expect(add.code).toBe(0);
    const [row] = add.json<AddRow[]>();
    // A good copy from an earlier download must survive a later tampered one.
    const good = await run(['evidence', 'get', '--job', 'tamper', '--out', 'out-tamper']);
    expect(good.code).toBe(0);
    const blob = path.join(ledgerDir, 'blobs', 'sha256', row!.digest.slice(7));
    await writeFile(blob, content.replace('real', 'fake'));

    const bad = await run(['evidence', 'get', '--job', 'tamper', '--out', 'out-tamper', '--json']);
    expect(bad.code).toBe(20);
    // With --json the failure is the one JSON document on stdout: an error, no evidence list.
    expect(bad.json()).toEqual({
      error: { code: 'BLOB_DIGEST_MISMATCH', message: expect.any(String), exit: 20 },
    });
    expect(bad.stderr).toMatch(
      /error BLOB_DIGEST_MISMATCH: blob sha256:[0-9a-f]{64} as served hashes to/,
    );
    expect(await readdir(path.join(dir, 'out-tamper'))).toEqual(['target.log']);
    expect(await readFile(path.join(dir, 'out-tamper', 'target.log'), 'utf8')).toBe(content);
    // Into a fresh directory: nothing appears at all.
    const fresh = await run(['evidence', 'get', '--job', 'tamper', '--out', 'out-fresh']);
    expect(fresh.code).toBe(20);
    expect(await readdir(path.join(dir, 'out-fresh'))).toEqual([]);

    // The store check names the blob and the entry that references it.
    const report = await verifyEvidenceBlobsInDir(ledgerDir);
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual([
      expect.objectContaining({
        code: 'BLOB_DIGEST_MISMATCH',
        digest: row!.digest,
        entries: [row!.index],
      }),
    ]);
    await writeFile(blob, content); // restore for the tests that follow
    expect((await verifyEvidenceBlobsInDir(ledgerDir)).ok).toBe(true);
  });
});
