/**
 * Where the CLI writes. Machine output (`--json`) goes to stdout and nothing else does; human
 * output goes to stdout when it is the command's result, progress and notices go to stderr.
 * Commands receive an Output so tests can capture both streams without touching process.*.
 */
export interface Output {
  /** The command's result, for a person. */
  print(text: string): void;
  /** The command's result as JSON (one document, pretty-printed, newline-terminated). */
  json(value: unknown): void;
  /** Notices, warnings and progress: stderr. */
  notice(text: string): void;
  /** True when stderr is a terminal: progress may be drawn. */
  readonly interactive: boolean;
}

export function processOutput(): Output {
  return {
    print: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
    json: (value) => process.stdout.write(`${JSON.stringify(value, null, 2)}\n`),
    notice: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
    interactive: Boolean(process.stderr.isTTY),
  };
}

/** Formats rows as an aligned plain-text table. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}
