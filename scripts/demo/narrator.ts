/**
 * How the demo talks to a person: numbered chapters, a sentence on what each step means, the
 * command as one would type it, its output indented, and a check mark (or a cross with what was
 * expected) for the outcome. Plain text, no colours: it reads the same in a terminal, a CI log
 * and a pasted issue.
 */
export interface Narrator {
  chapter(title: string, story: string): void;
  say(text: string): void;
  /** Preformatted text (a config file, a policy), shown indented as is. */
  block(text: string): void;
  /** A command as typed (with the environment it needs), its output and its exit code. */
  command(argv: readonly string[], output: string, env?: string, code?: number): void;
  outcome(ok: boolean, text: string): void;
}

const WIDTH = 100;

/** Word-wraps at WIDTH columns; the first line starts with `first`, the others with `rest`. */
function wrap(text: string, first: string, rest = first): string {
  const lines: string[] = [];
  for (const paragraph of text.split('\n')) {
    let line = '';
    const indent = () => (lines.length === 0 ? first : rest);
    for (const word of paragraph.split(' ')) {
      if (line && (indent() + line + ' ' + word).length > WIDTH) {
        lines.push(indent() + line);
        line = word;
      } else {
        line = line ? `${line} ${word}` : word;
      }
    }
    lines.push(indent() + line);
  }
  return lines.join('\n');
}

/** Quotes an argument the way a shell user would type it. */
export function shellWord(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", "'\\''")}'`;
}

export function textNarrator(write: (text: string) => void): Narrator {
  let chapter = 0;
  return {
    chapter(title, story) {
      chapter += 1;
      const head = `== ${chapter}. ${title} `;
      write(`\n${head}${'='.repeat(Math.max(4, WIDTH - head.length))}\n${wrap(story, '')}\n`);
    },
    say(text) {
      write(`\n${wrap(text, '')}\n`);
    },
    block(text) {
      write(`\n${text.trimEnd().replace(/^/gm, '    ')}\n`);
    },
    command(argv, output, env, code) {
      const prefix = env ? `${env} ` : '';
      write(`\n  $ ${prefix}notarize ${argv.map(shellWord).join(' ')}\n`);
      const body = output.trimEnd();
      if (body) write(`${body.replace(/^/gm, '    ')}\n`);
      if (code !== undefined) write(`    (exit ${code})\n`);
    },
    outcome(ok, text) {
      write(`${wrap(text, ok ? '  ✔ ' : '  ✘ ', '    ')}\n`);
    },
  };
}

/** A narrator that says nothing (tests). */
export const silentNarrator: Narrator = {
  chapter: () => {},
  say: () => {},
  block: () => {},
  command: () => {},
  outcome: () => {},
};
