import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { DigestError, type DigestErrorCode } from '../errors.ts';

const pexecFile = promisify(execFile);

export async function tempDir(
  prefix = 'digest-test-',
): Promise<{ dir: string; cleanup(): Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Runs a bash snippet in `cwd` and returns stdout. */
export async function sh(script: string, cwd?: string): Promise<string> {
  const { stdout } = await pexecFile('bash', ['-c', script], { cwd, maxBuffer: 64 << 20 });
  return stdout;
}

/** The reference directory digest: the coreutils pipeline from docs/formats.md. */
export async function pipelineDigest(dir: string): Promise<string> {
  const out = await sh(
    "find . -type f -printf '%P\\n' | LC_ALL=C sort | xargs -d '\\n' sha256sum | sha256sum",
    dir,
  );
  return `sha256:${out.slice(0, 64)}`;
}

export async function sha256sum(file: string): Promise<string> {
  const out = await sh(`sha256sum -- ${JSON.stringify(file)}`);
  return `sha256:${out.slice(0, 64)}`;
}

/** Awaits `promise`, expecting a DigestError with `code`; returns it for further checks. */
export async function expectDigestError(
  promise: Promise<unknown>,
  code: DigestErrorCode,
): Promise<DigestError> {
  let caught: unknown;
  try {
    await promise;
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(DigestError);
  const e = caught as DigestError;
  expect({ code: e.code, message: e.message }).toEqual({ code, message: expect.any(String) });
  return e;
}

/**
 * Runs `script` (TypeScript) with the repo's Node as root *without* the capabilities that let root
 * ignore permission bits (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH): files the test makes mode 000
 * are then unreadable, as they are to any user. Dropping capabilities rather than switching to
 * `nobody` keeps the checkout (which may sit in a 0700 directory) readable.
 */
export async function runUnprivileged(script: string, cwd: string): Promise<string> {
  const node = path.resolve('node_modules/node/bin/node');
  const drop = '-dac_override,-dac_read_search';
  const { stdout } = await pexecFile(
    'setpriv',
    [`--inh-caps=${drop}`, `--bounding-set=${drop}`, node, '--input-type=module', '-e', script],
    { cwd },
  );
  return stdout;
}
