/** Subjects from a multi-line input, digested by the same code as `notarize digest`. */
import { resolveSubjects, type CommandContext } from '@notarize/cli';
import type { DigestResult } from '@notarize/digest';

export function digestSubjects(
  subjects: readonly string[],
  ctx: CommandContext,
): Promise<DigestResult[]> {
  return resolveSubjects(subjects, ctx);
}
