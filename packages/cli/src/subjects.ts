/** Turns the subjects a user names (paths, globs, image references, digests) into digests. */
import { digestSubjects, type DigestOptions, type DigestResult } from '@notarize/digest';
import type { CommandContext } from './context.ts';
import { CliError } from './cli-error.ts';
import { digestProgress } from './commands/digest.ts';
import { progressLine } from './progress.ts';

export interface SubjectFlags {
  insecureRegistry?: boolean;
  symlinks?: 'error' | 'follow' | 'skip';
}

export async function resolveSubjects(
  subjects: readonly string[],
  ctx: CommandContext,
  flags: SubjectFlags = {},
): Promise<DigestResult[]> {
  if (subjects.length === 0) {
    throw new CliError(
      'SUBJECTS_MISSING',
      'input',
      'name at least one subject (file, directory, glob, image or sha256: digest)',
    );
  }
  const options: DigestOptions = { cwd: ctx.cwd };
  if (flags.insecureRegistry) options.insecure = true;
  if (flags.symlinks) options.symlinks = flags.symlinks;
  const line = progressLine(ctx, 'bytes');
  if (line) options.onProgress = digestProgress(line);
  return digestSubjects(subjects, options).finally(() => line?.end());
}
