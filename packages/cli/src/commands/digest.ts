import type { Command } from 'commander';
import { digestSubject } from '@notarize/digest';
import type { CommandContext } from '../context.ts';
import { table } from '../output.ts';

export function registerDigest(program: Command, ctx: CommandContext): void {
  program
    .command('digest')
    .description('Compute the sha256 digest of each subject')
    .argument('<subject...>', 'file, directory, glob, oci:, docker-archive:, docker:// or sha256:')
    .option('--json', 'print JSON')
    .action(async (subjects: string[], options: { json?: boolean }) => {
      const results = [];
      for (const s of subjects) results.push(await digestSubject(s));
      if (options.json) ctx.output.json(results);
      else
        ctx.output.print(
          table(
            ['SUBJECT', 'TYPE', 'DIGEST'],
            results.map((r) => [r.subject, r.type, r.digest]),
          ),
        );
    });
}
