import path from 'node:path';
import type { Command } from 'commander';
import { readOfflineBundle } from '@notarize/client';
import { ciContext } from '@notarize/ci';
import { writeFileAtomic } from '../atomic-file.ts';
import type { CommandContext } from '../context.ts';
import { collectMeta, loadSigningKey } from '../flags.ts';
import { withLedger, withLedgerOptions, type LedgerFlags } from '../ledger-access.ts';
import { notarize } from '../operations/notarize.ts';
import { table } from '../output.ts';
import { recordedLine } from '../recorded-line.ts';
import { resolveSubjects, type SubjectFlags } from '../subjects.ts';

interface AssertFlags extends LedgerFlags, SubjectFlags {
  reason?: string;
  meta?: Record<string, string>;
  key?: string;
  job?: string;
  idempotencyKey?: string;
  bundle?: string;
  json?: boolean;
}

const VERBS: { name: string; status: string; aliases: string[]; summary: string }[] = [
  {
    name: 'trust',
    status: 'trusted',
    aliases: [],
    summary: 'Assert that the subjects are trusted',
  },
  {
    name: 'untrust',
    status: 'untrusted',
    aliases: [],
    summary: 'Assert that the subjects are untrusted',
  },
  {
    name: 'unsupport',
    status: 'unsupported',
    aliases: ['eol'],
    summary: 'Assert that the subjects are unsupported (end of life)',
  },
];

export function registerAssert(program: Command, ctx: CommandContext): void {
  for (const verb of VERBS) {
    const command = program
      .command(verb.name)
      .aliases(verb.aliases)
      .description(`${verb.summary}, under your identity; notarized as one batch`)
      .argument(
        '<subject...>',
        'file, directory, glob, oci:, docker-archive:, docker:// or sha256:',
      )
      .option('--reason <text>', 'why (shown by status, gate and history)')
      .option('--meta <key=value>', 'metadata, repeatable', collectMeta)
      .option('--key <file>', 'sign each statement (DSSE) with this private key (PEM or JWK)')
      .option('--job <id>', 'override the CI job id recorded with the assertion')
      .option('--idempotency-key <key>', 'makes a retried call safe: the ledger answers it once')
      .option(
        '--bundle <file>',
        'also write an offline bundle: the receipts and the proved status (notarize verify --bundle)',
      )
      .option('--insecure-registry', 'allow plain http / unverified TLS for docker:// subjects')
      .option('--json', 'print JSON');
    withLedgerOptions(command).action(async (subjects: string[], flags: AssertFlags) => {
      const signingKey = flags.key ? await loadSigningKey(flags.key, ctx.cwd) : undefined;
      const ci = ciContext({
        env: ctx.env,
        cwd: ctx.cwd,
        overrides: flags.job ? { jobId: flags.job } : {},
      });
      const digests = await resolveSubjects(subjects, ctx, flags);
      const results = await withLedger(flags, ctx, async (client) => {
        const written = await notarize({
          client,
          subjects: digests,
          status: verb.status,
          ci,
          ...(flags.reason !== undefined ? { reason: flags.reason } : {}),
          ...(flags.meta ? { metadata: flags.meta } : {}),
          ...(signingKey ? { signingKey } : {}),
          ...(flags.idempotencyKey ? { idempotencyKey: flags.idempotencyKey } : {}),
        });
        if (flags.bundle) {
          const bundle = await readOfflineBundle(
            client,
            digests,
            written.map((w) => w.receipt),
          );
          await writeFileAtomic(
            path.resolve(ctx.cwd, flags.bundle),
            `${JSON.stringify(bundle, null, 2)}\n`,
          );
        }
        return written;
      });
      if (flags.json) ctx.output.json(results.map(({ receipt: _receipt, ...row }) => row));
      else {
        ctx.output.print(
          table(
            ['SUBJECT', 'DIGEST', 'STATUS', 'INDEX'],
            results.map((r) => [r.subject, r.digest, r.status, String(r.index)]),
            { columns: ctx.output.columns },
          ),
        );
      }
      const recorded = recordedLine(results.map((r) => r.receipt));
      if (recorded) ctx.output.notice(recorded);
    });
  }
}
