/**
 * The README's snippets are what people paste, so they are exercised like code:
 * - the GitHub workflow and the GitLab pipeline are byte-identical to those in docs/github.md and
 *   docs/gitlab.md (which their own tests run), and are checked again here from the README: the
 *   workflow with actionlint and against our actions' declared inputs, the pipeline with
 *   gitlab-ci-local (GitLab's CI JSON schema, the templates' `spec: inputs`);
 * - every policy example parses with the gate's own `parsePolicy`;
 * - the service config example is accepted by the service's config validation;
 * - every command of the CLI reference exists (`--help` exits 0 with its usage);
 * - the "Try it" commands are the package's scripts.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { canonicalBytes, parsePolicy, readAssertion, type LedgerEntry } from '@notarize/trust';
import { leafHash, noteVerifierFromVkey, verifyTlogProof } from '@notarize/tlog';
import { configFromDocument } from '../packages/server/src/service/config.ts';
import { actionlint } from './support/actions-actionlint.ts';
import {
  createGitRepo,
  runPipeline,
  TEMPLATES_DIR,
  type GitRepo,
} from './support/gitlab-ci-local.ts';
import { startIncludeServer, type IncludeServer } from './support/gitlab-include-server.ts';
import { notarizeCli } from './support/cli.ts';
import { REPO_ROOT } from '../scripts/demo/service.ts';

const read = (file: string): string => readFileSync(path.join(REPO_ROOT, file), 'utf8');
const README = read('README.md');

/** The part of a markdown text from the `## heading` line to the next `## ` heading. */
function section(markdown: string, heading: string): string {
  const start = markdown.indexOf(`\n${heading}\n`);
  if (start < 0) throw new Error(`no section "${heading}"`);
  const next = markdown.indexOf('\n## ', start + heading.length + 2);
  return markdown.slice(start, next < 0 ? undefined : next);
}

/** Fenced code blocks in order, paired by line (an opening fence carries the language). */
function codeBlocks(markdown: string): { lang: string; body: string }[] {
  const blocks: { lang: string; body: string }[] = [];
  let open: { lang: string; lines: string[] } | undefined;
  for (const line of markdown.split('\n')) {
    const fence = /^```(\S*)\s*$/.exec(line);
    if (open === undefined) {
      if (fence) open = { lang: fence[1] as string, lines: [] };
    } else if (fence && fence[1] === '') {
      blocks.push({ lang: open.lang, body: `${open.lines.join('\n')}\n` });
      open = undefined;
    } else {
      open.lines.push(line);
    }
  }
  return blocks;
}

/** Fenced blocks of a language (```yaml, ```sh, ``` for ''). */
function fenced(markdown: string, lang: string): string[] {
  return codeBlocks(markdown)
    .filter((b) => b.lang === lang)
    .map((b) => b.body);
}

function onlyBlock(blocks: string[], what: string): string {
  if (blocks.length !== 1) throw new Error(`${what}: expected one block, found ${blocks.length}`);
  return blocks[0] as string;
}

const readmeWorkflow = onlyBlock(fenced(section(README, '## GitHub Actions'), 'yaml'), 'workflow');
const [readmePipeline = '', readmePipelinePolicy = ''] = fenced(
  section(README, '## GitLab CI'),
  'yaml',
);

describe('README snippets are the docs snippets', () => {
  it('the GitHub workflow is the one in docs/github.md', () => {
    const docs = fenced(read('docs/github.md'), 'yaml').find((b) => /^jobs:/m.test(b));
    expect(readmeWorkflow).toBe(docs);
  });

  it('the GitLab pipeline and its policy are the ones in docs/gitlab.md', () => {
    const docs = fenced(section(read('docs/gitlab.md'), '## A complete pipeline'), 'yaml');
    expect([readmePipeline, readmePipelinePolicy]).toEqual(docs.slice(0, 2));
  });
});

describe('the README GitHub workflow', () => {
  interface ActionMetadata {
    inputs?: Record<string, { required?: boolean; default?: unknown }>;
  }

  it('passes actionlint (which is really running: a broken copy fails)', async () => {
    const broken = readmeWorkflow.replace('needs: [build, scan]', 'needs: [build, scna]');
    expect(broken).not.toBe(readmeWorkflow);
    const found = await actionlint([
      { path: 'README.md#workflow', data: readmeWorkflow },
      { path: 'broken.yml', data: broken },
    ]);
    expect(found.filter((f) => f.file === 'README.md#workflow')).toEqual([]);
    expect(found.some((f) => f.file === 'broken.yml' && f.kind === 'job-needs')).toBe(true);
  }, 60_000);

  it('passes only inputs our actions declare, and all the required ones', () => {
    const doc = parse(readmeWorkflow) as {
      jobs: Record<string, { steps?: { uses?: string; with?: Record<string, unknown> }[] }>;
    };
    const problems: string[] = [];
    const used = new Set<string>();
    for (const [job, def] of Object.entries(doc.jobs)) {
      for (const step of def.steps ?? []) {
        const m = /^notarize-dev\/notarize-action(\/actions\/[a-z-]+)?@v1$/.exec(step.uses ?? '');
        if (!m) continue;
        const dir = m[1] ? m[1].slice(1) : '.';
        used.add(dir);
        const inputs = (parse(read(path.join(dir, 'action.yml'))) as ActionMetadata).inputs ?? {};
        for (const name of Object.keys(step.with ?? {})) {
          if (!(name in inputs)) problems.push(`${job}: ${dir} has no input "${name}"`);
        }
        for (const [name, def2] of Object.entries(inputs)) {
          if (def2.required && def2.default === undefined && !(name in (step.with ?? {}))) {
            problems.push(`${job}: ${dir} needs "${name}"`);
          }
        }
      }
    }
    expect(used).toEqual(new Set(['.', 'actions/evidence', 'actions/gate']));
    expect(problems).toEqual([]);
  });
});

describe('the README GitLab pipeline', () => {
  const TEMPLATES_URL =
    'https://raw.githubusercontent.com/notarize-dev/notarize-action/v1/templates/';
  let server: IncludeServer;
  let repo: GitRepo;
  beforeAll(async () => {
    server = await startIncludeServer({ rawDir: TEMPLATES_DIR });
    repo = await createGitRepo({
      files: {
        '.gitlab-ci.yml': readmePipeline.replaceAll(TEMPLATES_URL, `${server.url}/raw/`),
        '.notarize/release-policy.yml': readmePipelinePolicy,
      },
    });
  });
  afterAll(async () => {
    await server?.close();
    await repo?.remove();
  });

  it('is accepted by gitlab-ci-local and expands to the jobs of the three templates', async () => {
    const run = await runPipeline(repo, { args: ['--preview'] });
    expect(run.output).toMatch(/json schema validated/);
    expect(run.output).not.toMatch(/invalid/i);
    const docs = parseAllDocuments(run.stdout.slice(run.stdout.indexOf('---')));
    const expanded = (Array.isArray(docs) ? docs[0] : docs)?.toJS() as Record<string, unknown>;
    expect(Object.keys(expanded)).toEqual(
      expect.arrayContaining(['notarize', 'sbom-evidence', 'scan-passed', 'release-gate']),
    );
  }, 90_000);

  it('has a release policy the gate accepts', async () => {
    await expect(parsePolicy(readmePipelinePolicy)).resolves.toMatchObject({ version: 1 });
  });
});

describe('the README policies and service config', () => {
  const policies = fenced(section(README, '## Gate policies'), 'yaml');

  it('every policy example parses with the gate', async () => {
    expect(policies.length).toBeGreaterThanOrEqual(2);
    for (const text of policies) await expect(parsePolicy(text)).resolves.toBeDefined();
    // parsePolicy really rejects: a typo in a key fails.
    await expect(
      parsePolicy(policies[0]!.replace('status: trusted', 'statu: trusted')),
    ).rejects.toThrow(/unknown key/);
  });

  it('the service config example is a valid service config', () => {
    const text = onlyBlock(
      fenced(section(README, '## Running the ledger service'), 'yaml'),
      'config',
    );
    const doc = parse(text.replace('"sha256:…"', `"sha256:${'0'.repeat(64)}"`)) as unknown;
    const config = configFromDocument(doc, REPO_ROOT, {}, 'README.md');
    expect(config).toMatchObject({ origin: 'notary.example.com/ledger', writable: true });
    expect(() => configFromDocument({ ...(doc as object), colour: 1 }, REPO_ROOT)).toThrow();
  });
});

describe('the README CLI reference', () => {
  /** `notarize a|b [c] <x>... [--y]` -> the command words: ['a'], ['b'], with subcommands. */
  function commandsOf(block: string): string[][] {
    const found: string[][] = [];
    for (const line of block.split('\n')) {
      const m = /^notarize ((?:[a-z|]+ ?)+)/.exec(line.trim());
      if (!m) continue;
      const words = (m[1] as string).trim().split(' ');
      const [first = '', second] = words;
      const seconds = second ? second.split('|') : [undefined];
      for (const a of first.split('|')) for (const b of seconds) found.push(b ? [a, b] : [a]);
    }
    return found;
  }

  const reference = onlyBlock(fenced(section(README, '## CLI reference'), ''), 'CLI reference');
  const service = onlyBlock(fenced(section(README, '## Running the ledger service'), 'sh'), 'sh');
  const commands = [
    ...new Map(
      [...commandsOf(reference), ...commandsOf(service)].map((c) => [c.join(' '), c]),
    ).values(),
  ];

  it('lists the commands of docs/cli.md', () => {
    const names = new Set(commands.map((c) => c.join(' ')));
    for (const c of [
      'digest',
      'trust',
      'untrust',
      'unsupport',
      'status',
      'gate',
      'history',
      'evidence add',
      'evidence get',
      'serve',
      'audit',
      'keygen',
      'ledger info',
      'ledger verify',
      'ledger backup',
      'ledger restore',
    ]) {
      expect([c, names.has(c)]).toEqual([c, true]);
    }
  });

  it.each(commands.map((c) => [c.join(' ')]))('notarize %s --help', async (command) => {
    const r = await notarizeCli([...command.split(' '), '--help'], { cwd: REPO_ROOT });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`Usage: notarize ${command.split(' ').join(' ')}[ |]`));
  });

  it('an unknown command does not pass the same check (it can fail)', async () => {
    const r = await notarizeCli(['frobnicate', '--help'], { cwd: REPO_ROOT });
    // commander answers an unknown command's --help with the top-level usage.
    expect(r.stdout).not.toMatch(/Usage: notarize frobnicate[ |]/);
  });
});

describe('commands named in the README and the docs of issue 10', () => {
  const FILES = [
    'README.md',
    'docs/architecture.md',
    'docs/formats.md',
    'docs/threat-model.md',
    'docs/operations.md',
  ];
  /** `notarize <cmd>[|<alias>]` and, for command groups, `notarize <group> <sub>`. */
  const GROUPS = new Set(['evidence', 'ledger', 'witness']);
  const named = new Set<string>();
  for (const file of FILES) {
    for (const m of read(file).matchAll(
      /\bnotarize ([a-z]+(?:\|[a-z]+)*)(?: ([a-z]+(?:\|[a-z]+)*))?/g,
    )) {
      for (const first of (m[1] as string).split('|')) {
        if (!GROUPS.has(first)) named.add(first);
        else for (const sub of (m[2] ?? '').split('|')) named.add(`${first} ${sub}`);
      }
    }
  }

  it('finds the commands the docs talk about', () => {
    expect([...named]).toEqual(
      expect.arrayContaining(['audit', 'serve', 'ledger verify', 'revoke']),
    );
  });

  /** `notarize …` lines of the fenced blocks, with the options they use. */
  const lines = FILES.flatMap((file) =>
    codeBlocks(read(file))
      .filter((b) => b.lang === 'sh' || b.lang === '')
      .flatMap((b) =>
        b.body
          .split('\n')
          .filter((l) => l.startsWith('notarize '))
          .map((l) => ({ file, line: l.replace(/#.*$/, '').trim() })),
      ),
  );

  it.each(lines.map((l) => [l.file, l.line]))(
    '%s: every option of `%s` exists',
    async (_file, line) => {
      const words = line.split(/\s+/).slice(1);
      const first = (words[0] as string).split('|')[0] as string;
      const command = GROUPS.has(first)
        ? [first, (words[1] as string).split('|')[0] as string]
        : [first];
      const help = await notarizeCli([...command, '--help'], { cwd: REPO_ROOT });
      expect(help.code).toBe(0);
      const options = [...line.matchAll(/--[a-z][a-z-]*/g)].map((m) => m[0]);
      for (const option of options)
        expect([option, help.stdout.includes(option)]).toEqual([option, true]);
    },
  );

  it.each([...named].map((c) => [c]))('notarize %s exists', async (command) => {
    const r = await notarizeCli([...command.split(' '), '--help'], { cwd: REPO_ROOT });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`Usage: notarize ${command}[ |]`));
  });
});

describe('the README session by hand', () => {
  /** Shell words of a simple command line: spaces separate, '…' quotes, # starts a comment. */
  function shellWords(line: string): string[] {
    const words: string[] = [];
    let word: string | undefined;
    for (let i = 0; i < line.length; i++) {
      const c = line[i] as string;
      if (c === "'") {
        const end = line.indexOf("'", i + 1);
        word = (word ?? '') + line.slice(i + 1, end);
        i = end;
      } else if (c === ' ') {
        if (word !== undefined) words.push(word);
        word = undefined;
      } else if (c === '#' && word === undefined) {
        break;
      } else {
        word = (word ?? '') + c;
      }
    }
    if (word !== undefined) words.push(word);
    return words;
  }

  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'readme-session-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('runs line by line with the exit codes the comments promise', async () => {
    const block = section(README, '### By hand, on an embedded ledger');
    const lines = (fenced(block, 'sh')[0] ?? '').trim().split('\n');
    expect(lines.length).toBeGreaterThan(5);
    const seen: string[] = [];
    for (const line of lines) {
      const words = shellWords(line);
      if (words[0] === 'echo') {
        // echo "<text>" > <file>
        const m = /^echo "([^"]*)" > (\S+)$/.exec(line.trim());
        expect(m).not.toBeNull();
        await writeFile(path.join(dir, m![2] as string), `${m![1] as string}\n`);
        continue;
      }
      expect(words.slice(0, 2)).toEqual(['npx', 'notarize']);
      const expected = Number(/# exit (\d+)/.exec(line)?.[1] ?? '0');
      const r = await notarizeCli(words.slice(2), {
        cwd: dir,
        env: { NOTARIZE_STATE: path.join(dir, 'state.json') },
      });
      seen.push(`${words.slice(2, 4).join(' ')} -> ${r.code}`);
      expect([line, r.code, r.stderr]).toEqual([line, expected, expect.any(String)]);
      if (line.includes('first use pins')) expect(r.stderr).toMatch(/first use/);
      if (line.includes('and why')) expect(r.stdout).toContain('CVE-2026-1234');
    }
    expect(seen).toContain('status app.txt -> 1');
  });
});

describe('docs/formats.md examples', () => {
  const formats = read('docs/formats.md');
  const entryJson = fenced(section(formats, '## Entry'), 'json')[0] as string;
  const tlogProof = fenced(section(formats, '## Receipt'), '').find((b) =>
    b.startsWith('c2sp.org/tlog-proof@v1'),
  ) as string;
  const checkpoint = fenced(section(formats, '## Checkpoint'), '')[0] as string;
  const vkey = /`(notarize\.local\/[0-9a-f]+\+[0-9a-f]{8}\+[A-Za-z0-9+/=]+)`/.exec(formats)?.[1];

  it('the receipt proves the entry in the checkpoint, signed by the vkey shown', () => {
    expect(vkey).toBeDefined();
    const entry = JSON.parse(entryJson) as unknown;
    const leaf = leafHash(canonicalBytes(entry));
    const origin = (vkey as string).split('+')[0] as string;
    const verified = verifyTlogProof(
      tlogProof,
      leaf,
      [noteVerifierFromVkey(vkey as string)],
      origin,
    );
    expect(verified.index).toBe(1);
    expect(tlogProof.endsWith(checkpoint)).toBe(true);
    expect(verified.checkpoint.size).toBe(12);
    // A changed entry does not verify (the check can fail).
    const altered = leafHash(
      canonicalBytes({ ...(entry as object), time: '2026-01-01T00:00:00Z' }),
    );
    expect(() =>
      verifyTlogProof(tlogProof, altered, [noteVerifierFromVkey(vkey as string)], origin),
    ).toThrow();
  });

  it('the entry is a valid assertion entry', () => {
    const entry = JSON.parse(entryJson) as LedgerEntry;
    expect(readAssertion(entry)).toMatchObject({
      status: 'trusted',
      reason: 'built by release pipeline',
    });
  });
});

describe('links in the README and the docs of issue 10', () => {
  it.each([
    'README.md',
    'docs/architecture.md',
    'docs/formats.md',
    'docs/threat-model.md',
    'docs/operations.md',
  ])('%s links only to files that exist', (file) => {
    const missing: string[] = [];
    for (const m of read(file).matchAll(/\]\(([^)\s]+)\)/g)) {
      const target = (m[1] as string).split('#')[0] as string;
      if (target === '' || /^[a-z]+:/.test(target)) continue;
      if (!existsSync(path.resolve(REPO_ROOT, path.dirname(file), target))) missing.push(target);
    }
    expect(missing).toEqual([]);
  });
});

describe('the README "Try it"', () => {
  it('names commands that are scripts of the package, and CI runs the same provisioning', () => {
    const sh = fenced(section(README, '## Try it'), 'sh')[0];
    expect(sh).toBe(
      'npm ci && npm run demo\n' +
        'npm run provision && npm test    # provision: once, apt-get installs what the tests run against\n',
    );
    const pkg = JSON.parse(read('package.json')) as { scripts: Record<string, string> };
    expect(pkg.scripts.demo).toBe('node scripts/demo.ts');
    expect(pkg.scripts.test).toBeDefined();
    expect(pkg.scripts.provision).toBe('bash scripts/provision.sh');
    // .ci/run provisions with exactly that script, then runs the README's test command.
    const ci = read('.ci/run');
    expect(ci).toContain('\nbash scripts/provision.sh\n');
    expect(ci).toContain('\nnpm test 2>&1');
  });
});
