/**
 * File names for downloaded evidence. The recorded name comes from the ledger, i.e. from whoever
 * added the evidence: it is reduced to a plain base name so it can never write outside the output
 * directory, and names that repeat within one download get the entry's index as a prefix.
 */

/** Characters no file name should carry: path separators, Windows-reserved ones, controls. */
function unsafe(char: string): boolean {
  const code = char.charCodeAt(0);
  return code < 0x20 || code === 0x7f || '/\\:*?"<>|'.includes(char);
}

/** A base name that is safe on Linux, macOS and Windows; `fallback` when nothing usable is left. */
export function safeFileName(recorded: string, fallback: string): string {
  const base = recorded.split(/[\\/]/).pop() ?? '';
  const cleaned = [...base]
    .map((c) => (unsafe(c) ? '_' : c))
    .join('')
    .replace(/^[.\s]+/, '')
    .slice(0, 200);
  return cleaned.length === 0 ? fallback : cleaned;
}

/**
 * Hands out distinct names: the first use of a name keeps it, later ones become `<index>-<name>`.
 * Callers claim the names of evidence whose job was verified first, so evidence a client merely
 * claimed for the job can never take a verified file's name.
 */
export class OutputNames {
  private readonly taken = new Set<string>();

  claim(recorded: string, index: number, digest: string): string {
    const name = safeFileName(
      recorded,
      `evidence-${digest.slice('sha256:'.length, 'sha256:'.length + 12)}`,
    );
    const chosen = this.taken.has(name) ? `${index}-${name}` : name;
    this.taken.add(chosen);
    return chosen;
  }
}
