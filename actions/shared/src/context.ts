/**
 * The CLI's CommandContext, as an action step has it: the runner's environment and working
 * directory, and output through @actions/core so that it lands in the job log (and is masked).
 */
import * as core from '@actions/core';
import { ciContext } from '@notarize/ci';
import { printable, type CommandContext, type Output } from '@notarize/cli';

/**
 * Text for the job log, where the runner reads workflow commands: control characters are escaped
 * (`printable`, newlines kept) and no line may pass for a command. A line that starts with `::`
 * (after spaces, which the runner skips) gets a backslash in front; the legacy prefix `##[`, which
 * the runner looks for anywhere in a line, becomes `#\#[`. Our own commands (annotations,
 * outputs, masks) go through @actions/core, which escapes their data itself.
 */
export function forJobLog(text: string): string {
  return printable(text.replace(/\n$/, ''), { multiline: true })
    .replace(/^(\s*)::/gm, '$1\\::')
    .replace(/##\[/g, '#\\#[');
}

function actionOutput(): Output {
  return {
    print: (text) => core.info(forJobLog(text)),
    json: (value) => core.info(forJobLog(JSON.stringify(value, null, 2))),
    // Trust-on-first-use of a ledger key is worth an annotation, the rest is log text.
    notice: (text) =>
      /\bWARNING\b/.test(text)
        ? core.warning(printable(text.replace(/\n$/, ''), { multiline: true }))
        : core.info(forJobLog(text)),
    interactive: false,
  };
}

export function actionContext(
  env: NodeJS.ProcessEnv = process.env,
  cwd: string = process.cwd(),
): CommandContext {
  return {
    output: actionOutput(),
    env,
    cwd,
    // Actions report decisions through outputs and the step's result, never an exit code.
    setExitCode: () => {},
  };
}

/** The job's page for summaries; a summary must not fail a step, so a partial env gives none. */
export function jobUrl(env: NodeJS.ProcessEnv, cwd: string): string | undefined {
  try {
    return ciContext({ env, cwd }).jobUrl;
  } catch {
    return undefined;
  }
}
