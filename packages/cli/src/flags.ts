/** Parsers for option values shared by several commands; each fails with a usage error (10). */
import path from 'node:path';
import {
  importPublicKey,
  importSigningKey,
  parsePolicy,
  type Policy,
  type PublicKey,
  type SigningKey,
} from '@notarize/trust';
import { CliError } from './cli-error.ts';
import { openRegularFile } from './regular-file.ts';

/** `--meta k=v`, repeatable. */
export function collectMeta(
  value: string,
  previous: Record<string, string> = {},
): Record<string, string> {
  const eq = value.indexOf('=');
  if (eq <= 0) {
    throw new CliError(
      'META_INVALID',
      'input',
      `--meta "${value}": write key=value (the key must not be empty)`,
    );
  }
  const key = value.slice(0, eq).trim();
  if (key in previous) throw new CliError('META_INVALID', 'input', `--meta ${key} is given twice`);
  return { ...previous, [key]: value.slice(eq + 1) };
}

export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** `--at N`: a tree size, a positive integer. */
export function parseTreeSize(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^[1-9][0-9]*$/.test(value) || !Number.isSafeInteger(Number(value))) {
    throw new CliError(
      'AT_INVALID',
      'input',
      `--at "${value}": give a tree size, a positive whole number (see \`notarize ledger info\`)`,
    );
  }
  return Number(value);
}

/** A policy or key file's text; only regular files are read (a FIFO or device is refused). */
export async function readText(file: string, cwd: string, what: string): Promise<string> {
  const errorCode = `${what.toUpperCase()}_UNREADABLE`;
  let opened: Awaited<ReturnType<typeof openRegularFile>>;
  try {
    opened = await openRegularFile(path.resolve(cwd, file));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EACCES'
          ? 'permission denied'
          : code === 'EISDIR'
            ? 'it is a directory'
            : String(code);
    throw new CliError(errorCode, 'input', `cannot read ${what} file ${file}: ${why}`, {
      cause: error,
    });
  }
  if ('notRegular' in opened) {
    throw new CliError(
      errorCode,
      'input',
      `cannot read ${what} file ${file}: it is ${opened.notRegular}, not a regular file`,
    );
  }
  try {
    return await opened.handle.readFile('utf8');
  } finally {
    await opened.handle.close();
  }
}

export async function loadPolicy(file: string, cwd: string): Promise<Policy> {
  // Key files named in `signedBy` are found next to the policy, wherever it is run from.
  const policyDir = path.dirname(path.resolve(cwd, file));
  return parsePolicy(await readText(file, cwd, 'policy'), {
    source: file,
    readKeyFile: (keyFile) => readText(keyFile, policyDir, 'key'),
  });
}

/** A signing key file: PEM (PKCS#8) or a JWK as JSON. */
export async function loadSigningKey(file: string, cwd: string): Promise<SigningKey> {
  const text = await readText(file, cwd, 'key');
  return importSigningKey(
    text.trimStart().startsWith('{') ? (JSON.parse(text) as JsonWebKey) : text,
  );
}

export async function loadPublicKeys(files: readonly string[], cwd: string): Promise<PublicKey[]> {
  const keys: PublicKey[] = [];
  for (const file of files) {
    const text = await readText(file, cwd, 'key');
    keys.push(
      await importPublicKey(
        text.trimStart().startsWith('{') ? (JSON.parse(text) as JsonWebKey) : text,
      ),
    );
  }
  return keys;
}
