/**
 * The CLI's CommandContext, as an action step has it: the runner's environment and working
 * directory, and output through @actions/core so that it lands in the job log (and is masked).
 */
import * as core from '@actions/core';
import { ciContext } from '@notarize/ci';
import type { CommandContext, Output } from '@notarize/cli';

function actionOutput(): Output {
  return {
    print: (text) => core.info(text.replace(/\n$/, '')),
    json: (value) => core.info(JSON.stringify(value, null, 2)),
    // Trust-on-first-use of a ledger key is worth an annotation, the rest is log text.
    notice: (text) =>
      /\bWARNING\b/.test(text) ? core.warning(text.replace(/\n$/, '')) : core.info(text),
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
