/**
 * The `.gitlab-ci.yml` that docs/gitlab.md tells users to paste: with its remote includes served
 * from 127.0.0.1, gitlab-ci-local must accept it (inputs, GitLab's CI JSON schema) and expand it
 * into the jobs the page describes, and its release policy must be a valid gate policy.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { parsePolicy } from '@notarize/trust';
import {
  REPO_ROOT,
  TEMPLATES_DIR,
  createGitRepo,
  runPipeline,
  type GitRepo,
} from './support/gitlab-ci-local.ts';
import { startIncludeServer, type IncludeServer } from './support/gitlab-include-server.ts';
import { E2E_TIMEOUT } from './support/gitlab-pipeline.ts';

const TEMPLATES_URL =
  'https://raw.githubusercontent.com/notarize-dev/notarize-action/v1/templates/';

/** The fenced ```yaml blocks of the section that starts with `heading`. */
function yamlBlocks(markdown: string, heading: string): string[] {
  const start = markdown.indexOf(`\n${heading}\n`);
  if (start < 0) throw new Error(`docs/gitlab.md has no section "${heading}"`);
  const next = markdown.indexOf('\n## ', start + heading.length + 2);
  const section = markdown.slice(start, next < 0 ? undefined : next);
  return [...section.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1] as string);
}

let server: IncludeServer;
let repo: GitRepo;
let pipeline: string;
let policy: string;
beforeAll(async () => {
  const markdown = await readFile(path.join(REPO_ROOT, 'docs', 'gitlab.md'), 'utf8');
  [pipeline = '', policy = ''] = yamlBlocks(markdown, '## A complete pipeline');
  server = await startIncludeServer({ rawDir: TEMPLATES_DIR });
  repo = await createGitRepo({
    files: {
      '.gitlab-ci.yml': pipeline.replaceAll(TEMPLATES_URL, `${server.url}/raw/`),
      '.notarize/release-policy.yml': policy,
    },
  });
});
afterAll(async () => {
  await server?.close();
  await repo?.remove();
});

describe('docs/gitlab.md', () => {
  it('has a complete pipeline that includes the templates by URL', () => {
    expect(pipeline).toContain(`${TEMPLATES_URL}notarize.yml`);
    expect(pipeline).toContain(`${TEMPLATES_URL}gate.yml`);
    expect(pipeline).toContain(`${TEMPLATES_URL}evidence.yml`);
    expect(parse(pipeline).stages).toEqual([
      'build',
      'notarize',
      'evidence',
      'scan',
      'gate',
      'release',
    ]);
  });

  it(
    'gives a pipeline that gitlab-ci-local accepts and expands into the jobs the page describes',
    async () => {
      const run = await runPipeline(repo, { args: ['--preview'] });
      expect(run.output).toMatch(/json schema validated/);
      expect(run.output).not.toMatch(/invalid/i);
      expect(server.requests).toEqual(
        expect.arrayContaining(['/raw/notarize.yml', '/raw/evidence.yml', '/raw/gate.yml']),
      );
      const docs = parseAllDocuments(run.stdout.slice(run.stdout.indexOf('---')));
      const expanded = (Array.isArray(docs) ? docs[0] : docs)?.toJS() as Record<
        string,
        Record<string, unknown>
      >;
      const jobs = Object.keys(expanded).filter((k) => k !== 'stages');
      expect(jobs.sort()).toEqual(
        [
          'build',
          'notarize',
          'sbom-evidence',
          'scan',
          'scan-passed',
          'scan-failed',
          'release-gate',
          'release',
        ].sort(),
      );
      // The page's extensions of template jobs merge with them.
      expect(expanded['scan-failed']).toMatchObject({
        stage: 'scan',
        when: 'on_failure',
        variables: {
          NOTARIZE_TOKEN: '$SCANNER_NOTARIZE_TOKEN',
          NOTARIZE_IN_STATUS: 'untrusted',
          NOTARIZE_IN_SUBJECTS: '$NOTARIZE_DIGESTS',
        },
      });
      expect(expanded['scan-passed']?.variables).toMatchObject({
        NOTARIZE_TOKEN: '$SCANNER_NOTARIZE_TOKEN',
        NOTARIZE_IN_STATUS: 'trusted',
      });
      expect(expanded['release-gate']).toMatchObject({
        stage: 'gate',
        variables: {
          NOTARIZE_IN_POLICY: '.notarize/release-policy.yml',
          NOTARIZE_IN_MODE: 'enforce',
        },
        artifacts: { reports: { junit: 'notarize-out/release-gate/junit.xml' } },
      });
    },
    E2E_TIMEOUT,
  );

  it('gives a release policy that the gate accepts', async () => {
    const parsed = await parsePolicy(policy);
    expect(parsed).toMatchObject({ version: 1 });
  });
});
