/**
 * The GitLab templates in real pipelines, run by gitlab-ci-local (shell executor, GitLab's CI JSON
 * schema validation on), with the notarize CLI as the templates' `cli` and a real `file:` ledger:
 * build -> notarize -> gate passes, with the job context recorded; a scanner's `untrusted` makes
 * the gate job fail with the reasons in its JUnit report (warn mode only warns, time travel with
 * `at` still allows, a gate that cannot decide fails even in warn mode); evidence reaches the
 * ledger linked to the artifact and the job. Templates come in by `include: local` and `remote`
 * (served from 127.0.0.1); gitlab-includes.test.ts covers `project`, `component` and the spec.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import {
  TEMPLATES_DIR,
  notarizeCliCommand,
  readDotenv,
  runPipeline,
} from './support/gitlab-ci-local.ts';
import { startIncludeServer } from './support/gitlab-include-server.ts';
import {
  BUILD_JOB,
  E2E_TIMEOUT,
  headCommit,
  jobOutDir,
  notarizeJson,
  pipelineYaml,
  readJunit,
  repoFactory,
  sha256,
  type Include,
} from './support/gitlab-pipeline.ts';

const CLI = notarizeCliCommand();
const POLICY = [
  'version: 1',
  'require:',
  '  - {identity: "gitlab:group/project", status: trusted}',
  'block:',
  '  - {status: untrusted}',
  '',
].join('\n');

const repos = repoFactory();
afterAll(() => repos.removeAll());

describe('GitLab templates in gitlab-ci-local pipelines', () => {
  it(
    'include: local — build -> notarize -> gate passes; outputs, JUnit and the recorded job context',
    async () => {
      const repo = await repos.create('');
      const ledger = `file:${path.join(repo.home, 'ledger')}`;
      const includes: Include[] = [
        {
          how: 'local',
          template: 'notarize',
          inputs: {
            stage: 'notarize',
            needs: ['build'],
            subjects: 'dist/app 1.bin\ndist/lib.bin\n',
            reason: 'built by $CI_JOB_NAME; it\'s "fine"',
            metadata: 'commit=$CI_COMMIT_SHA\nnote=a b; c\n',
            ledger,
            cli: CLI,
          },
        },
        {
          how: 'local',
          template: 'gate',
          inputs: {
            'job-name': 'release-gate',
            stage: 'gate',
            needs: ['notarize'],
            subjects: '$NOTARIZE_DIGESTS',
            policy: POLICY,
            ledger,
            cli: CLI,
          },
        },
      ];
      await repo.commit({
        '.gitlab-ci.yml': pipelineYaml(['build', 'notarize', 'gate'], includes, {
          build: BUILD_JOB,
        }),
      });
      const run = await runPipeline(repo);

      expect(run.output).toMatch(/json schema validated/);
      expect(run.jobs).toEqual({
        build: { outcome: 'PASS', exitCode: 0 },
        notarize: { outcome: 'PASS', exitCode: 0 },
        'release-gate': { outcome: 'PASS', exitCode: 0 },
      });
      const sha = await headCommit(repo);
      const app = sha256(`app ${sha}\n`);
      const lib = sha256('lib\n');

      const notarized = await readDotenv(
        path.join(jobOutDir(repo.dir, 'notarize'), 'notarize.env'),
      );
      expect(notarized.NOTARIZE_CODE).toBe('0');
      expect(notarized.NOTARIZE_DIGESTS).toBe(`${app} ${lib}`);
      expect(notarized.NOTARIZE_RECEIPTS).toBe('notarize-out/notarize/receipts.json');
      const receipts = JSON.parse(
        await readFile(path.join(repo.dir, notarized.NOTARIZE_RECEIPTS as string), 'utf8'),
      ) as { subject: string; digest: string; status: string; index: number }[];
      expect(
        receipts.map(({ subject, digest, status, index }) => [subject, digest, status, index]),
      ).toEqual([
        ['dist/app 1.bin', app, 'trusted', 0],
        ['dist/lib.bin', lib, 'trusted', 1],
      ]);
      expect(JSON.parse(notarized.NOTARIZE_CHECKPOINT as string)).toEqual({
        size: 3,
        root: expect.stringMatching(/^[A-Za-z0-9+/]{43}=$/),
      });

      // Named after the job (release-gate): no collision with the notarize job's NOTARIZE_*.
      const gate = await readDotenv(path.join(jobOutDir(repo.dir, 'release-gate'), 'notarize.env'));
      expect(gate).toEqual({
        RELEASE_GATE_DECISION: 'allow',
        RELEASE_GATE_CODE: '0',
        RELEASE_GATE_DIGESTS: `${app} ${lib}`,
        RELEASE_GATE_CHECKPOINT: notarized.NOTARIZE_CHECKPOINT,
      });
      const junit = await readJunit(path.join(jobOutDir(repo.dir, 'release-gate'), 'junit.xml'));
      expect(junit).toMatchObject({ tests: 2, failures: 0, errors: 0 });
      // Bare digests are named as the ledger recorded them: "<name> (<digest>)".
      expect(junit.cases.map((c) => [c.name, c.failure])).toEqual([
        [`dist/app 1.bin (${app})`, undefined],
        [`dist/lib.bin (${lib})`, undefined],
      ]);

      // The CLI recorded the GitLab job from the predefined variables, and the inputs as given.
      const timeline = (await notarizeJson(['history', '--ledger', ledger, app], repo)) as {
        events: { identity: string; reason: string; metadata: object; ci: object }[];
      };
      expect(timeline.events).toHaveLength(1);
      expect(timeline.events[0]).toMatchObject({
        identity: 'gitlab:group/project',
        reason: `built by notarize; it's "fine"`,
        metadata: { commit: sha, note: 'a b; c' },
        ci: {
          provider: 'gitlab',
          project: 'group/project',
          job: 'notarize',
          commit: sha,
          ref: 'main',
          serverUrl: 'https://gitlab.example.com',
          jobId: expect.stringMatching(/^\d+$/),
          pipelineId: expect.stringMatching(/^\d+$/),
          jobUrl: expect.stringMatching(
            /^https:\/\/gitlab\.example\.com\/group\/project\/-\/jobs\/\d+$/,
          ),
        },
      });
    },
    E2E_TIMEOUT,
  );

  it(
    'two notarize jobs and a gate: outputs named after each job never collide',
    async () => {
      const repo = await repos.create('');
      const ledger = `file:${path.join(repo.home, 'ledger')}`;
      const notarizeJob = (name: string, subjects: string): Include => ({
        how: 'local',
        template: 'notarize',
        inputs: {
          'job-name': name,
          stage: 'notarize',
          needs: ['build'],
          subjects,
          ledger,
          cli: CLI,
        },
      });
      const includes: Include[] = [
        notarizeJob('notarize-app', 'dist/app 1.bin\n'), // one per line: the name holds a space
        notarizeJob('notarize-lib', 'dist/lib.bin'),
        {
          how: 'local',
          template: 'gate',
          inputs: {
            stage: 'gate',
            needs: ['notarize-app', 'notarize-lib'],
            // Both jobs' outputs reach the gate: each under its own job's name.
            subjects: '$NOTARIZE_APP_DIGESTS $NOTARIZE_LIB_DIGESTS',
            policy: POLICY,
            ledger,
            cli: CLI,
          },
        },
      ];
      await repo.commit({
        '.gitlab-ci.yml': pipelineYaml(['build', 'notarize', 'gate'], includes, {
          build: BUILD_JOB,
        }),
      });
      const run = await runPipeline(repo);
      expect(run.jobs).toEqual({
        build: { outcome: 'PASS', exitCode: 0 },
        'notarize-app': { outcome: 'PASS', exitCode: 0 },
        'notarize-lib': { outcome: 'PASS', exitCode: 0 },
        gate: { outcome: 'PASS', exitCode: 0 },
      });
      const sha = await headCommit(repo);
      const app = sha256(`app ${sha}\n`);
      const lib = sha256('lib\n');
      const appOut = await readDotenv(
        path.join(jobOutDir(repo.dir, 'notarize-app'), 'notarize.env'),
      );
      const libOut = await readDotenv(
        path.join(jobOutDir(repo.dir, 'notarize-lib'), 'notarize.env'),
      );
      expect(appOut).toMatchObject({ NOTARIZE_APP_CODE: '0', NOTARIZE_APP_DIGESTS: app });
      expect(libOut).toMatchObject({ NOTARIZE_LIB_CODE: '0', NOTARIZE_LIB_DIGESTS: lib });
      const gate = await readDotenv(path.join(jobOutDir(repo.dir, 'gate'), 'notarize.env'));
      expect(gate).toMatchObject({
        GATE_DECISION: 'allow',
        GATE_CODE: '0',
        GATE_DIGESTS: `${app} ${lib}`,
      });
      // The gate decided on both subjects, each named as its notarize job recorded it.
      const junit = await readJunit(path.join(jobOutDir(repo.dir, 'gate'), 'junit.xml'));
      expect(junit.cases.map((c) => c.name)).toEqual([
        `dist/app 1.bin (${app})`,
        `dist/lib.bin (${lib})`,
      ]);
    },
    E2E_TIMEOUT,
  );

  it(
    'include: remote — a scanner untrusts: the gate job fails with the reasons in JUnit; warn mode warns',
    async () => {
      const server = await startIncludeServer({ rawDir: TEMPLATES_DIR });
      try {
        const repo = await repos.create('', { 'policy.yml': POLICY });
        const ledger = `file:${path.join(repo.home, 'ledger')}`;
        const remote = (
          template: Include['template'],
          inputs: Record<string, unknown>,
        ): Include => ({
          how: 'remote',
          baseUrl: server.url,
          template,
          inputs: { ledger, cli: CLI, ...inputs },
        });
        const includes: Include[] = [
          remote('notarize', { stage: 'notarize', needs: ['build'], subjects: 'dist/*.bin' }),
          remote('notarize', {
            'job-name': 'scanner',
            stage: 'scan',
            needs: ['build', 'notarize'],
            subjects: '$NOTARIZE_DIGESTS',
            status: 'untrusted',
            identity: 'scanner',
            reason: 'CVE-2026-0001 <critical> & "exploitable"',
          }),
          remote('gate', {
            stage: 'gate',
            needs: ['build', 'scanner'],
            subjects: 'dist/*.bin',
            policy: 'policy.yml',
          }),
          // No policy: the built-in one (a trusted and nothing untrusted) in warn mode.
          remote('gate', {
            'job-name': 'gate-warn',
            stage: 'gate',
            needs: ['scanner'],
            subjects: '$SCANNER_DIGESTS', // the outputs of the job named scanner
            mode: 'warn',
          }),
          // Time travel: as of tree size 3 (the pipeline's two assertions and their map head,
          // before the scanner's).
          remote('gate', {
            'job-name': 'gate-at-3',
            stage: 'gate',
            needs: ['build', 'scanner'],
            subjects: 'dist/*.bin',
            policy: 'policy.yml',
            at: '3',
          }),
          // No decision at all (a policy file that is not there): fails even in warn mode.
          remote('gate', {
            'job-name': 'gate-misconfigured',
            stage: 'gate',
            needs: ['scanner'],
            subjects: '$SCANNER_DIGESTS',
            policy: 'no-such-policy.yml',
            mode: 'warn',
          }),
        ];
        await repo.commit({
          '.gitlab-ci.yml': pipelineYaml(['build', 'notarize', 'scan', 'gate'], includes, {
            build: BUILD_JOB,
          }),
        });
        const run = await runPipeline(repo);

        expect(server.requests).toEqual(
          expect.arrayContaining(['/raw/notarize.yml', '/raw/gate.yml']),
        );
        expect(run.output).toMatch(/json schema validated/);
        expect(run.jobs).toEqual({
          build: { outcome: 'PASS', exitCode: 0 },
          notarize: { outcome: 'PASS', exitCode: 0 },
          scanner: { outcome: 'PASS', exitCode: 0 },
          // Blocked: the job exits with the blocking status code (1 untrusted).
          gate: { outcome: 'FAIL', exitCode: 1 },
          // warn: the one exit code the job is allowed to fail with.
          'gate-warn': { outcome: 'WARN', exitCode: 42 },
          'gate-misconfigured': { outcome: 'FAIL', exitCode: 10 },
          'gate-at-3': { outcome: 'PASS', exitCode: 0 },
        });

        const sha = await headCommit(repo);
        const app = sha256(`app ${sha}\n`);
        const lib = sha256('lib\n');
        const junit = await readJunit(path.join(jobOutDir(repo.dir, 'gate'), 'junit.xml'));
        expect(junit).toMatchObject({ tests: 2, failures: 2, errors: 0 });
        expect(junit.cases.map((c) => c.name)).toEqual([
          `dist/app 1.bin (${app})`,
          `dist/lib.bin (${lib})`,
        ]);
        for (const c of junit.cases) {
          expect(c.classname).toBe('notarize.gate');
          expect(c.failure).toMatchObject({ kind: 'failure', type: 'untrusted' });
          expect(c.failure?.message).toMatch(/scanner/);
          expect(c.failure?.message).toContain('CVE-2026-0001 <critical> & "exploitable"');
          expect(c.failure?.text).toContain(
            'identities: gitlab:group/project=trusted, scanner=untrusted',
          );
        }
        expect(
          await readDotenv(path.join(jobOutDir(repo.dir, 'gate'), 'notarize.env')),
        ).toMatchObject({
          GATE_DECISION: 'block',
          GATE_CODE: '1',
          GATE_DIGESTS: `${app} ${lib}`,
        });

        const warned = await readJunit(path.join(jobOutDir(repo.dir, 'gate-warn'), 'junit.xml'));
        expect(warned).toMatchObject({ tests: 2, failures: 2, errors: 0 });
        expect(
          await readDotenv(path.join(jobOutDir(repo.dir, 'gate-warn'), 'notarize.env')),
        ).toMatchObject({ GATE_WARN_DECISION: 'block', GATE_WARN_CODE: '1' });

        expect(
          await readDotenv(path.join(jobOutDir(repo.dir, 'gate-at-3'), 'notarize.env')),
        ).toMatchObject({ GATE_AT_3_DECISION: 'allow', GATE_AT_3_CODE: '0' });

        const broken = await readJunit(
          path.join(jobOutDir(repo.dir, 'gate-misconfigured'), 'junit.xml'),
        );
        expect(broken).toMatchObject({ tests: 1, failures: 0, errors: 1 });
        expect(broken.cases[0]?.failure).toMatchObject({ kind: 'error', type: 'exit code 10' });
        expect(broken.cases[0]?.failure?.message).toMatch(/no-such-policy\.yml/);
        // No GATE_MISCONFIGURED_DIGESTS: an empty one would hide the value of another needed job.
        expect(
          await readDotenv(path.join(jobOutDir(repo.dir, 'gate-misconfigured'), 'notarize.env')),
        ).toEqual({ GATE_MISCONFIGURED_DECISION: 'error', GATE_MISCONFIGURED_CODE: '10' });
      } finally {
        await server.close();
      }
    },
    E2E_TIMEOUT,
  );

  it(
    'evidence: the notarize job attaches a build log, the evidence job an SBOM, both to the artifact',
    async () => {
      const repo = await repos.create('');
      const ledger = `file:${path.join(repo.home, 'ledger')}`;
      const sbom = '{"bomFormat":"CycloneDX","specVersion":"1.6"}\n';
      const build = {
        ...BUILD_JOB,
        script: [
          ...BUILD_JOB.script,
          'echo "compiled" > build.log',
          `printf '%s\\n' '${sbom.trim()}' > sbom.json`,
        ],
        artifacts: { paths: ['dist/', 'build.log', 'sbom.json'] },
      };
      await repo.commit({
        '.gitlab-ci.yml': pipelineYaml(
          ['build', 'notarize', 'evidence'],
          [
            {
              how: 'local',
              template: 'notarize',
              inputs: {
                stage: 'notarize',
                needs: ['build'],
                subjects: 'dist/lib.bin',
                evidence: 'build.log',
                ledger,
                cli: CLI,
              },
            },
            {
              how: 'local',
              template: 'evidence',
              inputs: {
                'job-name': 'sbom',
                stage: 'evidence',
                needs: ['build', 'notarize'],
                evidence: 'sbom.json',
                subjects: '$NOTARIZE_DIGESTS',
                metadata: 'tool=syft\nformat=cyclonedx',
                ledger,
                cli: CLI,
              },
            },
          ],
          { build },
        ),
      });
      const run = await runPipeline(repo);

      expect(run.jobs).toEqual({
        build: { outcome: 'PASS', exitCode: 0 },
        notarize: { outcome: 'PASS', exitCode: 0 },
        sbom: { outcome: 'PASS', exitCode: 0 },
      });
      const lib = sha256('lib\n');
      const out = await readDotenv(path.join(jobOutDir(repo.dir, 'sbom'), 'notarize.env'));
      // The evidence job's outputs are named after it (sbom): SBOM_*.
      expect(out).toMatchObject({
        SBOM_CODE: '0',
        SBOM_DIGESTS: lib,
        SBOM_RECEIPTS: 'notarize-out/sbom/evidence.json',
      });
      expect(JSON.parse(out.SBOM_CHECKPOINT as string)).toMatchObject({ size: 6 });
      const rows = JSON.parse(
        await readFile(path.join(repo.dir, out.SBOM_RECEIPTS as string), 'utf8'),
      ) as { file: string; digest: string }[];
      expect(rows.map((r) => [r.file, r.digest])).toEqual([['sbom.json', sha256(sbom)]]);
      // The notarize job's checkpoint is the one after its evidence (trust and build.log, each
      // committed with its map head).
      const notarized = await readDotenv(
        path.join(jobOutDir(repo.dir, 'notarize'), 'notarize.env'),
      );
      expect(JSON.parse(notarized.NOTARIZE_CHECKPOINT as string)).toMatchObject({ size: 4 });
      const attached = JSON.parse(
        await readFile(path.join(jobOutDir(repo.dir, 'notarize'), 'evidence.json'), 'utf8'),
      ) as { file: string; digest: string }[];
      expect(attached.map((r) => [r.file, r.digest])).toEqual([
        ['build.log', sha256('compiled\n')],
      ]);

      // The ledger links both files to the artifact and to the GitLab job that recorded each.
      const found = (await notarizeJson(
        ['evidence', 'get', '--ledger', ledger, '--subject', lib],
        repo,
      )) as {
        evidence: { file: string; job: Record<string, string>; metadata?: object }[];
      };
      expect(
        found.evidence.map((e) => [e.file, e.job.provider, e.job.project, e.job.job, e.metadata]),
      ).toEqual([
        ['build.log', 'gitlab', 'group/project', 'notarize', undefined],
        ['sbom.json', 'gitlab', 'group/project', 'sbom', { tool: 'syft', format: 'cyclonedx' }],
      ]);
    },
    E2E_TIMEOUT,
  );
});
