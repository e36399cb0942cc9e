/**
 * The demo's steps: each has an id the test refers to, an expected outcome in words, and the
 * facts it observed. A step whose outcome differs from the expectation (`expect` failing) is
 * recorded as failed and the story goes on, so one run shows every deviation; any other error
 * ends the story (later steps would only fail for the same reason).
 */
import type { Narrator } from './narrator.ts';

export interface StepResult {
  /** Stable id the test refers to. */
  id: string;
  title: string;
  /** What the step is expected to show, in words. */
  expected: string;
  ok: boolean;
  /** The main command's exit code, when the step ran one. */
  code?: number;
  /** Facts the step observed (digests, reasons, sizes …), for the test to check. */
  facts: Record<string, unknown>;
  /** Why the step failed (an expectation not met, or an error). */
  problem?: string;
}

/** A failed expectation: the step is marked failed with this text, the story continues. */
export class Unexpected extends Error {
  readonly code = 'DEMO_UNEXPECTED' as const;
  readonly category = 'verification' as const;
  constructor(message: string) {
    super(message);
    this.name = 'Unexpected';
  }
}

/** Fails the current step (not the story) unless `condition` holds. */
export function expect(condition: boolean, problem: string): void {
  if (!condition) throw new Unexpected(problem);
}

export type StepBody = (facts: Record<string, unknown>) => Promise<{ code?: number; said: string }>;

export class StepRecorder {
  readonly steps: StepResult[] = [];
  #aborted = false;
  readonly #say: Narrator;

  constructor(say: Narrator) {
    this.#say = say;
  }

  /** Runs one step, records its outcome and narrates it; skipped once the story was aborted. */
  async step(id: string, title: string, expected: string, body: StepBody): Promise<void> {
    if (this.#aborted) return;
    const facts: Record<string, unknown> = {};
    const result: StepResult = { id, title, expected, ok: false, facts };
    this.steps.push(result);
    try {
      const { code, said } = await body(facts);
      if (code !== undefined) result.code = code;
      result.ok = true;
      this.#say.outcome(true, said);
    } catch (error) {
      result.problem = error instanceof Error ? error.message : String(error);
      if (typeof facts.code === 'number') result.code = facts.code;
      this.#say.outcome(false, `expected: ${expected}\n${result.problem}`);
      if (!(error instanceof Unexpected)) this.#aborted = true;
    }
  }

  /** Records an error outside any step (setting up the workspace) and ends the story. */
  failOutside(id: string, title: string, error: unknown): void {
    this.#aborted = true;
    this.steps.push({
      id,
      title,
      expected: 'no error',
      ok: false,
      facts: {},
      problem: error instanceof Error ? error.message : String(error),
    });
    this.#say.outcome(false, `${title}: ${this.steps.at(-1)?.problem ?? ''}`);
  }

  /** Every step ran and had its expected outcome. */
  ok(): boolean {
    return !this.#aborted && this.steps.length > 0 && this.steps.every((s) => s.ok);
  }
}
