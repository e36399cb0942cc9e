import { Command, CommanderError } from 'commander';
import type { CommandContext } from './context.ts';
import { describeError } from './cli-error.ts';
import { ExitCode } from './exit-codes.ts';
import { registerDigest } from './commands/digest.ts';

export const VERSION = '0.1.0';

/** Builds the `notarize` command tree. Each command lives in `commands/<name>.ts`. */
export function buildProgram(ctx: CommandContext): Command {
  const program = new Command('notarize')
    .description('Notarize CI/CD artifacts in a tamper-evident ledger and gate releases on trust.')
    .version(VERSION)
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({
      writeOut: (s) => ctx.output.print(s.trimEnd()),
      writeErr: (s) => ctx.output.notice(s.trimEnd()),
    })
    .exitOverride();
  registerDigest(program, ctx);
  return program;
}

/** Runs the CLI with `argv` (without node and script) and returns the exit code. */
export async function runCli(argv: readonly string[], ctx: CommandContext): Promise<number> {
  let exitCode: number = ExitCode.ok;
  const context: CommandContext = { ...ctx, setExitCode: (code) => (exitCode = code) };
  const program = buildProgram(context);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end in a CommanderError with exit code 0.
      return error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
    }
    const reported = describeError(error);
    ctx.output.notice(`notarize: error ${reported.code}: ${reported.message}`);
    return reported.exitCode;
  }
}
