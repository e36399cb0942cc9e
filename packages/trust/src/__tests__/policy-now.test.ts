/**
 * evaluateGate measures maxAge against the `now` it is given (not the clock), and a require rule
 * that is not met says which identities did not count, and why.
 */
import { evaluateGate } from '../policy/evaluate.ts';
import { parsePolicy } from '../policy/parse.ts';
import type { Policy } from '../policy/types.ts';
import { A, NOW, assert, daysAgo } from './fixtures.ts';

let policy: Policy;
beforeAll(async () => {
  policy = await parsePolicy('version: 1\nrequire:\n  - {role: qa, status: trusted, maxAge: 2d}\n');
});
const gate = (entries: ReturnType<typeof assert>[], now: Date) =>
  evaluateGate(policy, [{ subject: 'app', digest: A, entries }], { now });

describe('evaluateGate and time', () => {
  it('measures maxAge against the given now', () => {
    const entries = [assert(1, 'tester', 'trusted', { role: 'qa', time: daysAgo(1) })];
    expect(gate(entries, NOW)).toMatchObject({ decision: 'allow', code: 0 });
    const later = new Date(NOW.getTime() + 5 * 86_400_000);
    expect(gate(entries, later)).toMatchObject({ decision: 'block', code: 2 });
  });

  it('says which identity did not count for an unmet require rule', () => {
    const entries = [assert(1, 'tester', 'trusted', { role: 'qa', time: daysAgo(5) })];
    const decision = gate(entries, NOW);
    expect(decision.decision).toBe('block');
    expect(decision.subjects[0]!.reasons[0]).toMatch(/needs 1, found 0; not counted: tester \S/);
  });
});
