/**
 * Lints the action metadata and the workflows, as part of `npm test`:
 * - every action.yml against a JSON Schema of GitHub's documented metadata syntax (node24 and all),
 *   and against this repository: its `runs.main` is one of the bundles scripts/build.ts makes;
 * - every workflow with actionlint 1.7.7 (support/actions-actionlint.ts);
 * - every step that uses an action of this repository (`./`, `./actions/...`) passes only inputs
 *   the action declares, and all its required ones.
 * Each check is also shown to fail on a broken document, so a silent linter cannot pass.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { compileSchema, describeAjvError, instancePathToDots } from '../packages/trust/src/ajv.ts';
import { bundles } from '../scripts/build.ts';
import { actionMetadataSchema } from './support/actions-metadata-schema.ts';
import { actionlint } from './support/actions-actionlint.ts';
import { REPO_ROOT } from './support/actions-runner.ts';

const ACTIONS = ['action.yml', 'actions/gate/action.yml', 'actions/evidence/action.yml'];
const WORKFLOWS = readdirSync(path.join(REPO_ROOT, '.github', 'workflows'))
  .filter((f) => /\.ya?ml$/.test(f))
  .map((f) => path.join('.github', 'workflows', f));

interface ActionMetadata {
  inputs?: Record<string, { required?: boolean; default?: unknown }>;
  outputs?: Record<string, unknown>;
  runs: { using: string; main?: string };
}

const read = (file: string): string => readFileSync(path.join(REPO_ROOT, file), 'utf8');

function schemaErrors(doc: unknown): string[] {
  const validate = compileSchema(actionMetadataSchema);
  if (validate(doc)) return [];
  return (validate.errors ?? []).map(
    (e) => `${instancePathToDots(e.instancePath) || '(top)'}: ${describeAjvError(e)}`,
  );
}

describe('action.yml metadata', () => {
  it.each(ACTIONS)('%s follows the metadata syntax and runs a node24 bundle of ours', (file) => {
    const doc = parse(read(file)) as ActionMetadata;
    expect(schemaErrors(doc)).toEqual([]);
    expect(doc.runs.using).toBe('node24');
    const main = path.relative(
      REPO_ROOT,
      path.resolve(REPO_ROOT, path.dirname(file), doc.runs.main as string),
    );
    const name = /^dist\/([^/]+)\/index\.js$/.exec(main)?.[1];
    expect(name).toBeDefined();
    expect(Object.keys(bundles)).toContain(name);
    expect(existsSync(path.join(REPO_ROOT, main))).toBe(true);
  });

  it('the schema rejects what GitHub rejects', () => {
    const good = parse(read('action.yml')) as Record<string, unknown>;
    const broken: [string, Record<string, unknown>][] = [
      ['old runtime', { ...good, runs: { using: 'node12', main: 'x.js' } }],
      ['no main', { ...good, runs: { using: 'node24' } }],
      ['unknown top-level key', { ...good, input: {} }],
      ['input without description', { ...good, inputs: { a: { required: true } } }],
      ['input id with a space', { ...good, inputs: { 'a b': { description: 'x' } } }],
      [
        'value on a JavaScript action output',
        { ...good, outputs: { a: { description: 'x', value: 'y' } } },
      ],
      ['bad branding color', { ...good, branding: { icon: 'check', color: 'pink' } }],
      ['no description', { name: 'x', runs: { using: 'node24', main: 'a.js' } }],
    ];
    for (const [what, doc] of broken)
      expect([what, schemaErrors(doc).length > 0]).toEqual([what, true]);
    expect(
      schemaErrors({
        name: 'c',
        description: 'composite',
        outputs: { a: { description: 'x', value: '${{ steps.s.outputs.a }}' } },
        runs: { using: 'composite', steps: [] },
      }),
    ).toEqual([]);
  });
});

const BROKEN = 'broken-example.yml';
const DOCS_WORKFLOW = 'docs/github.md#workflow';

/** The workflow docs/github.md tells users to paste: its first YAML block with `jobs:`. */
function docsWorkflow(): string {
  const blocks = [...read('docs/github.md').matchAll(/```yaml\n([\s\S]*?)```/g)].map(
    (m) => m[1] as string,
  );
  const workflow = blocks.find((b) => /^jobs:/m.test(b));
  if (!workflow) throw new Error('docs/github.md has no complete workflow');
  return workflow;
}

let findings: string[] = [];

// One actionlint process for all files: starting its WebAssembly runtime takes about 2 s.
beforeAll(async () => {
  const broken = read('.github/workflows/example.yml')
    .replace('needs: [build, scan]', 'needs: [build, scna]')
    .replace('id-token: write # the', 'id-token: wirte # the');
  const found = await actionlint([
    ...WORKFLOWS.map((file) => ({ path: file, data: read(file) })),
    { path: BROKEN, data: broken },
    { path: DOCS_WORKFLOW, data: docsWorkflow() },
  ]);
  findings = found.map((r) => `${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
}, 60_000);

const findingsOf = (file: string): string[] => findings.filter((f) => f.startsWith(`${file}:`));

describe('workflows', () => {
  it.each(WORKFLOWS)('%s passes actionlint', (file) => {
    expect(findingsOf(file)).toEqual([]);
  });

  it('actionlint catches mistakes (it is really running)', () => {
    const found = findingsOf(BROKEN);
    expect(found.some((f) => f.includes('[job-needs]'))).toBe(true);
    expect(found.some((f) => f.includes('[permissions]'))).toBe(true);
  });

  /** `./`, `./actions/x`, or the published `<owner>/notarize-action[/actions/x]@ref`. */
  function ownAction(uses: string | undefined): string | undefined {
    if (uses === undefined) return undefined;
    if (uses.startsWith('./')) return uses;
    const m = /^[^/]+\/notarize-action(\/actions\/[a-z-]+)?@.+$/.exec(uses);
    return m ? `.${m[1] ?? '/'}` : undefined;
  }

  function localUses(text: string): { job: string; uses: string; with: Record<string, unknown> }[] {
    const doc = parse(text) as {
      jobs: Record<string, { steps?: { uses?: string; with?: Record<string, unknown> }[] }>;
    };
    const found = [];
    for (const [job, def] of Object.entries(doc.jobs)) {
      for (const step of def.steps ?? []) {
        const own = ownAction(step.uses);
        if (own) found.push({ job, uses: own, with: step.with ?? {} });
      }
    }
    return found;
  }

  function inputProblems(text: string): string[] {
    const problems: string[] = [];
    for (const step of localUses(text)) {
      const file = path.join(step.uses, 'action.yml');
      const inputs = (parse(read(file)) as ActionMetadata).inputs ?? {};
      for (const name of Object.keys(step.with)) {
        if (!(name in inputs)) problems.push(`${step.job}: ${step.uses} has no input "${name}"`);
      }
      for (const [name, def] of Object.entries(inputs)) {
        if (def.required && def.default === undefined && !(name in step.with)) {
          problems.push(`${step.job}: ${step.uses} needs input "${name}"`);
        }
      }
    }
    return problems;
  }

  it.each(WORKFLOWS)('%s passes only declared inputs to our own actions', (file) => {
    expect(inputProblems(read(file))).toEqual([]);
  });

  it('the workflow in docs/github.md passes actionlint and passes only declared inputs', () => {
    expect(findingsOf(DOCS_WORKFLOW)).toEqual([]);
    const text = docsWorkflow();
    expect(new Set(localUses(text).map((s) => s.uses))).toEqual(
      new Set(['./', './actions/evidence', './actions/gate']),
    );
    expect(inputProblems(text)).toEqual([]);
  });

  it('the example uses all three actions, with id-token: write where they write', () => {
    const text = read('.github/workflows/example.yml');
    expect(new Set(localUses(text).map((s) => s.uses))).toEqual(
      new Set(['./', './actions/evidence', './actions/gate']),
    );
    const broken = text.replace('policy: |', 'polcy: |').replace('files: scan-report.txt', '');
    expect(inputProblems(broken).sort()).toEqual([
      'gate: ./actions/gate has no input "polcy"',
      'gate: ./actions/gate needs input "policy"',
      'scan: ./actions/evidence needs input "files"',
    ]);
  });
});
