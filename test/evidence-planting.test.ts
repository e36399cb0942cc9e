/**
 * Issue 14 item 3: evidence cannot be planted under another job. A scanner's API key adds
 * `sbom.json` to GitHub job acme/widgets 5555/1/build before the real pipeline (authenticated with
 * the job's OIDC token) does; `evidence get` must show the planted file as *claimed*, say whose it
 * is, and save the pipeline's verified file under the real name. Evidence whose blob the service
 * does not hold is refused (BLOB_MISSING, 409), so it cannot break every later `evidence get`.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { buildEvidence } from '@notarize/trust';
import { notarizeCli } from './support/cli.ts';
import { githubClaims, startOidcIssuer, type OidcIssuer } from './support/oidc-issuer.ts';
import { digestOf, startHarness, type Harness } from './support/service-harness.ts';

const JOB_ENV = {
  GITHUB_ACTIONS: 'true',
  GITHUB_REPOSITORY: 'acme/widgets',
  GITHUB_RUN_ID: '5555',
  GITHUB_RUN_ATTEMPT: '1',
  GITHUB_JOB: 'build',
};

let issuer: OidcIssuer;
let h: Harness;
let dir: string;

beforeAll(async () => {
  issuer = await startOidcIssuer({ defaultAudience: 'notarize' });
  h = await startHarness({
    config: {
      oidc: {
        issuers: [
          {
            issuer: issuer.url,
            audience: 'notarize',
            jwksUri: issuer.jwksUri,
            rules: [
              {
                match: { repository: 'acme/*' },
                identity: 'github:{repository}',
                role: 'pipeline',
              },
            ],
          },
        ],
      },
    },
  });
  dir = await mkdtemp(path.join(os.tmpdir(), 'evidence-planting-'));
  await mkdir(path.join(dir, 'planted'));
  await mkdir(path.join(dir, 'real'));
  await writeFile(path.join(dir, 'planted', 'sbom.json'), '{"planted":true}\n');
  await writeFile(path.join(dir, 'real', 'sbom.json'), '{"components":[]}\n');
});

afterAll(async () => {
  await h.close();
  await issuer.close();
  await rm(dir, { recursive: true, force: true });
});

const run = (argv: string[], token: string, cwd = dir) =>
  notarizeCli(argv, {
    cwd,
    env: {
      ...JOB_ENV,
      NOTARIZE_LEDGER: h.url,
      NOTARIZE_LEDGER_KEY: h.vkey,
      NOTARIZE_TOKEN: token,
      NOTARIZE_STATE: path.join(dir, 'state.json'),
    },
  });

interface Row {
  index: number;
  file: string;
  identity: string;
  jobStanding: string;
  path: string;
}

describe('evidence planted under another job', () => {
  it('a claimed file never takes the name of the job’s verified file', async () => {
    const planted = await run(
      ['evidence', 'add', 'sbom.json'],
      h.keys.scanner,
      path.join(dir, 'planted'),
    );
    expect(planted.code).toBe(0);
    const token = await issuer.mint(
      githubClaims({ repository: 'acme/widgets', run_id: '5555', run_attempt: '1' }),
      { audience: 'notarize' },
    );
    const real = await run(['evidence', 'add', 'sbom.json'], token, path.join(dir, 'real'));
    expect(real.code).toBe(0);

    const get = await run(['evidence', 'get', '--job', '--out', 'out', '--json'], h.keys.auditor);
    expect(get.code).toBe(0);
    const rows = get.json<{ evidence: Row[] }>().evidence;
    const [first, second] = rows;
    expect(first).toMatchObject({
      file: 'sbom.json',
      identity: 'scanner-bot',
      jobStanding: 'claimed',
    });
    expect(second).toMatchObject({
      file: 'sbom.json',
      identity: 'github:acme/widgets',
      jobStanding: 'verified',
    });
    expect(path.basename(second!.path)).toBe('sbom.json');
    expect(path.basename(first!.path)).toBe(`${first!.index}-sbom.json`);
    expect(await readFile(path.join(dir, 'out', 'sbom.json'), 'utf8')).toBe('{"components":[]}\n');

    const human = await run(['evidence', 'get', '--job'], h.keys.auditor);
    expect(human.stdout).toMatch(/scanner-bot \(scanner\)\s+claimed/);
    expect(human.stdout).toMatch(/github:acme\/widgets \(pipeline\)\s+verified/);
    expect(human.stderr).toMatch(/1 file\(s\) only \*claim\* this job/);
  });

  it('an OIDC token of another run only claims the job', async () => {
    const token = await issuer.mint(
      githubClaims({ repository: 'acme/widgets', run_id: '6666', run_attempt: '1' }),
      { audience: 'notarize' },
    );
    const add = await run(
      ['evidence', 'add', 'sbom.json', '--job', '5555/1/build', '--json'],
      token,
      path.join(dir, 'real'),
    );
    expect(add.code).toBe(0);
    const get = await run(['evidence', 'get', '--job', '--json'], h.keys.auditor);
    const rows = get.json<{ evidence: Row[] }>().evidence;
    expect(rows[rows.length - 1]).toMatchObject({ jobStanding: 'claimed' });
  });
});

describe('evidence of a blob the service does not hold', () => {
  const post = (body: unknown) =>
    fetch(`${h.url}/v1/entries`, {
      method: 'POST',
      headers: { authorization: `Bearer ${h.keys.pipeline}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('is refused with BLOB_MISSING (409), appending nothing', async () => {
    const before = ((await (await fetch(`${h.url}/healthz`)).json()) as { size: number }).size;
    const entry = buildEvidence({
      ci: { provider: 'github', project: 'acme/widgets', jobId: '5555/1/build' },
      file: { name: 'ghost.log', mediaType: 'text/plain', size: 3, digest: digestOf('ghost') },
    });
    const res = await post({ entries: [entry] });
    expect(res.status).toBe(409);
    const body = (await res.json()) as { code: string; message: string };
    expect(body.code).toBe('BLOB_MISSING');
    expect(body.message).toMatch(/does not hold/);
    expect(Object.keys(body).sort()).toEqual(['code', 'message']);
    expect(((await (await fetch(`${h.url}/healthz`)).json()) as { size: number }).size).toBe(
      before,
    );
    // The job's evidence stays readable.
    expect((await run(['evidence', 'get', '--job', '--out', 'out2'], h.keys.auditor)).code).toBe(0);
  });

  it('a recorded size that differs from the blob is refused (400)', async () => {
    const put = await fetch(`${h.url}/v1/blobs`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${h.keys.pipeline}`,
        'content-type': 'application/octet-stream',
      },
      body: 'abc',
    });
    const { digest } = (await put.json()) as { digest: string };
    const entry = buildEvidence({
      ci: { provider: 'github', project: 'acme/widgets', jobId: '5555/1/build' },
      file: { name: 'sized.log', mediaType: 'text/plain', size: 4, digest },
    });
    const res = await post({ entries: [entry] });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { code: string }).code).toBe('ENTRY_INVALID');
  });
});
