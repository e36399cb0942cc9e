import type { Output } from './output.ts';

/** What every command gets besides its own arguments: where to write and the environment. */
export interface CommandContext {
  output: Output;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Set by a command to the process exit code (decisions exit with their status code). */
  setExitCode(code: number): void;
}
