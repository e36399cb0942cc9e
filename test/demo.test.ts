/**
 * `npm run demo` (scripts/demo/story.ts) end to end: the whole story runs on a fresh embedded
 * ledger and a real `notarize serve` child process, and every step has the outcome the issue
 * asks for — checked here from the facts each step observed, not from its own ok flag alone.
 * Also runs `scripts/demo.ts` itself as a person would, for the exit code and the narration.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { runDemo, type DemoResult, type StepResult } from '../scripts/demo/story.ts';
import { REPO_ROOT } from '../scripts/demo/service.ts';

const pexecFile = promisify(execFile);

let result: DemoResult;
const narration: string[] = [];

beforeAll(async () => {
  result = await runDemo({
    narrator: {
      chapter: (title) => narration.push(`chapter ${title}`),
      say: (t) => narration.push(t),
      block: (t) => narration.push(t),
      command: (argv, output) => narration.push(`$ notarize ${argv.join(' ')}\n${output}`),
      outcome: (ok, t) => narration.push(`${ok ? 'ok' : 'FAILED'} ${t}`),
    },
  });
}, 60_000);

function stepOf(id: string): StepResult {
  const found = result.steps.find((s) => s.id === id);
  if (!found)
    throw new Error(
      `the demo has no step "${id}"; it has ${result.steps.map((s) => s.id).join(', ')}`,
    );
  return found;
}

describe('the demo story', () => {
  it('runs every step, in order, each with the expected outcome', () => {
    expect(result.steps.filter((s) => !s.ok)).toEqual([]);
    expect(result.steps.map((s) => s.id)).toEqual([
      'old-release',
      'build',
      'notarize',
      'evidence',
      'gate-no-qa',
      'serve',
      'qa-approve',
      'gate-allow',
      'scanner-untrust',
      'gate-block',
      'scanner-revise',
      'gate-allow-again',
      'eol',
      'status-eol',
      'history',
      'time-travel',
      'evidence-get',
      'audit',
      'verify-offline',
    ]);
    expect(result.ok).toBe(true);
  });

  it('finishes well under a minute and cleans up after itself', () => {
    expect(result.durationMs).toBeLessThan(60_000);
    expect(existsSync(result.workspace)).toBe(false);
  });

  it('builds a file, a directory and an OCI image, digested as such', () => {
    const build = stepOf('build');
    expect(build.facts.types).toEqual(['file', 'directory', 'oci']);
    expect(build.facts.digests).toEqual([
      expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
      expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
      expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
    ]);
    expect(new Set(build.facts.digests as string[]).size).toBe(3);
  });

  it('pins the ledger key on first use, and the service presents the same key', () => {
    expect(stepOf('old-release').facts.pinnedOnFirstUse).toBe(true);
    expect(stepOf('serve').facts.sameKey).toBe(true);
    expect(stepOf('serve').facts.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('notarizes as the pipeline in one batch, with job evidence', () => {
    expect(stepOf('notarize').facts.statuses).toEqual(['trusted', 'trusted', 'trusted']);
    expect(stepOf('notarize').facts.checkpointSizes).toHaveLength(1);
    expect(stepOf('evidence').code).toBe(0);
    expect(stepOf('evidence-get').facts.identical).toBe(true);
  });

  it('gates: unknown without QA, allow, untrusted with the reason, allow after the revision', () => {
    expect(stepOf('gate-no-qa')).toMatchObject({ code: 2 });
    expect(stepOf('gate-no-qa').facts.reason).toMatch(/require\[1\] \(role qa/);
    expect(stepOf('gate-allow')).toMatchObject({ code: 0 });
    expect(stepOf('gate-allow').facts.identities).toEqual({
      'github:acme/widgets': 'trusted',
      'qa-alice': 'trusted',
    });
    const blocked = stepOf('gate-block');
    expect(blocked.code).toBe(1);
    expect(blocked.facts.blocked).toEqual(['oci:dist/image:2.0']);
    expect(blocked.facts.reason).toBe(
      `blocked: rule block[0] (status untrusted): identity \`trivy\` (role scanner) marked it untrusted at index ${String(stepOf('scanner-untrust').facts.index)}: CVE-2026-1234 in libwidget`,
    );
    expect(stepOf('gate-allow-again')).toMatchObject({ code: 0 });
    expect(stepOf('gate-allow-again').facts.identities).toMatchObject({ trivy: 'trusted' });
  });

  it('end of life, history and time travel', () => {
    expect(stepOf('status-eol')).toMatchObject({ code: 3 });
    expect(stepOf('status-eol').facts.identities).toEqual({
      'github:acme/widgets': 'trusted',
      'pm-bob': 'unsupported',
    });
    expect(stepOf('history').facts.assertions).toEqual([
      'github:acme/widgets:trusted',
      'qa-alice:trusted',
      'trivy:untrusted',
      'trivy:trusted',
    ]);
    const past = stepOf('time-travel');
    expect(past.code).toBe(0);
    expect(past.facts.size).toBe(stepOf('eol').facts.index);
  });

  it('audits the log over HTTP and verifies the directory offline', () => {
    expect(stepOf('audit')).toMatchObject({ ok: true, code: 0 });
    expect(stepOf('verify-offline')).toMatchObject({ ok: true, code: 0 });
  });

  it('narrates every step with the real commands and their output', () => {
    const text = narration.join('\n');
    expect(text).toContain(
      '$ notarize gate dist/app-2.0.tar dist/site oci:dist/image:2.0 --policy release-policy.yml',
    );
    expect(text).toMatch(/marked it untrusted at index \d+: CVE-2026-1234/);
    expect(text).toContain('$ notarize audit');
    expect(narration.filter((l) => l.startsWith('FAILED'))).toEqual([]);
  });
});

describe('a story that goes differently', () => {
  it('fails the steps whose outcome differs, and the demo as a whole', async () => {
    // Without the QA rule the first gate already allows: that step, and only the steps whose
    // expectations depend on it, must be reported as failed.
    const lax = await runDemo({
      policy: 'version: 1\nrequire:\n  - { status: trusted }\nblock:\n  - { status: untrusted }\n',
    });
    expect(lax.ok).toBe(false);
    const failed = lax.steps.filter((s) => !s.ok);
    expect(failed.map((s) => s.id)).toEqual(['gate-no-qa']);
    expect(failed[0]).toMatchObject({ code: 0, problem: 'gate exited 0' });
    expect(existsSync(lax.workspace)).toBe(false);
  }, 60_000);
});

describe('npm run demo (scripts/demo.ts)', () => {
  it('prints the story and exits 0', async () => {
    const node = path.join(REPO_ROOT, 'node_modules', '.bin', 'node');
    const { stdout } = await pexecFile(node, [path.join(REPO_ROOT, 'scripts', 'demo.ts')], {
      cwd: REPO_ROOT,
      timeout: 60_000,
      env: { PATH: process.env.PATH, HOME: process.env.HOME },
    });
    expect(stdout).toMatch(/== 1\. An embedded ledger, no setup/);
    expect(stdout).toMatch(/The whole story checked out: 19 steps in [\d.]+ s\./);
  }, 60_000);
});
