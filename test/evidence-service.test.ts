/**
 * `notarize evidence add|get` against the real ledger service on loopback: rights by role, the
 * blob size limit (a clear error, nothing appended), deduplication, and a blob altered in the
 * service's store (exit 20). The service is started the way the service tests start it.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ciContext } from '@notarize/ci';
import type { LedgerClient } from '@notarize/client';
import { addEvidence } from '../packages/cli/src/operations/evidence.ts';
import { notarizeCli, type CliRun } from './support/cli.ts';
import { startHarness, type Harness } from './support/service-harness.ts';

interface AddRow {
  file: string;
  digest: string;
  mediaType: string;
  size: number;
  created: boolean;
  index: number;
  job: Record<string, string>;
  checkpoint: { size: number; root: string };
}

const GITLAB = {
  GITLAB_CI: 'true',
  CI_PROJECT_PATH: 'group/widgets',
  CI_PIPELINE_ID: '900',
  CI_JOB_ID: '31337',
  CI_JOB_NAME: 'test',
  CI_JOB_URL: 'https://gitlab.example/group/widgets/-/jobs/31337',
  CI_COMMIT_SHA: 'ab'.repeat(20),
  CI_COMMIT_REF_NAME: 'main',
  CI_SERVER_URL: 'https://gitlab.example',
};

const sha256 = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

let h: Harness;
let small: Harness;
let dir: string;

function cli(service: Harness, token: string) {
  return (argv: string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> =>
    notarizeCli(argv, {
      cwd: dir,
      env: {
        NOTARIZE_LEDGER: service.url,
        NOTARIZE_LEDGER_KEY: service.vkey,
        NOTARIZE_TOKEN: token,
        NOTARIZE_STATE: path.join(dir, `state-${token.slice(0, 8)}.json`),
        ...env,
      },
    });
}

async function list(d: string): Promise<string[]> {
  try {
    return (await readdir(d)).sort();
  } catch {
    return [];
  }
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'notarize-evidence-svc-'));
  h = await startHarness();
  small = await startHarness({ config: { limits: { maxBlobBytes: 1000 } } });
  await writeFile(path.join(dir, 'test.log'), 'PASS 3 tests\n');
  await writeFile(
    path.join(dir, 'results.sarif'),
    JSON.stringify({
      version: '2.1.0',
      $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
      runs: [],
    }),
  );
  await writeFile(path.join(dir, 'big.bin'), randomBytes(2000));
});

afterAll(async () => {
  await h.close();
  await small.close();
  await rm(dir, { recursive: true, force: true });
});

describe('evidence through the service', () => {
  it('adds files as the pipeline of a GitLab job and gets them back, verified', async () => {
    const run = cli(h, h.keys.pipeline);
    const add = await run(['evidence', 'add', 'test.log', 'results.sarif', '--json'], GITLAB);
    // The ledger recorded the write under the identity of the pipeline's token.
    expect(add.stderr).toBe(
      `recorded as pipeline-bot (pipeline) at indexes 0..1 (2 entries), tree size 3, for job gitlab/group/widgets/31337\n`,
    );
    expect(add.code).toBe(0);
    const rows = add.json<AddRow[]>();
    expect(rows.map((r) => [r.file, r.mediaType, r.created])).toEqual([
      ['test.log', 'text/plain', true],
      ['results.sarif', 'application/sarif+json', true],
    ]);
    expect(rows[1]!.index).toBe(rows[0]!.index + 1);
    expect(rows[0]!.job).toMatchObject({
      provider: 'gitlab',
      project: 'group/widgets',
      jobId: '31337',
      pipelineId: '900',
    });

    const get = await run(['evidence', 'get', '--job', '--out', 'from-svc', '--json'], GITLAB);
    expect(get.code).toBe(0);
    const report = get.json<{
      evidence: { file: string; identity: string; role: string; path: string }[];
    }>();
    expect(report.evidence.map((e) => [e.file, e.identity, e.role])).toEqual([
      ['test.log', 'pipeline-bot', 'pipeline'],
      ['results.sarif', 'pipeline-bot', 'pipeline'],
    ]);
    for (const name of ['test.log', 'results.sarif']) {
      expect(await readFile(path.join(dir, 'from-svc', name))).toEqual(
        await readFile(path.join(dir, name)),
      );
    }
  });

  it('deduplicates identical blobs (created: false), also across identities', async () => {
    const run = cli(h, h.keys.scanner);
    const add = await run(['evidence', 'add', 'test.log', '--job', 'scan-1', '--json']);
    expect(add.code).toBe(0);
    const [row] = add.json<AddRow[]>();
    expect(row).toMatchObject({
      created: false,
      digest: sha256(await readFile(path.join(dir, 'test.log'))),
    });
  });

  it('answers a retried call with the same idempotency key once', async () => {
    await writeFile(path.join(dir, 'retry.log'), 'retried upload\n');
    const run = cli(h, h.keys.qa);
    const argv = [
      'evidence',
      'add',
      'retry.log',
      '--job',
      'qa-1',
      '--idempotency-key',
      'qa-1-retry',
      '--json',
    ];
    const first = (await run(argv)).json<AddRow[]>();
    const second = (await run(argv)).json<AddRow[]>();
    expect(second[0]!.index).toBe(first[0]!.index);
    expect([first[0]!.created, second[0]!.created]).toEqual([true, false]);
    const listed = await run([
      'evidence',
      'get',
      '--job',
      'qa-1',
      '--provider',
      'local',
      '--project',
      path.basename(dir),
      '--json',
    ]);
    expect(listed.json<{ evidence: unknown[] }>().evidence).toHaveLength(1);
  });

  it('reports a blob lost from the service store as a verification failure (exit 20)', async () => {
    await writeFile(path.join(dir, 'lost.log'), 'soon lost\n');
    const run = cli(h, h.keys.pipeline);
    const [row] = (await run(['evidence', 'add', 'lost.log', '--job', 'lost-1', '--json'])).json<
      AddRow[]
    >();
    await rm(path.join(h.dataDir, 'blobs', 'sha256', row!.digest.slice(7)));
    const get = await run(['evidence', 'get', '--job', 'lost-1', '--out', 'lost-out']);
    expect(get.code).toBe(20);
    expect(get.stderr).toMatch(
      /error EVIDENCE_BLOB_MISSING: entry \d+ \(lost\.log\) references blob sha256:[0-9a-f]{64}, which the ledger does not hold/,
    );
    expect(await list(path.join(dir, 'lost-out'))).toEqual([]);
  });

  it('refuses a role without the evidence right before storing anything', async () => {
    await writeFile(path.join(dir, 'opinion.txt'), `legal opinion ${Date.now()}\n`);
    const blobs = await list(path.join(h.dataDir, 'blobs', 'sha256'));
    const run = cli(h, h.keys.legal);
    const r = await run(['evidence', 'add', 'opinion.txt', '--job', 'legal-1']);
    expect(r.code).toBe(10);
    expect(r.stderr).toMatch(/error FORBIDDEN: .*evidence/);
    expect(await list(path.join(h.dataDir, 'blobs', 'sha256'))).toEqual(blobs);
    expect(await list(path.join(h.dataDir, 'blobs', 'tmp'))).toEqual([]);
  });

  it('refuses a file over the size limit with a clear error, appending nothing', async () => {
    const run = cli(small, small.keys.pipeline);
    const before = (await run(['evidence', 'get', '--job', 'x', '--json'])).json<{
      checkpoint: { size: number };
    }>();
    const r = await run(['evidence', 'add', 'test.log', 'big.bin', '--job', 'big-1']);
    expect(r.code).toBe(10);
    expect(r.stderr).toMatch(
      /error EVIDENCE_TOO_LARGE: evidence file big\.bin is 2000 bytes \(0\.0 MiB\); the ledger stores at most 1000 bytes/,
    );
    const after = (await run(['evidence', 'get', '--job', 'x', '--json'])).json<{
      checkpoint: { size: number };
    }>();
    expect(after.checkpoint.size).toBe(before.checkpoint.size);
    // Checked before uploading: not even the small file was sent.
    expect(await list(path.join(small.dataDir, 'blobs', 'sha256'))).toEqual([]);
  });

  it("maps the service's own 413 to the same error when the client did not know the limit", async () => {
    const client = await small.client({ token: small.keys.pipeline });
    // A client that does not announce limits, so the upload reaches the service's check.
    const unaware: LedgerClient = Object.create(client, {
      info: { value: async () => ({ ...(await client.info()), limits: {} }) },
    }) as LedgerClient;
    const error = await addEvidence({
      client: unaware,
      files: ['big.bin'],
      cwd: dir,
      ci: ciContext({ env: {}, cwd: dir, overrides: { jobId: 'big-2' } }),
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'EVIDENCE_TOO_LARGE', category: 'input' });
    expect((error as Error).cause).toMatchObject({ code: 'TOO_LARGE', status: 413 });
    expect((error as Error).message).toMatch(
      /big\.bin is 2000 bytes .*the ledger stores less \(.*413/,
    );
    expect(await list(path.join(small.dataDir, 'blobs', 'tmp'))).toEqual([]);
  });

  it('detects a blob altered in the service store: exit 20, nothing written', async () => {
    await writeFile(path.join(dir, 'audit.log'), 'audit trail v1\n');
    const run = cli(h, h.keys.pipeline);
    const add = await run(['evidence', 'add', 'audit.log', '--job', 'audit-1', '--json']);
    const [row] = add.json<AddRow[]>();
    await writeFile(
      path.join(h.dataDir, 'blobs', 'sha256', row!.digest.slice(7)),
      'audit trail v2\n',
    );
    const get = await run(['evidence', 'get', '--job', 'audit-1', '--out', 'tampered']);
    expect(get.code).toBe(20);
    expect(get.stderr).toMatch(
      /error BLOB_DIGEST_MISMATCH: blob sha256:[0-9a-f]{64} as served hashes to/,
    );
    expect(await list(path.join(dir, 'tampered'))).toEqual([]);
  });
});
