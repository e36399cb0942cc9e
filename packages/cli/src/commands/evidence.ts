/**
 * `notarize evidence add|get`: job evidence (build logs, SBOMs, test and scan reports) in the
 * ledger's blob store, recorded under the CI job's key (docs/evidence.md).
 */
import path from 'node:path';
import type { Command } from 'commander';
import { ciContext, detectProvider } from '@notarize/ci';
import type { CommandContext } from '../context.ts';
import { ExitCode } from '../exit-codes.ts';
import { EvidenceError } from '../evidence/errors.ts';
import { collect, collectMeta, parseTreeSize } from '../flags.ts';
import { withLedger, withLedgerOptions, type LedgerFlags } from '../ledger-access.ts';
import {
  addEvidence,
  getEvidence,
  type EvidenceProgress,
  type EvidenceQuery,
} from '../operations/evidence.ts';
import { printable, table } from '../output.ts';
import { formatSize, progressLine } from '../progress.ts';
import { recordedLine } from '../recorded-line.ts';
import { resolveSubjects, type SubjectFlags } from '../subjects.ts';

interface AddFlags extends LedgerFlags, SubjectFlags {
  subject?: string[];
  job?: string;
  pipeline?: string;
  project?: string;
  mediaType?: string;
  meta?: Record<string, string>;
  idempotencyKey?: string;
  json?: boolean;
}

interface GetFlags extends LedgerFlags, SubjectFlags {
  job?: string | true;
  subject?: string;
  provider?: string;
  project?: string;
  out?: string;
  at?: string;
  json?: boolean;
}

/** Upload and download progress on the progress line. */
function progress(ctx: CommandContext): {
  onProgress?: (p: EvidenceProgress) => void;
  end(): void;
} {
  const line = progressLine(ctx, 'bytes');
  if (!line) return { end: () => undefined };
  return {
    onProgress: (p) =>
      line.update(
        `${p.phase === 'upload' ? 'uploading' : 'downloading'} ${p.file}`,
        p.bytes,
        p.totalBytes,
      ),
    end: () => line.end(),
  };
}

function registerAdd(evidence: Command, ctx: CommandContext): void {
  withLedgerOptions(
    evidence
      .command('add')
      .description(
        "Upload files (logs, SBOMs, reports) to the ledger's blob store and record them as evidence of the CI job, as one batch",
      )
      .argument('<file...>', 'evidence files (regular files; archive a directory first)')
      .option(
        '--subject <subject>',
        'an artifact the evidence is about (file, directory, glob, image or sha256:), repeatable; default: each file itself',
        collect,
      )
      .option('--job <id>', 'the job id to record (default: the CI job running this)')
      .option('--pipeline <id>', 'the pipeline / workflow run id to record')
      .option('--project <name>', 'the project / repository to record (default: from the CI)')
      .option(
        '--media-type <type>',
        'record this media type for every file instead of detecting it',
      )
      .option('--meta <key=value>', 'metadata, repeatable', collectMeta)
      .option('--idempotency-key <key>', 'makes a retried call safe: the ledger answers it once')
      .option('--insecure-registry', 'allow plain http / unverified TLS for docker:// subjects')
      .option('--json', 'print JSON'),
  ).action(async (files: string[], flags: AddFlags) => {
    const ci = ciContext({
      env: ctx.env,
      cwd: ctx.cwd,
      overrides: {
        ...(flags.job !== undefined ? { jobId: flags.job } : {}),
        ...(flags.pipeline !== undefined ? { pipelineId: flags.pipeline } : {}),
        ...(flags.project !== undefined ? { project: flags.project } : {}),
      },
    });
    if (ci.jobId === undefined) {
      ctx.output.notice(
        'notarize: no CI job detected and no --job given: the evidence is recorded without a job id and can be found by subject only',
      );
    }
    const subjects =
      flags.subject && flags.subject.length > 0
        ? (await resolveSubjects(flags.subject, ctx, flags)).map((d) => ({
            name: d.subject,
            digest: d.digest,
          }))
        : [];
    const { onProgress, end } = progress(ctx);
    const results = await withLedger(flags, ctx, (client) =>
      addEvidence({
        client,
        files,
        cwd: ctx.cwd,
        ci,
        subjects,
        ...(flags.mediaType !== undefined ? { mediaType: flags.mediaType } : {}),
        ...(flags.meta ? { metadata: flags.meta } : {}),
        ...(flags.idempotencyKey ? { idempotencyKey: flags.idempotencyKey } : {}),
        ...(onProgress ? { onProgress } : {}),
      }),
    ).finally(end);
    if (flags.json) ctx.output.json(results.map(({ receipt: _receipt, ...row }) => row));
    else {
      ctx.output.print(
        table(
          ['FILE', 'MEDIA TYPE', 'SIZE', 'DIGEST', 'INDEX', 'STORED'],
          results.map((r) => [
            r.file,
            r.mediaType,
            formatSize(r.size),
            r.digest,
            String(r.index),
            r.created ? 'new' : 'already held',
          ]),
          { columns: ctx.output.columns },
        ),
      );
    }
    const job = results[0]?.job;
    const recorded = recordedLine(
      results.map((r) => r.receipt),
      job?.jobId !== undefined ? `, for job ${job.provider}/${job.project}/${job.jobId}` : '',
    );
    if (recorded) ctx.output.notice(recorded);
  });
}

/** `--job [id]` with --provider/--project, defaulting to this CI job's. */
function jobQuery(flags: GetFlags, ctx: CommandContext): EvidenceQuery {
  const provider = flags.provider ?? detectProvider(ctx.env);
  const detected = flags.provider === undefined || flags.provider === detectProvider(ctx.env);
  // Only read the CI environment for what was not given: a laptop asking about a GitHub job
  // has no GITHUB_* variables.
  const here =
    detected && (flags.project === undefined || flags.job === true)
      ? ciContext({ env: ctx.env, cwd: ctx.cwd })
      : undefined;
  const project = flags.project ?? here?.project;
  const jobId = flags.job === true ? here?.jobId : flags.job;
  if (project === undefined) {
    throw new EvidenceError(
      'EVIDENCE_QUERY_INVALID',
      'input',
      `name the project of the ${provider} job with --project (e.g. org/app)`,
    );
  }
  if (jobId === undefined) {
    throw new EvidenceError(
      'EVIDENCE_JOB_MISSING',
      'input',
      'no CI job detected here: give the job id, --job <id> (with --provider and --project for another CI)',
    );
  }
  return { job: { provider, project, jobId } };
}

function registerGet(evidence: Command, ctx: CommandContext): void {
  withLedgerOptions(
    evidence
      .command('get')
      .description(
        'List the verified evidence of a CI job or an artifact and download it, each blob checked against its digest',
      )
      .option('--job [id]', 'the job id (without a value: the CI job running this)')
      .option(
        '--subject <subject>',
        'evidence about this artifact (file, directory, image or sha256:)',
      )
      .option(
        '--provider <name>',
        'CI provider of the job: github, gitlab, local (default: detected)',
      )
      .option('--project <name>', 'project / repository of the job (default: from the CI)')
      .option('--out <dir>', 'download the files into this directory (created if missing)')
      .option('--at <size>', 'as of this tree size (time travel, verified)')
      .option('--insecure-registry', 'allow plain http / unverified TLS for docker:// subjects')
      .option('--json', 'print JSON'),
  ).action(async (flags: GetFlags) => {
    if ((flags.job === undefined) === (flags.subject === undefined)) {
      throw new EvidenceError(
        'EVIDENCE_QUERY_INVALID',
        'input',
        'name either --job <id> or --subject <subject> (one of them)',
      );
    }
    const at = parseTreeSize(flags.at);
    let query: EvidenceQuery;
    if (flags.subject !== undefined) {
      const digests = await resolveSubjects([flags.subject], ctx, flags);
      if (digests.length !== 1) {
        throw new EvidenceError(
          'EVIDENCE_QUERY_INVALID',
          'input',
          `--subject takes one subject; "${flags.subject}" names ${digests.length}`,
        );
      }
      const d = digests[0] as (typeof digests)[0];
      query = { subject: { subject: d.subject, digest: d.digest } };
    } else {
      query = jobQuery(flags, ctx);
    }
    const { onProgress, end } = progress(ctx);
    const outDir = flags.out === undefined ? undefined : path.resolve(ctx.cwd, flags.out);
    const report = await withLedger(
      flags,
      ctx,
      (client) =>
        getEvidence({
          client,
          query,
          ...(outDir !== undefined ? { outDir } : {}),
          ...(at !== undefined ? { at } : {}),
          ...(onProgress ? { onProgress } : {}),
        }),
      'read',
    ).finally(end);
    const what = printable(
      report.query.job !== undefined
        ? `job ${report.query.job.provider}/${report.query.job.project}/${report.query.job.jobId}`
        : `${report.query.subject} ${report.query.digest}`,
    );
    if (report.evidence.length === 0) {
      // Nothing matched is an answer a script must not mistake for success: exit 2 (unknown),
      // and say exactly what was looked up, since a wrong project or provider is the usual cause.
      const job = report.query.job;
      ctx.output.notice(
        printable(
          `no evidence recorded for ${what} at tree size ${report.checkpoint.size}` +
            (job
              ? ` (looked up provider ${JSON.stringify(job.provider)}, project ${JSON.stringify(job.project)}, job ${JSON.stringify(job.jobId)}; --provider and --project name another)`
              : ''),
        ),
      );
      ctx.setExitCode(ExitCode.unknown);
    }
    if (flags.json) {
      ctx.output.json(report);
      return;
    }
    if (report.evidence.length > 0) {
      ctx.output.print(
        table(
          [
            'INDEX',
            'FILE',
            'MEDIA TYPE',
            'SIZE',
            'DIGEST',
            'WHO',
            'JOB',
            'WHEN',
            ...(outDir ? ['SAVED AS'] : []),
          ],
          report.evidence.map((e) => [
            String(e.index),
            e.file,
            e.mediaType,
            formatSize(e.size),
            e.digest,
            `${e.identity} (${e.role})`,
            e.jobStanding,
            e.time,
            ...(outDir ? [e.path ?? ''] : []),
          ]),
          { columns: ctx.output.columns },
        ),
      );
    }
    const claimed = report.evidence.filter((e) => e.jobStanding === 'claimed').length;
    if (claimed > 0) {
      ctx.output.notice(
        `${claimed} file(s) only *claim* this job (JOB claimed): added by an identity whose OIDC ` +
          'token does not name the job (an API key, another job); check WHO before relying on them',
      );
    }
    if (report.evidence.length > 0) {
      ctx.output.notice(
        `${what}: ${report.evidence.length} verified at tree size ${report.checkpoint.size}, root ${report.checkpoint.root}`,
      );
    }
  });
}

export function registerEvidence(program: Command, ctx: CommandContext): void {
  const evidence = program
    .command('evidence')
    .description('Record and fetch CI job evidence (logs, SBOMs, test and scan reports)');
  registerAdd(evidence, ctx);
  registerGet(evidence, ctx);
}
