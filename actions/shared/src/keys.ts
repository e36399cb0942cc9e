/**
 * Key and policy inputs take either the text itself (a PEM or JWK key, inline YAML policy) or a
 * path to a file in the workspace; text is told apart by its shape, never by trying the file
 * system first, so a typo in a path is reported as a missing file.
 */
import { loadPolicy, loadSigningKey, type CommandContext } from '@notarize/cli';
import { importSigningKey, parsePolicy, type Policy, type SigningKey } from '@notarize/trust';
import { ActionError } from './errors.ts';

function looksLikeKeyText(value: string): boolean {
  return value.includes('-----BEGIN') || value.trimStart().startsWith('{');
}

export async function readSigningKey(value: string, ctx: CommandContext): Promise<SigningKey> {
  if (!looksLikeKeyText(value)) return loadSigningKey(value, ctx.cwd);
  let material: string | JsonWebKey = value;
  if (value.trimStart().startsWith('{')) {
    try {
      material = JSON.parse(value) as JsonWebKey;
    } catch (cause) {
      // The value is a secret: never echo it.
      throw new ActionError(
        'INPUT_INVALID',
        'input',
        'Input "key" looks like a JWK but is not JSON.',
        {
          cause,
        },
      );
    }
  }
  return importSigningKey(material);
}

/** Inline YAML when it has several lines or starts like a policy; else a file path. */
export function isInlinePolicy(value: string): boolean {
  return value.includes('\n') || /^(version\s*:|\{)/.test(value.trimStart());
}

export async function readPolicy(value: string, ctx: CommandContext): Promise<Policy> {
  if (isInlinePolicy(value)) return parsePolicy(value, { source: 'input "policy"' });
  return loadPolicy(value, ctx.cwd);
}
