/**
 * Runs the `notarize` CLI in-process (the same `runCli` that `bin/notarize` calls), capturing
 * what it writes: much faster than a child process per step, and the demo can show the output.
 */
import { runCli, type Output } from '@notarize/cli';

export interface CliResult {
  argv: string[];
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliRunner {
  (argv: string[], env?: NodeJS.ProcessEnv): Promise<CliResult>;
}

/**
 * A runner working in `cwd` with a clean environment (`base` plus each call's extra variables):
 * nothing from the caller's own environment leaks in, so the demo behaves the same inside a CI
 * job (where GITHUB_ACTIONS, NOTARIZE_TOKEN … may be set) as on a laptop.
 */
export function cliRunner(cwd: string, base: NodeJS.ProcessEnv): CliRunner {
  return async (argv, env = {}) => {
    const out: string[] = [];
    const err: string[] = [];
    const line = (t: string) => (t.endsWith('\n') ? t : `${t}\n`);
    const output: Output = {
      print: (t) => out.push(line(t)),
      json: (v) => out.push(`${JSON.stringify(v, null, 2)}\n`),
      notice: (t) => err.push(line(t)),
      interactive: false,
    };
    const code = await runCli(argv, {
      output,
      env: { ...base, ...env },
      cwd,
      setExitCode: () => {},
    });
    return { argv, code, stdout: out.join(''), stderr: err.join('') };
  };
}

/** Parses a `--json` result's stdout; a clear error when the command printed something else. */
export function jsonOf<T>(result: CliResult): T {
  try {
    return JSON.parse(result.stdout) as T;
  } catch (error) {
    throw new Error(
      `notarize ${result.argv.join(' ')} (exit ${result.code}) did not print JSON:\n${result.stdout}${result.stderr}`,
      { cause: error },
    );
  }
}
