/**
 * `notarize completion bash|zsh|fish`: a shell completion script generated from the command tree
 * itself (commands, subcommands, aliases and options), so it can never fall behind the CLI.
 * Arguments that are not options complete as file names: subjects are files, directories or
 * globs more often than anything else.
 */
import type { Command, Option } from 'commander';
import type { CommandContext } from '../context.ts';
import { CliError } from '../cli-error.ts';

interface CommandInfo {
  /** Names of the command: its name, then its aliases. */
  names: string[];
  description: string;
  options: { flag: string; description: string; takesValue: boolean }[];
  subcommands: CommandInfo[];
}

function describe(command: Command): CommandInfo {
  return {
    names: [command.name(), ...command.aliases()],
    description: command.description(),
    options: [
      ...command.options.map((o: Option) => ({
        flag: o.long ?? o.short ?? '',
        description: o.description,
        takesValue: o.required || o.optional,
      })),
      { flag: '--help', description: 'show help', takesValue: false },
    ].filter((o) => o.flag !== ''),
    subcommands: command.commands.filter((c) => c.name() !== 'help').map(describe),
  };
}

const words = (list: readonly string[]) => list.join(' ');
/** Single-quoted for sh-like shells; descriptions are ours, but quote them properly anyway. */
const quote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;

function bashScript(root: CommandInfo): string {
  // Per command path ("", "ledger", "evidence"...): its subcommand names and its options.
  const cases: string[] = [];
  const walk = (info: CommandInfo, path: string) => {
    const subs = info.subcommands.flatMap((s) => s.names);
    cases.push(
      `    ${quote(path)}) subs=${quote(words(subs))}; opts=${quote(words(info.options.map((o) => o.flag)))}` +
        `; valued=${quote(words(info.options.filter((o) => o.takesValue).map((o) => o.flag)))} ;;`,
    );
    for (const s of info.subcommands) {
      for (const name of s.names) walk(s, path ? `${path} ${name}` : name);
    }
  };
  walk(root, '');
  return `# notarize completion for bash: source it, e.g. in ~/.bashrc:
#   source <(notarize completion bash)
_notarize() {
  local cur=\${COMP_WORDS[COMP_CWORD]} path="" subs opts valued i word
  # The command path: leading words that name (sub)commands.
  for ((i = 1; i < COMP_CWORD; i++)); do
    word=\${COMP_WORDS[i]}
    [[ $word == -* ]] && break
    _notarize_lookup "$path"
    [[ " $subs " == *" $word "* ]] || break
    path=\${path:+$path }$word
  done
  _notarize_lookup "$path"
  local prev=\${COMP_WORDS[COMP_CWORD-1]}
  if [[ $COMP_CWORD -gt 1 && " $valued " == *" $prev "* ]]; then
    COMPREPLY=($(compgen -f -- "$cur"))
  elif [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "$opts" -- "$cur"))
  elif [[ -n $subs ]]; then
    COMPREPLY=($(compgen -W "$subs" -- "$cur"))
  else
    COMPREPLY=($(compgen -f -- "$cur"))
  fi
}
_notarize_lookup() {
  subs="" opts="" valued=""
  case "$1" in
${cases.join('\n')}
  esac
}
complete -o filenames -F _notarize notarize
`;
}

function zshScript(root: CommandInfo): string {
  // zsh runs the bash function through its bash completion layer (bashcompinit), so the two
  // shells complete alike from one generated table.
  return `#compdef notarize
# notarize completion for zsh: source it, e.g. in ~/.zshrc (after compinit):
#   source <(notarize completion zsh)
autoload -U +X bashcompinit && bashcompinit
${bashScript(root)}`;
}

function fishScript(root: CommandInfo): string {
  const lines = [
    '# notarize completion for fish: notarize completion fish > ~/.config/fish/completions/notarize.fish',
    'complete -c notarize -f',
  ];
  const esc = (text: string) => quote(text.replace(/\s+/g, ' '));
  const walk = (info: CommandInfo, path: string[]) => {
    // Fish conditions: the words so far are exactly this path (and nothing deeper yet).
    const here =
      path.length === 0
        ? '__fish_use_subcommand'
        : `__fish_seen_subcommand_from ${path[path.length - 1]}` +
          (info.subcommands.length > 0
            ? `; and not __fish_seen_subcommand_from ${words(info.subcommands.flatMap((s) => s.names))}`
            : '');
    for (const s of info.subcommands) {
      for (const name of s.names) {
        lines.push(`complete -c notarize -n ${quote(here)} -a ${name} -d ${esc(s.description)}`);
      }
    }
    for (const o of info.options) {
      const flag = o.flag.startsWith('--') ? `-l ${o.flag.slice(2)}` : `-s ${o.flag.slice(1)}`;
      lines.push(
        `complete -c notarize -n ${quote(here)} ${flag}${o.takesValue ? ' -r -F' : ''} -d ${esc(o.description)}`,
      );
    }
    // Subjects and other arguments of a leaf command are files.
    if (info.subcommands.length === 0 && path.length > 0) {
      lines.push(`complete -c notarize -n ${quote(here)} -F`);
    }
    for (const s of info.subcommands) walk(s, [...path, s.names[0] as string]);
  };
  walk(root, []);
  return `${lines.join('\n')}\n`;
}

const SHELLS: Record<string, (root: CommandInfo) => string> = {
  bash: bashScript,
  zsh: zshScript,
  fish: fishScript,
};

export function registerCompletion(program: Command, ctx: CommandContext): void {
  program
    .command('completion')
    .description('Print a shell completion script: notarize completion bash|zsh|fish')
    .argument('<shell>', 'bash, zsh or fish')
    .action((shell: string) => {
      const script = SHELLS[shell];
      if (!script) {
        throw new CliError(
          'SHELL_UNKNOWN',
          'input',
          `no completion for ${JSON.stringify(shell)}; choose bash, zsh or fish`,
        );
      }
      ctx.output.print(script(describe(program)).trimEnd());
    });
}
