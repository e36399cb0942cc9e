/**
 * Masking: values registered here are replaced by *** in the job log. A multi-line value (a PEM
 * key) is masked line by line, because the runner matches each log line on its own.
 */
import * as core from '@actions/core';

const ARMOR = /^-----(BEGIN|END) [A-Z0-9 ]+-----$/;

export function maskSecret(value: string | undefined): void {
  if (value === undefined || value.trim() === '') return;
  core.setSecret(value);
  const lines = value.split(/\r?\n/).map((l) => l.trim());
  if (lines.length < 2) return;
  // The armor lines are public boilerplate; masking them would only garble unrelated output.
  for (const line of lines) if (line !== '' && !ARMOR.test(line)) core.setSecret(line);
}
