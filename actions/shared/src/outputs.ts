/** Step outputs: strings as they are, everything else as compact JSON (parse with fromJSON). */
import * as core from '@actions/core';

export function setOutputs(outputs: Record<string, unknown>): void {
  for (const [name, value] of Object.entries(outputs)) {
    core.setOutput(name, typeof value === 'string' ? value : JSON.stringify(value));
  }
}
