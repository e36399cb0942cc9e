/**
 * How the GitLab templates get into a pipeline, checked with gitlab-ci-local (GitLab's CI JSON
 * schema validation on): `include: project` (a second repository at a tag, behind git smart HTTP on
 * 127.0.0.1), `include: component` (the CI/CD Catalog layout, templates/<name>.yml), and the
 * templates' `spec: inputs:` refusing bad values before any job runs.
 */
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { parse, stringify } from 'yaml';
import {
  TEMPLATES_DIR,
  createGitRepo,
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
  pipelineYaml,
  repoFactory,
  sha256,
  templateFiles,
  type Include,
} from './support/gitlab-pipeline.ts';

const pexecFile = promisify(execFile);
const CLI = notarizeCliCommand();
const repos = repoFactory();
afterAll(() => repos.removeAll());

describe('including the GitLab templates', () => {
  it(
    'include: project — the templates come from another project at a tag, over git smart HTTP',
    async () => {
      // The templates' project, tagged v1, as GitLab would serve it; the pipeline's project lives on
      // the same (loopback) server, which is where gitlab-ci-local looks for included projects.
      const templates = await createGitRepo({ files: await templateFiles() });
      repos.track(templates);
      await pexecFile('git', ['config', 'uploadpack.allowFilter', 'true'], { cwd: templates.dir });
      await pexecFile('git', ['tag', 'v1'], { cwd: templates.dir });
      const server = await startIncludeServer({
        rawDir: TEMPLATES_DIR,
        gitRepos: { 'group/notarize-templates': templates.dir },
      });
      try {
        const repo = await repos.create('', {}, `${server.url}/group/project.git`);
        const ledger = `file:${path.join(repo.home, 'ledger')}`;
        const fromProject = (
          template: Include['template'],
          inputs: Record<string, unknown>,
        ): Include => ({
          how: 'project',
          project: 'group/notarize-templates',
          ref: 'v1',
          template,
          inputs: { ledger, cli: CLI, ...inputs },
        });
        await repo.commit({
          'templates/notarize.yml':
            '# not this one: the include must come from the other project\n',
          '.gitlab-ci.yml': pipelineYaml(
            ['build', 'test', 'deploy'],
            [
              fromProject('notarize', { needs: ['build'], subjects: 'dist/lib.bin' }),
              fromProject('gate', { needs: ['notarize'], subjects: '$NOTARIZE_DIGESTS' }),
            ],
            { build: BUILD_JOB },
          ),
        });
        const run = await runPipeline(repo);

        expect(server.requests).toContain('/group/notarize-templates.git/info/refs');
        expect(run.output).toMatch(/json schema validated/);
        expect(run.jobs).toEqual({
          build: { outcome: 'PASS', exitCode: 0 },
          notarize: { outcome: 'PASS', exitCode: 0 },
          gate: { outcome: 'PASS', exitCode: 0 },
        });
        expect(
          await readDotenv(path.join(jobOutDir(repo.dir, 'gate'), 'notarize.env')),
        ).toMatchObject({
          GATE_DECISION: 'allow',
          GATE_DIGESTS: sha256('lib\n'),
        });
      } finally {
        await server.close();
      }
    },
    E2E_TIMEOUT,
  );

  it(
    "include: component — the repository's catalog layout (templates/<name>.yml)",
    async () => {
      // The repository's own layout is the catalog's (templates/<name>.yml). gitlab-ci-local
      // resolves a component of this very project at its current commit from the working tree,
      // as GitLab does for a component tested in its project.
      const files = await templateFiles();
      expect(Object.keys(files).sort()).toEqual([
        'templates/README.md',
        'templates/evidence.yml',
        'templates/gate.yml',
        'templates/notarize.yml',
      ]);
      const repo = await repos.create('', files);
      const sha = await headCommit(repo);
      const component = (name: string) => `$CI_SERVER_FQDN/group/project/${name}@${sha}`;
      await writeFile(
        path.join(repo.dir, '.gitlab-ci.yml'),
        stringify({
          include: [
            {
              component: component('notarize'),
              inputs: { needs: ['build'], subjects: 'dist/lib.bin' },
            },
            {
              component: component('gate'),
              inputs: { needs: ['notarize'], subjects: '$NOTARIZE_DIGESTS', mode: 'warn' },
            },
          ],
          build: BUILD_JOB,
        }),
      );
      const run = await runPipeline(repo, { args: ['--preview'] });

      expect(run.output).toMatch(/json schema validated/);
      const expanded = parse(run.stdout.slice(run.stdout.indexOf('---'))) as Record<
        string,
        Record<string, unknown>
      >;
      expect(expanded.notarize).toMatchObject({
        stage: 'test',
        variables: { NOTARIZE_IN_SUBJECTS: 'dist/lib.bin', NOTARIZE_IN_STATUS: 'trusted' },
      });
      expect(expanded.gate).toMatchObject({
        stage: 'deploy',
        variables: { NOTARIZE_IN_MODE: 'warn' },
        allow_failure: { exit_codes: [42] },
      });
    },
    E2E_TIMEOUT,
  );

  it.each([
    [
      'status outside its options',
      'notarize',
      { status: 'maybe' },
      /`status` input: `maybe` cannot be used because it is not in the list of allowed options/,
    ],
    [
      'mode outside its options',
      'gate',
      { mode: 'block' },
      /`mode` input: `block` cannot be used because it is not in the list of allowed options/,
    ],
    [
      'at that is not a tree size',
      'gate',
      { at: 'yesterday' },
      /`at` input: `yesterday` does not match required regex/,
    ],
    [
      'a ledger that is neither a URL nor file:',
      'notarize',
      { ledger: 'ftp://x' },
      /`ledger` input: `ftp:\/\/x` does not match required regex/,
    ],
    [
      'needs as a string',
      'gate',
      { needs: 'build' },
      /`needs` input: provided value is not a array/,
    ],
    [
      'no subjects',
      'evidence',
      { subjects: undefined, evidence: '' },
      /`evidence` input: `` does not match required regex/,
    ],
  ] as const)(
    'the spec refuses %s',
    async (_what, template, inputs, message) => {
      const base: Record<string, unknown> = {
        needs: ['build'],
        subjects: 'dist/app',
        evidence: 'sbom.json',
      };
      const merged = Object.fromEntries(
        Object.entries({ ...base, ...inputs }).filter(([, v]) => v !== undefined),
      );
      const repo = await repos.create(
        pipelineYaml(['build', 'test', 'deploy'], [{ how: 'local', template, inputs: merged }], {
          build: BUILD_JOB,
        }),
      );
      const run = await runPipeline(repo, { args: ['--list'] });
      expect(run.output).toMatch(/This GitLab CI configuration is invalid/);
      expect(run.output).toMatch(message);
      expect(run.jobs).toEqual({});
    },
    E2E_TIMEOUT,
  );

  it(
    'the spec requires needs (no default: [] would start the job before its inputs exist)',
    async () => {
      const repo = await repos.create(
        pipelineYaml(
          ['build', 'test', 'deploy'],
          [{ how: 'local', template: 'gate', inputs: { subjects: 'x' } }],
          {
            build: BUILD_JOB,
          },
        ),
      );
      const run = await runPipeline(repo, { args: ['--list'] });
      expect(run.output).toMatch(/`needs` input: required value has not been provided/);
    },
    E2E_TIMEOUT,
  );
});
