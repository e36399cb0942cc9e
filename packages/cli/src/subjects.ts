/** Turns the subjects a user names (paths, globs, image references, digests) into digests. */
import { digestSubjects, type DigestOptions, type DigestResult } from '@notarize/digest';
import type { CommandContext } from './context.ts';
import { CliError } from './cli-error.ts';

export interface SubjectFlags {
  insecureRegistry?: boolean;
  symlinks?: 'error' | 'follow' | 'skip';
}

const MB = 1024 * 1024;

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
  if (ctx.output.interactive) {
    let last = 0;
    options.onProgress = (p) => {
      const now = Date.now();
      if (now - last < 500) return;
      last = now;
      const total = p.totalBytes ? ` of ${(p.totalBytes / MB).toFixed(0)} MB` : '';
      ctx.output.notice(`digesting ${p.subject}: ${(p.bytes / MB).toFixed(0)} MB${total}`);
    };
  }
  return digestSubjects(subjects, options);
}
