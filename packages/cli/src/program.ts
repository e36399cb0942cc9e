import { Command, CommanderError } from 'commander';
import type { CommandContext } from './context.ts';
import { describeError } from './cli-error.ts';
import { ExitCode } from './exit-codes.ts';
import { printable } from './output.ts';
import { registerAssert } from './commands/assert.ts';
import { registerAudit } from './commands/audit.ts';
import { registerDigest } from './commands/digest.ts';
import { registerEvidence } from './commands/evidence.ts';
import { registerHistory } from './commands/history.ts';
import { registerKeygen } from './commands/keygen.ts';
import { registerLedger } from './commands/ledger.ts';
import { registerRevoke } from './commands/revoke.ts';
import { registerServe } from './commands/serve.ts';
import { registerStatus } from './commands/status.ts';
import { registerWitness } from './commands/witness.ts';

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
  registerAssert(program, ctx);
  registerStatus(program, ctx);
  registerHistory(program, ctx);
  registerEvidence(program, ctx);
  registerRevoke(program, ctx);
  registerKeygen(program, ctx);
  registerLedger(program, ctx);
  registerServe(program, ctx);
  registerAudit(program, ctx);
  registerWitness(program, ctx);
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
    // Messages may quote a service's answer or ledger data: no control characters but newlines.
    ctx.output.notice(
      printable(`notarize: error ${reported.code}: ${reported.message}`, { multiline: true }),
    );
    return reported.exitCode;
  }
}
