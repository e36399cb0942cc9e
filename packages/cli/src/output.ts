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
  /**
   * Draws (or with undefined, clears) the one transient progress line on a terminal (progress.ts).
   * Absent where nothing may be drawn: a pipe, --json, --quiet.
   */
  progress?: (text: string | undefined) => void;
  /** The terminal's width when stdout is one (tables fit it); undefined on a pipe or with --wide. */
  columns?: number;
}

/**
 * A writer for `stream` that goes quiet once its reader is gone (`notarize ledger verify | head
 * -1`): EPIPE is no error of ours, so there is no stack; the command finishes its work and ends
 * with its own exit code (a gate's decision, a failed verification), which the writes never
 * change. Other stream errors stay errors.
 */
function quietOnBrokenPipe(stream: NodeJS.WriteStream): (text: string) => void {
  let gone = false;
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE' && error.code !== 'ERR_STREAM_DESTROYED') throw error;
    gone = true;
  });
  return (text) => {
    if (!gone) stream.write(text);
  };
}

export function processOutput(): Output {
  const out = quietOnBrokenPipe(process.stdout);
  const err = quietOnBrokenPipe(process.stderr);
  // Commands escape the data they show (`printable`); this is the net under what they missed,
  // e.g. a notice that quotes what a service answered. Escaped text passes unchanged.
  const line = (text: string) =>
    printable(text.endsWith('\n') ? text : `${text}\n`, { multiline: true });
  const interactive = Boolean(process.stderr.isTTY);
  // A drawn progress line is cleared before anything else reaches stderr, then redrawn by the
  // next update; it never ends up mixed into a notice.
  let progressShown = false;
  const clearProgress = () => {
    if (progressShown) err(CLEAR_LINE);
    progressShown = false;
  };
  return {
    print: (text) => out(line(text)),
    json: (value) => out(`${JSON.stringify(value, null, 2)}\n`),
    notice: (text) => {
      clearProgress();
      err(line(text));
    },
    interactive,
    ...(process.stdout.isTTY && process.stdout.columns ? { columns: process.stdout.columns } : {}),
    ...(interactive
      ? {
          progress: (text: string | undefined) => {
            if (text === undefined) return clearProgress();
            const width = Math.max(20, (process.stderr.columns || 80) - 1);
            const shown = printable(text);
            err(`${CLEAR_LINE}${shown.length > width ? `${shown.slice(0, width - 1)}…` : shown}`);
            progressShown = true;
          },
        }
      : {}),
  };
}

/** Carriage return, then erase to the end of the line (ANSI EL). */
const CLEAR_LINE = '\r\x1b[K';

/**
 * Characters that must never reach a terminal or a CI log raw: C0 controls (newlines, ESC that
 * starts ANSI sequences), DEL, C1 controls (NEL, CSI), the Unicode line and paragraph separators,
 * and the bidirectional marks and overrides that make text read differently than it is stored.
 */
const UNPRINTABLE =
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escapeChar(c: string): string {
  const named = NAMED[c];
  if (named !== undefined) return named;
  const code = c.charCodeAt(0);
  return code < 0x100
    ? `\\x${code.toString(16).padStart(2, '0')}`
    : `\\u${code.toString(16).padStart(4, '0')}`;
}

/**
 * Text from the ledger or from files (names, reasons, metadata, service messages) as it may be
 * shown to a person: every control character is written as an escape (`\n`, `\x1b`, `\u202e`),
 * so data can neither fake lines of output or of a CI log nor drive the terminal. With
 * `multiline`, newlines stay (for our own multi-line messages); everything else is escaped.
 * Every human output that shows such data goes through here (`table` does it for its cells).
 */
export function printable(text: string, options: { multiline?: boolean } = {}): string {
  return text.replace(UNPRINTABLE, (c) => (options.multiline && c === '\n' ? c : escapeChar(c)));
}

const FULL_DIGEST = /^sha256:([0-9a-f]{8})[0-9a-f]{56}$/;

/**
 * Formats rows as an aligned plain-text table; cells are escaped with `printable`. When `columns`
 * is given and the table is wider, full digests are shortened to `sha256:abcd1234…` (`--wide`
 * shows them whole; a pipe always gets them whole).
 */
export function table(
  header: readonly string[],
  rawRows: readonly (readonly string[])[],
  options: { columns?: number | undefined } = {},
): string {
  let rows = rawRows.map((r) => r.map((cell) => printable(cell)));
  const render = () => {
    const widths = header.map((h, i) =>
      Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)),
    );
    const line = (cells: readonly string[]) =>
      cells
        .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
        .join('  ')
        .trimEnd();
    return [line(header), ...rows.map(line)];
  };
  let lines = render();
  const tooWide = (all: readonly string[]) =>
    options.columns !== undefined && all.some((l) => l.length > (options.columns as number));
  if (tooWide(lines)) {
    rows = rows.map((r) => r.map((cell) => cell.replace(FULL_DIGEST, 'sha256:$1…')));
    lines = render();
  }
  return lines.join('\n');
}
