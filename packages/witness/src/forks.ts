/**
 * Evidence of a forked log: two checkpoints of one origin with the same size and different
 * roots, both validly signed by the log. Neither can be explained away, so the witness keeps
 * both notes in `forks/` of its data directory (and logs it); `witness info` lists them.
 */
import { mkdir, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { originFileName, writeFileAtomic } from './state-store.ts';

export interface ForkEvidence {
  origin: string;
  size: number;
  /** The two signed checkpoint notes, as the log sent them. */
  notes: [string, string];
  detected: string;
}

export class ForkStore {
  readonly dir: string;
  constructor(dataDir: string) {
    this.dir = path.join(dataDir, 'forks');
  }

  async record(evidence: ForkEvidence): Promise<string> {
    await mkdir(this.dir, { recursive: true });
    const file = path.join(this.dir, `${originFileName(evidence.origin)}-${evidence.size}.json`);
    await writeFileAtomic(file, `${JSON.stringify(evidence, null, 2)}\n`);
    return file;
  }

  async list(): Promise<ForkEvidence[]> {
    let names: string[];
    try {
      names = (await readdir(this.dir)).filter((n) => n.endsWith('.json'));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    return Promise.all(
      names
        .sort()
        .map(
          async (n) => JSON.parse(await readFile(path.join(this.dir, n), 'utf8')) as ForkEvidence,
        ),
    );
  }
}
