/** Runs the `notarize` CLI in-process, capturing stdout/stderr, for end-to-end tests. */
import { runCli, type Output } from '@notarize/cli';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON (only for --json runs). */
  json<T = unknown>(): T;
}

export async function notarizeCli(
  argv: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv },
): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const output: Output = {
    print: (t) => out.push(t.endsWith('\n') ? t : `${t}\n`),
    json: (v) => out.push(`${JSON.stringify(v, null, 2)}\n`),
    notice: (t) => err.push(t.endsWith('\n') ? t : `${t}\n`),
    interactive: false,
  };
  const env = { PATH: process.env.PATH, HOME: options.cwd, ...options.env };
  const code = await runCli(argv, { output, env, cwd: options.cwd, setExitCode: () => {} });
  const stdout = out.join('');
  return {
    code,
    stdout,
    stderr: err.join(''),
    json: <T>() => JSON.parse(stdout) as T,
  };
}
