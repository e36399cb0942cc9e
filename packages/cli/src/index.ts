export { runCli, buildProgram, VERSION } from './program.ts';
export { ExitCode, exitCodeForCategory, type ErrorCategory } from './exit-codes.ts';
export { CliError, describeError } from './cli-error.ts';
export type { CommandContext } from './context.ts';
export { processOutput, table, type Output } from './output.ts';
