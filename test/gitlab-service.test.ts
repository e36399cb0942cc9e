/**
 * The GitLab templates against a real ledger service (`notarize serve` on 127.0.0.1): the pipeline
 * writes with its GitLab ID token (minted by a local OIDC issuer, passed the way GitLab's
 * `id_tokens:` does: in NOTARIZE_ID_TOKEN), the scanner job with an API key (NOTARIZE_TOKEN, set by
 * extending the template's job), and the gate pins the ledger's vkey (`ledger-key`); a gate that
 * pins another key refuses to decide (exit 20).
 */
import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { generateCosignerKey } from '@notarize/tlog';
import path from 'node:path';
import {
  TEMPLATES_DIR,
  createGitRepo,
  notarizeCliCommand,
  notarizeCliEntry,
  readDotenv,
  runPipeline,
  type GitRepo,
} from './support/gitlab-ci-local.ts';
import { startLedgerService, type LedgerService } from './support/gitlab-ledger-service.ts';
import {
  BUILD_JOB,
  E2E_TIMEOUT,
  jobOutDir,
  notarizeJson,
  pipelineYaml,
  readJunit,
  type Include,
} from './support/gitlab-pipeline.ts';
import { gitlabClaims, startOidcIssuer, type OidcIssuer } from './support/oidc-issuer.ts';

const CLI = notarizeCliCommand();

/** A well-formed vkey for the same ledger name, but another Ed25519 key. */
function otherVkey(vkey: string): string {
  const name = vkey.slice(0, vkey.indexOf('+'));
  const { publicKey } = generateKeyPairSync('ed25519');
  const raw = Buffer.from(publicKey.export({ format: 'jwk' }).x as string, 'base64url');
  const key = Buffer.concat([Buffer.from([0x01]), raw]);
  const id = createHash('sha256')
    .update(Buffer.concat([Buffer.from(`${name}\n`), key]))
    .digest()
    .subarray(0, 4);
  return `${name}+${id.toString('hex')}+${key.toString('base64')}`;
}

let issuer: OidcIssuer;
let service: LedgerService;
let repo: GitRepo;
const scannerKey = `nk_${randomBytes(32).toString('base64url')}`;

beforeAll(async () => {
  issuer = await startOidcIssuer({ defaultAudience: 'notarize' });
  const files: Record<string, string> = {};
  for (const name of ['notarize.yml', 'gate.yml']) {
    files[`templates/${name}`] = await readFile(path.join(TEMPLATES_DIR, name), 'utf8');
  }
  repo = await createGitRepo({ files });
  service = await startLedgerService({
    cliEntry: notarizeCliEntry(),
    dir: repo.home,
    config: {
      identities: { 'security-scanner': { role: 'scanner' } },
      apiKeys: [
        {
          hash: `sha256:${createHash('sha256').update(scannerKey).digest('hex')}`,
          identity: 'security-scanner',
        },
      ],
      oidc: {
        issuers: [
          {
            issuer: issuer.url,
            audience: 'notarize',
            rules: [
              {
                match: { project_path: 'group/project' },
                identity: 'gitlab:{project_path}',
                role: 'pipeline',
              },
            ],
          },
        ],
      },
    },
  });
}, E2E_TIMEOUT);
afterAll(async () => {
  await service?.stop();
  await issuer?.close();
  await repo?.remove();
});

describe('GitLab templates with a ledger service', () => {
  it(
    'OIDC for the pipeline, an API key for the scanner, a pinned ledger key for the gate',
    async () => {
      const local = (template: Include['template'], inputs: Record<string, unknown>): Include => ({
        how: 'local',
        template,
        inputs: { ledger: service.url, 'ledger-key': service.vkey, cli: CLI, ...inputs },
      });
      const policy =
        'version: 1\nrequire:\n  - {identity: "gitlab:group/project", status: trusted}\nblock:\n  - {status: untrusted}\n';
      await repo.commit({
        '.gitlab-ci.yml': pipelineYaml(
          ['build', 'notarize', 'scan', 'gate'],
          [
            local('notarize', { stage: 'notarize', needs: ['build'], subjects: 'dist/lib.bin' }),
            local('notarize', {
              'job-name': 'scanner',
              stage: 'scan',
              needs: ['notarize'],
              subjects: '$NOTARIZE_DIGESTS',
              status: 'untrusted',
              reason: 'CVE-2026-0002',
            }),
            local('gate', {
              stage: 'gate',
              needs: ['scanner'],
              subjects: '$SCANNER_DIGESTS',
              policy,
            }),
            local('gate', {
              'job-name': 'gate-wrong-key',
              stage: 'gate',
              needs: ['scanner'],
              subjects: '$SCANNER_DIGESTS',
              policy,
              'ledger-key': otherVkey(service.vkey),
            }),
            // Requires a witness this ledger never collected a cosignature from: no decision.
            local('gate', {
              'job-name': 'gate-witnessed',
              stage: 'gate',
              needs: ['scanner'],
              subjects: '$SCANNER_DIGESTS',
              policy,
              witnesses: generateCosignerKey('witness.test/w1').vkey,
              'witness-quorum': '1',
            }),
          ],
          {
            build: BUILD_JOB,
            // The scanner writes under its team's API key, not the pipeline's token.
            scanner: { variables: { NOTARIZE_TOKEN: '$SCANNER_KEY' } },
          },
        ),
      });
      const token = await issuer.mint(gitlabClaims({ project_path: 'group/project' }));
      const run = await runPipeline(repo, {
        variables: { NOTARIZE_ID_TOKEN: token, SCANNER_KEY: scannerKey },
      });

      expect(run.output).toMatch(/json schema validated/);
      expect(run.jobs).toEqual({
        build: { outcome: 'PASS', exitCode: 0 },
        notarize: { outcome: 'PASS', exitCode: 0 },
        scanner: { outcome: 'PASS', exitCode: 0 },
        gate: { outcome: 'FAIL', exitCode: 1 },
        'gate-wrong-key': { outcome: 'FAIL', exitCode: 20 },
        'gate-witnessed': { outcome: 'FAIL', exitCode: 20 },
      });
      expect(
        await readDotenv(path.join(jobOutDir(repo.dir, 'gate-witnessed'), 'notarize.env')),
      ).toEqual({ GATE_WITNESSED_DECISION: 'error', GATE_WITNESSED_CODE: '20' });
      expect(
        await readFile(path.join(jobOutDir(repo.dir, 'gate-witnessed'), 'gate.log'), 'utf8'),
      ).toMatch(/WITNESS_QUORUM.*witness\.test\/w1 \(no cosignature\)/);
      const junit = await readJunit(path.join(jobOutDir(repo.dir, 'gate'), 'junit.xml'));
      expect(junit).toMatchObject({ tests: 1, failures: 1, errors: 0 });
      expect(junit.cases[0]?.failure?.message).toMatch(/security-scanner.*CVE-2026-0002/);
      expect(junit.cases[0]?.failure?.text).toContain(
        'identities: gitlab:group/project=trusted, security-scanner=untrusted',
      );
      const wrongKey = await readJunit(
        path.join(jobOutDir(repo.dir, 'gate-wrong-key'), 'junit.xml'),
      );
      expect(wrongKey).toMatchObject({ tests: 1, failures: 0, errors: 1 });
      expect(
        await readDotenv(path.join(jobOutDir(repo.dir, 'gate-wrong-key'), 'notarize.env')),
      ).toEqual({ GATE_WRONG_KEY_DECISION: 'error', GATE_WRONG_KEY_CODE: '20' });

      // How each wrote: the service verified the pipeline's token and the scanner's key.
      const digest = (await readDotenv(path.join(jobOutDir(repo.dir, 'notarize'), 'notarize.env')))
        .NOTARIZE_DIGESTS as string;
      const { events } = (await notarizeJson(
        ['history', '--ledger', service.url, '--ledger-key', service.vkey, digest],
        repo,
      )) as { events: Record<string, unknown>[] };
      expect(events.map((e) => [e.identity, e.role, e.auth, e.status])).toEqual([
        ['gitlab:group/project', 'pipeline', 'oidc', 'trusted'],
        ['security-scanner', 'scanner', 'apikey', 'untrusted'],
      ]);
    },
    E2E_TIMEOUT,
  );
});
