/**
 * Reading action inputs. The runner passes `with:` values as INPUT_<NAME> variables; @actions/core
 * reads them (so `@github/local-action` can stub them). Every helper fails with an ActionError
 * that names the input and says what to write instead.
 */
import * as core from '@actions/core';
import { ActionError } from './errors.ts';

/** A trimmed input, or undefined when it is empty or absent. */
export function optionalInput(name: string): string | undefined {
  const value = core.getInput(name).trim();
  return value === '' ? undefined : value;
}

/** A trimmed input that must be given; `hint` says what to write. */
export function requiredInput(name: string, hint: string): string {
  const value = optionalInput(name);
  if (value === undefined) {
    throw new ActionError('INPUT_MISSING', 'input', `Input "${name}" is required: ${hint}.`);
  }
  return value;
}

/** Non-empty lines of a multi-line input (`|` block), trimmed; `#` comment lines are skipped. */
export function listInput(name: string): string[] {
  return core
    .getInput(name)
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}

/** One of `choices` (case-insensitive); `aliases` map other spellings to a choice. */
export function choiceInput<T extends string>(
  name: string,
  choices: readonly T[],
  fallback: T,
  aliases: Readonly<Record<string, T>> = {},
): T {
  const raw = optionalInput(name);
  if (raw === undefined) return fallback;
  const value = raw.toLowerCase();
  if ((choices as readonly string[]).includes(value)) return value as T;
  const alias = aliases[value];
  if (alias !== undefined) return alias;
  throw new ActionError(
    'INPUT_INVALID',
    'input',
    `Input "${name}" is "${raw}"; use one of: ${choices.join(', ')}.`,
  );
}

/** true/false (also yes/no, on/off); `fallback` when absent. */
export function booleanInput(name: string, fallback: boolean): boolean {
  const raw = optionalInput(name);
  if (raw === undefined) return fallback;
  const value = raw.toLowerCase();
  if (['true', 'yes', 'on', '1'].includes(value)) return true;
  if (['false', 'no', 'off', '0'].includes(value)) return false;
  throw new ActionError(
    'INPUT_INVALID',
    'input',
    `Input "${name}" is "${raw}"; write true or false.`,
  );
}

/** `key=value` lines; keys must be unique and non-empty. */
export function keyValueInput(name: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of listInput(name)) {
    const eq = line.indexOf('=');
    const key = eq > 0 ? line.slice(0, eq).trim() : '';
    if (key === '') {
      throw new ActionError(
        'INPUT_INVALID',
        'input',
        `Input "${name}": the line "${line}" is not key=value; write one key=value per line.`,
      );
    }
    if (Object.hasOwn(out, key)) {
      throw new ActionError(
        'INPUT_INVALID',
        'input',
        `Input "${name}": key "${key}" is given twice.`,
      );
    }
    out[key] = line.slice(eq + 1).trim();
  }
  return out;
}

/** A positive whole number, or undefined when absent. */
export function treeSizeInput(name: string): number | undefined {
  const raw = optionalInput(name);
  if (raw === undefined) return undefined;
  if (!/^[1-9][0-9]*$/.test(raw) || !Number.isSafeInteger(Number(raw))) {
    throw new ActionError(
      'INPUT_INVALID',
      'input',
      `Input "${name}" is "${raw}"; give a tree size, a positive whole number.`,
    );
  }
  return Number(raw);
}
