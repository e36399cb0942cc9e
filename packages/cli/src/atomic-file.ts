import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * Writes `text` to `file` so that a reader (or a crash) sees the old file or the new one, never a
 * part: a temporary file beside it, then a rename. Creates the directory when missing.
 */
export async function writeFileAtomic(
  file: string,
  text: string,
  options: { mode?: number; dirMode?: number } = {},
): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true, mode: options.dirMode ?? 0o755 });
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    await writeFile(tmp, text, { mode: options.mode ?? 0o644 });
    await rename(tmp, file);
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
}
