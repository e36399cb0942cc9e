/** Durations in policies: a positive integer and a unit, e.g. `90s`, `15m`, `12h`, `30d`, `2w`. */
import { TrustError } from '../errors.ts';

export const DURATION_PATTERN = '^[1-9][0-9]*(s|m|h|d|w)$';

const UNIT_MS: Record<string, number> = {
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

export function parseDuration(text: string): number {
  const match = new RegExp(DURATION_PATTERN).exec(text);
  const unit = match?.[1];
  if (!match || !unit) {
    throw new TrustError(
      'DURATION_INVALID',
      'input',
      `"${text}" is not a duration; write a number and a unit s, m, h, d or w (e.g. 30d)`,
    );
  }
  return Number.parseInt(text, 10) * (UNIT_MS[unit] ?? 0);
}
