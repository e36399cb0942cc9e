/** A policy that does not parse or validate: an input error listing every problem with its line. */
export interface PolicyProblem {
  /** 1-based line and column in the policy file. */
  line: number;
  column: number;
  /** Where in the document, e.g. `require[1].min` (empty for the document itself). */
  path: string;
  message: string;
}

export class PolicyError extends Error {
  readonly code = 'POLICY_INVALID' as const;
  readonly category = 'input' as const;
  readonly source: string;
  readonly problems: readonly PolicyProblem[];
  constructor(source: string, problems: readonly PolicyProblem[], options?: { cause?: unknown }) {
    const lines = problems.map(
      (p) => `${source}:${p.line}:${p.column}: ${p.path ? `${p.path}: ` : ''}${p.message}`,
    );
    super(
      `invalid gate policy ${source} (a policy that does not validate never allows):\n  ${lines.join('\n  ')}`,
      options,
    );
    this.name = 'PolicyError';
    this.source = source;
    this.problems = problems;
  }
}
