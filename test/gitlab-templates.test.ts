/**
 * The GitLab templates as files: the `spec: inputs:` header and the one job, checked without
 * running a pipeline (gitlab-pipelines.test.ts runs them). These rules keep the three templates
 * consistent with each other and safe to feed with untrusted-looking input values.
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { TEMPLATES_DIR } from './support/gitlab-ci-local.ts';

interface InputSpec {
  type?: 'string' | 'number' | 'boolean' | 'array';
  default?: unknown;
  options?: unknown[];
  regex?: string;
  description?: string;
}

interface Template {
  name: string;
  text: string;
  inputs: Record<string, InputSpec>;
  jobs: Record<string, Record<string, unknown>>;
}

const NAMES = ['notarize', 'gate', 'evidence'] as const;
/** Inputs every template has, with the same meaning, default and description. */
const SHARED = ['ledger', 'ledger-key', 'identity', 'audience', 'cli', 'image'];
/** Inputs every template has, with a default of its own. */
const SHARED_BUT_DEFAULT = ['job-name', 'stage'];

async function load(name: string): Promise<Template> {
  const text = await readFile(path.join(TEMPLATES_DIR, `${name}.yml`), 'utf8');
  const docs = parseAllDocuments(text);
  if (!Array.isArray(docs)) throw new Error(`${name}.yml: not a YAML stream`);
  for (const d of docs) if (d.errors.length > 0) throw new Error(`${name}.yml: ${d.errors[0]}`);
  const [header, body] = docs.map((d) => d.toJS() as Record<string, unknown>);
  if (docs.length !== 2 || !header || !body) throw new Error(`${name}.yml: want header --- body`);
  const spec = header.spec as { inputs: Record<string, InputSpec> };
  return {
    name,
    text,
    inputs: spec.inputs,
    jobs: body as Record<string, Record<string, unknown>>,
  };
}

let templates: Template[];
beforeAll(async () => {
  templates = await Promise.all(NAMES.map(load));
});

describe('templates/*.yml', () => {
  it('each is a spec: inputs: header, ---, and exactly one job named by the job-name input', () => {
    for (const t of templates) {
      expect(Object.keys(t.jobs)).toEqual(['$[[ inputs.job-name ]]']);
      const job = t.jobs['$[[ inputs.job-name ]]'] as Record<string, unknown>;
      expect(job).toMatchObject({
        stage: '$[[ inputs.stage ]]',
        needs: '$[[ inputs.needs ]]',
        image: '$[[ inputs.image ]]',
        id_tokens: { NOTARIZE_ID_TOKEN: { aud: '$[[ inputs.audience ]]' } },
      });
      expect(t.inputs.needs).toMatchObject({ type: 'array' });
      expect(t.inputs.needs).not.toHaveProperty('default');
    }
  });

  it('describes every input, and every declared input is used and every used one declared', () => {
    for (const t of templates) {
      const used = new Set(
        [...t.text.matchAll(/\$\[\[\s*inputs\.([\w-]+)\s*\]\]/g)].map((m) => m[1]),
      );
      expect([...used].sort()).toEqual(Object.keys(t.inputs).sort());
      for (const [name, spec] of Object.entries(t.inputs)) {
        expect({ name, description: typeof spec.description }).toEqual({
          name,
          description: 'string',
        });
      }
    }
  });

  it('uses options for closed sets and regexes that accept the defaults', () => {
    const byName = Object.fromEntries(templates.map((t) => [t.name, t.inputs]));
    expect(byName.notarize?.status?.options).toEqual(['trusted', 'untrusted', 'unsupported']);
    expect(byName.gate?.mode?.options).toEqual(['enforce', 'warn']);
    for (const t of templates) {
      for (const [name, spec] of Object.entries(t.inputs)) {
        if (spec.options && spec.default !== undefined)
          expect(spec.options).toContain(spec.default);
        if (spec.regex && spec.default !== undefined) {
          expect({ name, ok: new RegExp(spec.regex).test(String(spec.default)) }).toEqual({
            name,
            ok: true,
          });
        }
      }
    }
  });

  it('shares the common inputs word for word', () => {
    const [first, ...rest] = templates as [Template, ...Template[]];
    for (const name of SHARED) {
      for (const t of rest)
        expect({ name, spec: t.inputs[name] }).toEqual({ name, spec: first.inputs[name] });
    }
    for (const name of SHARED_BUT_DEFAULT) {
      for (const t of rest) {
        expect({ name, description: t.inputs[name]?.description }).toEqual({
          name,
          description: first.inputs[name]?.description,
        });
      }
    }
    expect(first.inputs.identity?.default).toBe('gitlab:$CI_PROJECT_PATH');
    expect(first.inputs.image?.default).toBe('node:24');
    expect(first.inputs.cli?.default).toMatch(/^npx --yes --package=\S+ notarize$/);
  });

  it('never pastes an input into shell code: scripts read inputs from job variables', () => {
    for (const t of templates) {
      const job = t.jobs['$[[ inputs.job-name ]]'] as { script: string[] };
      for (const line of job.script) expect(line).not.toMatch(/\$\[\[/);
    }
  });

  it('exports its outputs as a dotenv report, and the gate its decision as JUnit, even on failure', () => {
    for (const t of templates) {
      const job = t.jobs['$[[ inputs.job-name ]]'] as {
        artifacts: { when: string; reports: Record<string, string> };
      };
      expect(job.artifacts.when).toBe('always');
      expect(job.artifacts.reports.dotenv).toBe('notarize-out/$[[ inputs.job-name ]]/notarize.env');
    }
    const gate = templates.find((t) => t.name === 'gate')?.jobs['$[[ inputs.job-name ]]'] as {
      artifacts: { reports: Record<string, string> };
      allow_failure: unknown;
    };
    expect(gate.artifacts.reports.junit).toBe('notarize-out/$[[ inputs.job-name ]]/junit.xml');
    expect(gate.allow_failure).toEqual({ exit_codes: [42] });
  });
});

describe('templates/README.md (the component README)', () => {
  const readme = readFileSync(path.join(TEMPLATES_DIR, 'README.md'), 'utf8');
  test.each(['notarize', 'evidence', 'gate'])('documents every input of %s.yml', (name) => {
    const spec = (
      parseAllDocuments(
        readFileSync(path.join(TEMPLATES_DIR, `${name}.yml`), 'utf8'),
      )[0]!.toJS() as { spec: { inputs: Record<string, unknown> } }
    ).spec.inputs;
    const at = readme.indexOf(`\n### ${name}\n`);
    expect(at).toBeGreaterThan(0);
    const next = readme.indexOf('\n### ', at + 1);
    const section = readme.slice(at, next < 0 ? undefined : next);
    const documented = [...section.matchAll(/^\| `([a-z-]+)` \|/gm)].map((m) => m[1]);
    expect(documented).toEqual(Object.keys(spec));
  });
});
