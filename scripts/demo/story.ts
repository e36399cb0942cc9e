/**
 * The demo's story, step by step (issue 10): build three kinds of artifact, notarize them as the
 * pipeline with job evidence on an embedded ledger, gate (blocked: no QA yet), share the ledger
 * with `notarize serve`, approve as QA over HTTP, a scanner untrusts, the gate blocks with the
 * reason, the scanner revises, the gate allows, product management marks the old release end of
 * life, the history and a time-travel status, the job's evidence downloaded and checked, an
 * audit of the whole log over HTTP and an offline verification of the ledger directory.
 *
 * `runDemo` returns every step's outcome (for test/demo.test.ts) and narrates as it goes
 * (for `npm run demo`). A step whose outcome differs from the expected one is marked failed and
 * the story goes on where it can; an exception ends it.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { buildOldRelease, buildRelease, type BuiltArtifacts } from './artifacts.ts';
import { cliRunner, jsonOf, type CliResult, type CliRunner } from './cli.ts';
import { silentNarrator, type Narrator } from './narrator.ts';
import { receiptsTable, type GateReport, type HistoryReport, type Receipt } from './reports.ts';
import { startService, type RunningService } from './service.ts';
import { expect, StepRecorder, type StepResult } from './steps.ts';
import {
  githubJobEnv,
  LEDGER_CONFIG,
  PIPELINE,
  PM,
  QA,
  RELEASE_POLICY,
  SCANNER,
  serviceConfig,
} from './setup.ts';

export type { StepResult };

export interface DemoResult {
  ok: boolean;
  steps: StepResult[];
  durationMs: number;
  /** The temporary workspace (removed unless `keep`). */
  workspace: string;
}

export interface DemoOptions {
  narrator?: Narrator;
  /** Keep the workspace for inspection instead of removing it. */
  keep?: boolean;
  /**
   * Another release policy than RELEASE_POLICY. Only for showing that the demo notices a story
   * that goes differently (the steps' expectations are written for RELEASE_POLICY).
   */
  policy?: string;
}

/** Runs the story; resolves when every step ran (or one threw). Never rejects. */
export async function runDemo(options: DemoOptions = {}): Promise<DemoResult> {
  const say = options.narrator ?? silentNarrator;
  const started = Date.now();
  const recorder = new StepRecorder(say);
  const step = recorder.step.bind(recorder);
  const workspace = await mkdtemp(path.join(os.tmpdir(), 'notarize-demo-'));
  const ledgerDir = path.join(workspace, 'ledger');
  let service: RunningService | undefined;

  // Every party keeps its own verified-checkpoint state, as separate machines would.
  const baseEnv = (who: string): NodeJS.ProcessEnv => ({
    PATH: process.env.PATH,
    HOME: workspace,
    NOTARIZE_STATE: path.join(workspace, 'state', `${who}.json`),
  });
  const cli = (who: string, extra: NodeJS.ProcessEnv = {}): CliRunner => {
    const run = cliRunner(workspace, { ...baseEnv(who), ...extra });
    return run;
  };

  /** Runs a command, shows it and its human output; `env` names shown before the command. */
  async function show(run: CliRunner, argv: string[], shownEnv?: string): Promise<CliResult> {
    const r = await run(argv);
    say.command(argv, `${r.stdout}${r.stderr}`, shownEnv, r.code);
    return r;
  }

  /** A read shown to the reader in human form, checked in its --json form. */
  async function gateLike(
    run: CliRunner,
    argv: string[],
    shownEnv?: string,
  ): Promise<{ human: CliResult; report: GateReport }> {
    const human = await show(run, argv, shownEnv);
    const json = await run([...argv, '--json']);
    expect(json.code === human.code, `--json exited ${json.code}, the human run ${human.code}`);
    return { human, report: jsonOf<GateReport>(json) };
  }

  const pipelineEnv = githubJobEnv('2001', 'build', 'refs/tags/v2.0.0');
  const local = cli('pipeline', { NOTARIZE_LEDGER: `file:${ledgerDir}` });
  const pipeline = cli('pipeline', { NOTARIZE_LEDGER: `file:${ledgerDir}`, ...pipelineEnv });
  const GH_ENV = 'GITHUB_ACTIONS=true GITHUB_REPOSITORY=acme/widgets GITHUB_RUN_ID=2001 …';
  let artifacts: BuiltArtifacts | undefined;
  let subjects: string[] = [];
  const oldRelease = 'dist/app-1.0.tar';
  const gateArgv = () => ['gate', ...subjects, '--policy', 'release-policy.yml'];

  try {
    say.chapter(
      'An embedded ledger, no setup',
      `acme/widgets ships release 2.0 as a tarball, a documentation site and a container image. ` +
        `Its pipeline notarizes what it builds in a ledger: here a directory (file:ledger), the ` +
        `embedded ledger, which needs no server. ${workspace} is the workspace.\n` +
        `The ledger's config.yaml says who may assert what (roles):`,
    );
    await mkdir(ledgerDir, { recursive: true });
    await writeFile(path.join(ledgerDir, 'config.yaml'), LEDGER_CONFIG);
    say.block(LEDGER_CONFIG);
    say.say('and release-policy.yml says what the release gate requires:');
    const policy = options.policy ?? RELEASE_POLICY;
    await writeFile(path.join(workspace, 'release-policy.yml'), policy);
    say.block(policy);

    await step(
      'old-release',
      'Release 1.0 was notarized by the pipeline long ago',
      'exit 0; the first use of the ledger pins its key',
      async (facts) => {
        await buildOldRelease(workspace);
        const old = cli('pipeline', {
          NOTARIZE_LEDGER: `file:${ledgerDir}`,
          ...githubJobEnv('1001', 'build', 'refs/tags/v1.0.0'),
        });
        const argv = ['trust', oldRelease, '--reason', 'release 1.0 build', '--json'];
        const r = await old(argv);
        say.command(
          argv.slice(0, -1),
          receiptsTable(jsonOf<Receipt[]>(r)),
          GH_ENV.replace('2001', '1001'),
          r.code,
        );
        facts.code = r.code;
        facts.pinnedOnFirstUse = /trusting the key it presents on first use/.test(r.stderr);
        expect(r.code === 0, `trust exited ${r.code}: ${r.stderr}`);
        expect(facts.pinnedOnFirstUse === true, 'no trust-on-first-use notice');
        return {
          code: r.code,
          said: 'notarized. The first use of a ledger pins its key (a loud warning; set NOTARIZE_LEDGER_KEY to pin it yourself); every later answer is verified against it.',
        };
      },
    );

    say.chapter(
      'The pipeline builds and notarizes 2.0, with job evidence',
      'Inside the GitHub Actions job (the runner sets GITHUB_* variables), the pipeline digests ' +
        'what it built, asserts "trusted" under its own identity (github:acme/widgets) and ' +
        'attaches the build log and the SBOM as evidence of the job.',
    );
    await step(
      'build',
      'Build: a file, a directory and an OCI image',
      'exit 0; three sha256 digests; the image digest is its manifest digest',
      async (facts) => {
        artifacts = await buildRelease(workspace);
        subjects = [artifacts.tarball, artifacts.site, artifacts.image];
        const argv = ['digest', ...subjects];
        const r = await show(local, argv);
        const json = jsonOf<{ subject: string; type: string; digest: string }[]>(
          await local([...argv, '--json']),
        );
        facts.code = r.code;
        facts.types = json.map((d) => d.type);
        facts.digests = json.map((d) => d.digest);
        expect(r.code === 0, `digest exited ${r.code}`);
        expect(
          json[2]?.digest === artifacts.imageDigest,
          `image digest ${json[2]?.digest} is not the manifest digest ${artifacts.imageDigest}`,
        );
        return {
          code: r.code,
          said: 'a file hashes its bytes, a directory its sorted file list (Go dirhash), an image its manifest (what a registry calls it).',
        };
      },
    );

    await step(
      'notarize',
      'The pipeline notarizes the three artifacts',
      'exit 0; three "trusted" receipts in one signed checkpoint',
      async (facts) => {
        const argv = [
          'trust',
          ...subjects,
          '--reason',
          'built by release pipeline',
          '--meta',
          'version=2.0.0',
          '--json',
        ];
        const r = await pipeline(argv);
        const receipts = jsonOf<Receipt[]>(r);
        say.command(argv.slice(0, -1), receiptsTable(receipts), GH_ENV, r.code);
        facts.code = r.code;
        facts.statuses = receipts.map((x) => x.status);
        facts.checkpointSizes = [...new Set(receipts.map((x) => x.checkpoint.size))];
        expect(r.code === 0, `trust exited ${r.code}: ${r.stderr}`);
        expect(receipts.length === 3, `${receipts.length} receipts`);
        return {
          code: r.code,
          said: 'one batch, one signed checkpoint; each receipt carries an inclusion proof that verifies offline.',
        };
      },
    );

    await step(
      'evidence',
      'The job attaches its build log and SBOM',
      'exit 0; two evidence entries for job 2001/1/build, blobs stored by digest',
      async (facts) => {
        const a = artifacts as BuiltArtifacts;
        const argv = [
          'evidence',
          'add',
          a.buildLog,
          a.sbom,
          '--subject',
          a.tarball,
          '--subject',
          a.image,
        ];
        const r = await show(pipeline, argv, GH_ENV);
        facts.code = r.code;
        expect(r.code === 0, `evidence add exited ${r.code}`);
        return {
          code: r.code,
          said: 'the files went to the blob store (content-addressed); the log holds their digests, the job and the artifacts they are about.',
        };
      },
    );

    say.chapter(
      'The release gate, before QA',
      "A release job runs the gate: it reads each artifact's current status — verified: inclusion proofs, checkpoint signature, consistency — and decides with the policy.",
    );
    await step(
      'gate-no-qa',
      'The gate blocks: QA has not approved yet',
      'exit 2 (unknown): rule require[1] (role qa) is not met',
      async (facts) => {
        const { human, report } = await gateLike(local, gateArgv());
        facts.code = human.code;
        facts.reason = report.subjects[0]?.reasons[0];
        expect(human.code === 2, `gate exited ${human.code}`);
        expect(/role qa/.test(String(facts.reason)), `reason: ${String(facts.reason)}`);
        return { code: human.code, said: 'blocked with code 2: nobody in role qa vouched for it.' };
      },
    );

    say.chapter(
      'The team shares the ledger: notarize serve',
      'QA, the security scanner and product management work elsewhere: the same ledger directory is served over HTTP. Each party gets an API key (`notarize keygen --api-key`); only its hash goes into the service config. Clients pin the key the service prints and verify every answer.',
    );
    const tokens: Record<string, string> = {};
    await step(
      'serve',
      'Start `notarize serve` with API keys',
      'the service starts on 127.0.0.1 and presents the same ledger key the pipeline pinned',
      async (facts) => {
        const hashes: Record<string, string> = {};
        for (const who of [QA, SCANNER, PM]) {
          const r = await local(['keygen', '--api-key', '--json']);
          expect(r.code === 0, `keygen exited ${r.code}`);
          const key = jsonOf<{ key: string; hash: string }>(r);
          tokens[who] = key.key;
          hashes[who] = key.hash;
        }
        say.command(['keygen', '--api-key'], `(one per party: ${QA}, ${SCANNER}, ${PM})`);
        await writeFile(path.join(workspace, 'service.yaml'), serviceConfig(ledgerDir, hashes));
        say.block(
          (await readFile(path.join(workspace, 'service.yaml'), 'utf8')).replace(
            /"sha256:[0-9a-f]{64}"/g,
            (h) => `"${h.slice(1, 20)}…"`,
          ),
        );
        service = await startService({
          cwd: workspace,
          config: 'service.yaml',
          env: baseEnv('service'),
        });
        const pinned = (await readFile(path.join(ledgerDir, 'ledger.vkey'), 'utf8')).trim();
        say.command(
          ['serve', '--config', 'service.yaml'],
          `serving at ${service.url}\n${service.vkey}`,
        );
        facts.url = service.url;
        facts.sameKey = service.vkey === pinned;
        expect(facts.sameKey === true, `service key ${service.vkey} is not the ledger's ${pinned}`);
        return { said: `listening at ${service.url}; its key is the ledger's key.` };
      },
    );

    const remote = (who: string, token?: string): CliRunner =>
      cli(who, {
        NOTARIZE_LEDGER: service?.url ?? '',
        NOTARIZE_LEDGER_KEY: service?.vkey ?? '',
        ...(token ? { NOTARIZE_TOKEN: token } : {}),
      });
    const svcEnv = (who: string) => `NOTARIZE_LEDGER=${service?.url} NOTARIZE_TOKEN=<${who}'s key>`;
    const releaseGate = () => remote('release');
    const RELEASE_ENV = () => `NOTARIZE_LEDGER=${service?.url} NOTARIZE_LEDGER_KEY=<vkey>`;

    say.chapter(
      'QA approves, over HTTP',
      'QA tested the release and approves it with its API key. The service authenticates the key, checks that role qa may assert "trusted", and records who did it.',
    );
    await step('qa-approve', 'QA approves the three artifacts', 'exit 0', async (facts) => {
      const argv = ['trust', ...subjects, '--reason', 'QA passed: test plan TP-2.0', '--json'];
      const r = await remote('qa', tokens[QA])(argv);
      const receipts = jsonOf<Receipt[]>(r);
      say.command(argv.slice(0, -1), receiptsTable(receipts), svcEnv(QA), r.code);
      facts.code = r.code;
      expect(r.code === 0, `trust exited ${r.code}: ${r.stderr}`);
      return { code: r.code, said: `recorded under ${QA} (role qa, auth apikey).` };
    });
    let allowedAt = 0;
    await step('gate-allow', 'The gate allows', 'exit 0 (allow)', async (facts) => {
      const { human, report } = await gateLike(releaseGate(), gateArgv(), RELEASE_ENV());
      facts.code = human.code;
      facts.identities = report.subjects[0]?.identities;
      allowedAt = report.checkpoint.size;
      facts.size = allowedAt;
      expect(human.code === 0, `gate exited ${human.code}`);
      return { code: 0, said: 'allowed: the pipeline built it and QA approved it.' };
    });

    say.chapter(
      'A scanner finds a vulnerability',
      `The nightly scan (${SCANNER}, role scanner) finds a CVE in the image and says so under its own identity. Nobody edits anyone else's assertion: this is a new entry.`,
    );
    await step('scanner-untrust', 'The scanner untrusts the image', 'exit 0', async (facts) => {
      const a = artifacts as BuiltArtifacts;
      const argv = ['untrust', a.image, '--reason', 'CVE-2026-1234 in libwidget', '--json'];
      const r = await remote('scanner', tokens[SCANNER])(argv);
      say.command(argv.slice(0, -1), receiptsTable(jsonOf<Receipt[]>(r)), svcEnv(SCANNER), r.code);
      facts.code = r.code;
      facts.index = jsonOf<Receipt[]>(r)[0]?.index;
      expect(r.code === 0, `untrust exited ${r.code}: ${r.stderr}`);
      return { code: 0, said: 'recorded.' };
    });
    await step(
      'gate-block',
      'The gate blocks, and says why',
      'exit 1 (untrusted): trivy marked the image untrusted, with the CVE as the reason',
      async (facts) => {
        const { human, report } = await gateLike(releaseGate(), gateArgv(), RELEASE_ENV());
        const image = report.subjects.find((s) => s.subject === artifacts?.image);
        facts.code = human.code;
        facts.reason = image?.reasons[0];
        facts.blocked = report.subjects.filter((s) => s.decision === 'block').map((s) => s.subject);
        expect(human.code === 1, `gate exited ${human.code}`);
        expect(
          /trivy/.test(String(facts.reason)) && /CVE-2026-1234/.test(String(facts.reason)),
          `reason: ${String(facts.reason)}`,
        );
        return {
          code: 1,
          said: 'blocked with code 1 (untrusted); only the image is blocked, and the reason names who, where in the log, and why.',
        };
      },
    );

    say.chapter(
      'The scanner revises',
      'The CVE turns out not to affect the image (the vulnerable code is not reachable). The scanner revises its own assertion; the latest assertion of each identity is the one that counts, and the old one stays in the history.',
    );
    await step('scanner-revise', 'The scanner trusts the image again', 'exit 0', async (facts) => {
      const a = artifacts as BuiltArtifacts;
      const argv = ['trust', a.image, '--reason', 'CVE-2026-1234: not reachable (VEX)', '--json'];
      const r = await remote('scanner', tokens[SCANNER])(argv);
      say.command(argv.slice(0, -1), receiptsTable(jsonOf<Receipt[]>(r)), svcEnv(SCANNER), r.code);
      facts.code = r.code;
      expect(r.code === 0, `trust exited ${r.code}: ${r.stderr}`);
      return { code: 0, said: 'recorded.' };
    });
    await step('gate-allow-again', 'The gate allows again', 'exit 0 (allow)', async (facts) => {
      const { human, report } = await gateLike(releaseGate(), gateArgv(), RELEASE_ENV());
      facts.code = human.code;
      facts.identities = report.subjects.find((s) => s.subject === artifacts?.image)?.identities;
      expect(human.code === 0, `gate exited ${human.code}`);
      return { code: 0, said: 'allowed: 2.0 can ship.' };
    });

    say.chapter(
      'Product management retires 1.0',
      `With 2.0 out, ${PM} (role pm) marks release 1.0 end of life. Deployments that check its status now see "unsupported" (exit 3).`,
    );
    let eolIndex = 0;
    await step('eol', 'PM marks 1.0 end of life', 'exit 0', async (facts) => {
      const argv = ['eol', oldRelease, '--reason', 'superseded by 2.0', '--json'];
      const r = await remote('pm', tokens[PM])(argv);
      const receipts = jsonOf<Receipt[]>(r);
      say.command(argv.slice(0, -1), receiptsTable(receipts), svcEnv(PM), r.code);
      facts.code = r.code;
      eolIndex = receipts[0]?.index ?? 0;
      facts.index = eolIndex;
      expect(r.code === 0, `eol exited ${r.code}: ${r.stderr}`);
      return { code: 0, said: 'recorded.' };
    });
    await step(
      'status-eol',
      'The status of 1.0 is unsupported',
      'exit 3 (unsupported)',
      async (facts) => {
        const { human, report } = await gateLike(
          releaseGate(),
          ['status', oldRelease],
          RELEASE_ENV(),
        );
        facts.code = human.code;
        facts.identities = report.subjects[0]?.identities;
        expect(human.code === 3, `status exited ${human.code}`);
        return {
          code: 3,
          said: 'blocked with code 3 (unsupported), by the built-in policy of `notarize status`.',
        };
      },
    );

    say.chapter(
      'History and time travel',
      'Nothing was overwritten: the history of the image shows every assertion in log order, and any read can be asked "as of tree size N" — proved against the checkpoint of that size and a consistency proof to today\'s.',
    );
    await step(
      'history',
      'The history of the image',
      'pipeline trusted, QA trusted, trivy untrusted, trivy trusted (plus the evidence)',
      async (facts) => {
        const a = artifacts as BuiltArtifacts;
        await show(releaseGate(), ['history', a.image], RELEASE_ENV());
        const r = await releaseGate()(['history', a.image, '--json']);
        const report = jsonOf<HistoryReport>(r);
        facts.code = r.code;
        facts.assertions = report.events
          .filter((e) => e.kind === 'assertion')
          .map((e) => `${e.identity}:${e.status}`);
        expect(r.code === 0, `history exited ${r.code}`);
        expect(
          JSON.stringify(facts.assertions) ===
            JSON.stringify([
              `${PIPELINE}:trusted`,
              `${QA}:trusted`,
              `${SCANNER}:untrusted`,
              `${SCANNER}:trusted`,
            ]),
          `assertions: ${JSON.stringify(facts.assertions)}`,
        );
        return { code: 0, said: 'every step, who, when and why.' };
      },
    );
    await step(
      'time-travel',
      'The status of 1.0 as of the tree before the EOL',
      'exit 0 (trusted) as of the tree size just before the EOL entry',
      async (facts) => {
        const { human, report } = await gateLike(
          releaseGate(),
          ['status', oldRelease, '--at', String(eolIndex)],
          RELEASE_ENV(),
        );
        facts.code = human.code;
        facts.size = report.checkpoint.size;
        expect(human.code === 0, `status --at exited ${human.code}`);
        expect(report.checkpoint.size === eolIndex, `answered at size ${report.checkpoint.size}`);
        return { code: 0, said: `as of size ${eolIndex}, 1.0 was trusted: the past is provable.` };
      },
    );

    say.chapter(
      'Evidence and audit',
      "An auditor fetches the build job's evidence (each blob checked against its digest as it streams), follows the service like a monitor — every entry read through the tlog tiles and hashed back to the signed root, the lookups compared with the log — and verifies the ledger directory offline.",
    );
    await step(
      'evidence-get',
      "Download the build job's evidence",
      'exit 0; build.log and sbom.cdx.json, byte for byte',
      async (facts) => {
        const argv = [
          'evidence',
          'get',
          '--job',
          '2001/1/build',
          '--provider',
          'github',
          '--project',
          'acme/widgets',
          '--out',
          'audit-evidence',
        ];
        const r = await show(releaseGate(), argv, RELEASE_ENV());
        facts.code = r.code;
        expect(r.code === 0, `evidence get exited ${r.code}`);
        const same = async (name: string) => {
          const [got, orig] = await Promise.all([
            readFile(path.join(workspace, 'audit-evidence', name)),
            readFile(path.join(workspace, name)),
          ]);
          return (
            createHash('sha256').update(got).digest('hex') ===
            createHash('sha256').update(orig).digest('hex')
          );
        };
        facts.identical = (await same('build.log')) && (await same('sbom.cdx.json'));
        expect(
          facts.identical === true,
          'the downloaded evidence differs from what the job uploaded',
        );
        return { code: 0, said: 'both files, verified against the digests in the log.' };
      },
    );
    await step(
      'audit',
      'Audit the whole log over HTTP',
      'exit 0: every entry hashes to the signed root',
      async (facts) => {
        const r = await show(remote('auditor'), ['audit'], `NOTARIZE_LEDGER=${service?.url}`);
        facts.code = r.code;
        expect(r.code === 0, `audit exited ${r.code}`);
        return { code: 0, said: 'the service serves exactly the log its checkpoints sign.' };
      },
    );
    await step('verify-offline', 'Verify the ledger directory offline', 'exit 0', async (facts) => {
      const code = await service?.stop();
      say.say(`(the service stopped: exit ${code}; now the directory itself)`);
      service = undefined;
      const r = await show(local, ['ledger', 'verify', '--data', 'ledger']);
      facts.code = r.code;
      expect(r.code === 0, `ledger verify exited ${r.code}`);
      return {
        code: 0,
        said: 'every entry, node, checkpoint signature and index recomputed from the entries.',
      };
    });
  } catch (error) {
    // Setup outside a step failed (e.g. the workspace): report it as a failed step.
    recorder.failOutside('setup', 'Set up the workspace', error);
  } finally {
    if (service) {
      await service.stop();
    }
    if (!options.keep) await rm(workspace, { recursive: true, force: true });
  }
  return { ok: recorder.ok(), steps: recorder.steps, durationMs: Date.now() - started, workspace };
}
