/**
 * The product's seed story, end to end through the CLI on a real embedded ledger: the pipeline
 * notarizes a build; QA approves; a scanner untrusts it; the gate blocks (1); the scanner revises;
 * the gate allows; product management marks it unsupported; the gate blocks (3); `--at` an earlier
 * size shows the old decision, verified; another artifact is never affected.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { notarizeCli } from './support/cli.ts';

interface Report {
  decision: 'allow' | 'block';
  code: number;
  subjects: {
    subject: string;
    digest: string;
    decision: string;
    code: number;
    reasons: string[];
    identities: Record<string, string>;
  }[];
  checkpoint: { size: number; root: string };
}

const POLICY = `version: 1
require:
  - {identity: ci, status: trusted}
  - {role: qa, status: trusted}
block:
  - {status: untrusted}
  - {role: pm, status: unsupported}
`;

const CONFIG = `identities:
  ci: {role: pipeline}
  qa-alice: {role: qa}
  trivy: {role: scanner}
  pm-bob: {role: pm}
`;

describe('trust story through the CLI (file: ledger)', () => {
  let dir: string;
  let run: (argv: string[]) => ReturnType<typeof notarizeCli>;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'notarize-story-'));
    await writeFile(path.join(dir, 'app.tar'), 'release 1.0 build output\n');
    await writeFile(path.join(dir, 'other.bin'), 'an unrelated artifact\n');
    await writeFile(path.join(dir, 'policy.yaml'), POLICY);
    const env = { NOTARIZE_STATE: path.join(dir, 'state.json') };
    run = (argv) =>
      notarizeCli([...argv, '--ledger', `file:${path.join(dir, 'ledger')}`], { cwd: dir, env });
    // A new single-user ledger: the first use pins its key, loudly.
    const init = await run(['trust', 'other.bin', '--as', 'ci', '--json']);
    expect(init.code).toBe(0);
    expect(init.stderr).toMatch(/trusting the key it presents on first use/);
    const again = await run(['status', 'other.bin', '--json']);
    expect(again.stderr).toBe('');
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const gate = async (extra: string[] = []) => {
    const r = await run(['gate', 'app.tar', '--policy', 'policy.yaml', '--json', ...extra]);
    return { code: r.code, report: r.json<Report>(), stderr: r.stderr };
  };

  it('walks the story', async () => {
    await writeFile(path.join(dir, 'ledger', 'config.yaml'), CONFIG);

    const built = await run([
      'trust',
      'app.tar',
      '--as',
      'ci',
      '--reason',
      'built by pipeline 42',
      '--json',
    ]);
    expect(built.code).toBe(0);
    const [receipt] = built.json<
      {
        subject: string;
        digest: string;
        status: string;
        index: number;
        checkpoint: { size: number; root: string };
      }[]
    >();
    // Each committed batch ends with the ledger's map head: other.bin is 0, its map head 1.
    expect(receipt).toMatchObject({ subject: 'app.tar', status: 'trusted', index: 2 });
    expect(receipt?.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(receipt?.checkpoint.size).toBe(4);

    // Only the pipeline so far: QA's approval is missing -> blocked, unknown (2).
    let g = await gate();
    expect(g.code).toBe(2);
    expect(g.report.subjects[0]?.reasons[0]).toMatch(/role qa/);

    expect(
      (await run(['trust', 'app.tar', '--as', 'qa-alice', '--reason', 'QA passed'])).code,
    ).toBe(0);
    g = await gate();
    expect(g).toMatchObject({ code: 0, report: { decision: 'allow' } });
    const allowedAt = g.report.checkpoint.size;

    const scan = await run([
      'untrust',
      'app.tar',
      '--as',
      'trivy',
      '--reason',
      'CVE-2026-1234',
      '--json',
    ]);
    expect(scan.code).toBe(0);
    const scanIndex = scan.json<{ index: number }[]>()[0]?.index;
    g = await gate();
    expect(g.code).toBe(1);
    expect(g.report.decision).toBe('block');
    expect(g.report.subjects[0]?.reasons[0]).toContain(`trivy`);
    expect(g.report.subjects[0]?.reasons[0]).toContain(`untrusted at index ${scanIndex}`);
    expect(g.report.subjects[0]?.reasons[0]).toContain('CVE-2026-1234');
    expect(g.report.subjects[0]?.identities).toEqual({
      ci: 'trusted',
      'qa-alice': 'trusted',
      trivy: 'untrusted',
    });

    // The scanner revises its own assertion: the latest one counts.
    expect(
      (await run(['trust', 'app.tar', '--as', 'trivy', '--reason', 'false positive'])).code,
    ).toBe(0);
    g = await gate();
    expect(g.code).toBe(0);

    // A role may only assert what the config allows: QA cannot mark end of life.
    const refused = await run(['eol', 'app.tar', '--as', 'qa-alice']);
    expect(refused.code).toBe(10);
    expect(refused.stderr).toMatch(/may not assert "unsupported"/);

    expect(
      (await run(['unsupport', 'app.tar', '--as', 'pm-bob', '--reason', 'superseded by 2.0'])).code,
    ).toBe(0);
    g = await gate();
    expect(g.code).toBe(3);
    expect(g.report.subjects[0]?.reasons[0]).toContain('pm-bob');

    // Time travel: as of the size where it was allowed, still allowed — and verified.
    const past = await gate(['--at', String(allowedAt)]);
    expect(past.code).toBe(0);
    expect(past.report.checkpoint.size).toBe(allowedAt);

    // The unrelated artifact trusted by the same pipeline is untouched.
    const other = await run(['status', 'other.bin', '--json']);
    expect(other.code).toBe(0);
    expect(other.json<Report>().subjects[0]?.identities).toEqual({ ci: 'trusted' });

    // History shows every step, in order, with reasons.
    const h = await run(['history', 'app.tar', '--json']);
    expect(h.code).toBe(0);
    const events = h.json<{ events: { identity: string; status: string; reason?: string }[] }>()
      .events;
    expect(events.map((e) => `${e.identity}:${e.status}`)).toEqual([
      'ci:trusted',
      'qa-alice:trusted',
      'trivy:untrusted',
      'trivy:trusted',
      'pm-bob:unsupported',
    ]);
  });

  it('rejects bad input with usage errors and writes nothing', async () => {
    const before = await run(['status', 'other.bin', '--json']);
    const size = before.json<Report>().checkpoint.size;
    expect((await run(['gate', 'app.tar'])).code).toBe(10); // no policy
    await writeFile(path.join(dir, 'bad.yaml'), 'version: 2\nrequire: []\n');
    const bad = await run(['gate', 'app.tar', '--policy', 'bad.yaml']);
    expect(bad.code).toBe(10);
    expect(bad.stderr).toMatch(/bad\.yaml/);
    expect((await run(['trust', 'missing-file', '--as', 'ci'])).code).toBe(10);
    expect((await run(['trust', 'app.tar', '--as', 'nobody'])).code).toBe(10);
    expect((await run(['status', 'app.tar', '--at', 'zero'])).code).toBe(10);
    expect((await run(['trust', 'app.tar', '--as', 'ci', '--meta', 'novalue'])).code).toBe(10);
    const after = await run(['status', 'other.bin', '--json']);
    expect(after.json<Report>().checkpoint.size).toBe(size);
  });
});
