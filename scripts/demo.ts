/**
 * `npm run demo`: the whole product story on this machine in under a minute, on an embedded
 * ledger and a local `notarize serve` (scripts/demo/story.ts). Prints a narrated walk-through and
 * a summary; exits 0 only if every step had the expected outcome.
 *
 * `--keep` leaves the temporary workspace in place for inspection.
 */
import { textNarrator } from './demo/narrator.ts';
import { runDemo } from './demo/story.ts';

const keep = process.argv.includes('--keep');
const write = (text: string) => process.stdout.write(text);
const result = await runDemo({ narrator: textNarrator(write), keep });

const failed = result.steps.filter((s) => !s.ok);
write(`\n${'='.repeat(100)}\n`);
for (const s of result.steps) write(`${s.ok ? '✔' : '✘'} ${s.title}\n`);
write(
  failed.length === 0 && result.ok
    ? `\nThe whole story checked out: ${result.steps.length} steps in ${(result.durationMs / 1000).toFixed(1)} s.\n`
    : `\n${failed.length} of ${result.steps.length} steps did not go as expected:\n${failed
        .map((s) => `  ${s.id}: expected ${s.expected}; ${s.problem ?? ''}`)
        .join('\n')}\n`,
);
if (keep) write(`The workspace is kept in ${result.workspace}\n`);
process.exitCode = result.ok ? 0 : 1;
