import { Command, CommanderError } from 'commander';
import type { CommandContext } from './context.ts';
import { describeError } from './cli-error.ts';
import { ExitCode } from './exit-codes.ts';
import { printable, type Output } from './output.ts';
import { registerAssert } from './commands/assert.ts';
import { registerAudit } from './commands/audit.ts';
import { registerCompletion } from './commands/completion.ts';
import { registerDigest } from './commands/digest.ts';
import { registerEvidence } from './commands/evidence.ts';
import { registerHistory } from './commands/history.ts';
import { registerKeygen } from './commands/keygen.ts';
import { registerLedger } from './commands/ledger.ts';
import { registerRevoke } from './commands/revoke.ts';
import { registerServe } from './commands/serve.ts';
import { registerStatus } from './commands/status.ts';
import { registerVerify } from './commands/verify.ts';
import { registerWitness } from './commands/witness.ts';

import { VERSION } from './version.ts';

export { VERSION };

/** Builds the `notarize` command tree. Each command lives in `commands/<name>.ts`. */
export function buildProgram(ctx: CommandContext): Command {
  const program = new Command('notarize')
    .description('Notarize CI/CD artifacts in a tamper-evident ledger and gate releases on trust.')
    .version(VERSION)
    .option('-q, --quiet', 'draw no progress line (it is drawn only on a terminal anyway)')
    .option('--wide', 'show digests whole in tables even when the terminal is narrower')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({
      writeOut: (s) => ctx.output.print(s.trimEnd()),
      writeErr: (s) => ctx.output.notice(s.trimEnd()),
    })
    .exitOverride();
  registerDigest(program, ctx);
  registerAssert(program, ctx);
  registerStatus(program, ctx);
  registerVerify(program, ctx);
  registerHistory(program, ctx);
  registerEvidence(program, ctx);
  registerRevoke(program, ctx);
  registerKeygen(program, ctx);
  registerLedger(program, ctx);
  registerServe(program, ctx);
  registerAudit(program, ctx);
  registerCompletion(program, ctx);
  registerWitness(program, ctx);
  return program;
}

/** The words before `--` (after it, everything is an argument). */
function optionsOf(argv: readonly string[]): readonly string[] {
  const end = argv.indexOf('--');
  return end === -1 ? argv : argv.slice(0, end);
}

/** True when the command line asks for JSON output. */
function wantsJson(argv: readonly string[]): boolean {
  return optionsOf(argv).includes('--json');
}

/** Runs the CLI with `argv` (without node and script) and returns the exit code. */
export async function runCli(argv: readonly string[], ctx: CommandContext): Promise<number> {
  let exitCode: number = ExitCode.ok;
  // Progress is for a person at a terminal: not with --json (a script reads) nor --quiet.
  const quiet = wantsJson(argv) || optionsOf(argv).some((a) => a === '--quiet' || a === '-q');
  const wide = optionsOf(argv).includes('--wide');
  const output: Output = {
    ...ctx.output,
    ...(quiet ? { progress: undefined } : {}),
    ...(wide ? { columns: undefined } : {}),
  };
  const context: CommandContext = { ...ctx, output, setExitCode: (code) => (exitCode = code) };
  const program = buildProgram(context);
  // With --json a failure is also one JSON document on stdout, so a script that parses stdout
  // learns what went wrong (the message stays on stderr for people, the exit code is the same).
  const fail = (code: string, message: string, exit: number): number => {
    if (wantsJson(argv)) ctx.output.json({ error: { code, message, exit } });
    return exit;
  };
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end in a CommanderError with exit code 0.
      if (error.exitCode === 0) return ExitCode.ok;
      return fail('USAGE', error.message.replace(/^error: /, ''), ExitCode.usage);
    }
    const reported = describeError(error);
    // Messages may quote a service's answer or ledger data: no control characters but newlines.
    ctx.output.notice(
      printable(`notarize: error ${reported.code}: ${reported.message}`, { multiline: true }),
    );
    const summary =
      reported.code === 'INTERNAL' ? (reported.message.split('\n')[0] ?? '') : reported.message;
    return fail(reported.code, summary, reported.exitCode);
  }
}
