/** Subjects from a multi-line input, digested by the same code as `notarize digest`. */
import { resolveSubjects, type CommandContext } from '@notarize/cli';
import type { DigestResult } from '@notarize/digest';
import { ActionError } from './errors.ts';

export function requireSubjects(name: string, subjects: readonly string[]): readonly string[] {
  if (subjects.length === 0) {
    throw new ActionError(
      'INPUT_MISSING',
      'input',
      `Input "${name}" is required: list the artifacts, one per line (paths, globs, oci:<dir>, ` +
        'docker-archive:<file.tar>, docker://<image>, or sha256:<hex>).',
    );
  }
  return subjects;
}

export function digestSubjects(
  subjects: readonly string[],
  ctx: CommandContext,
): Promise<DigestResult[]> {
  return resolveSubjects(subjects, ctx);
}
