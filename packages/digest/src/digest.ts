import { lstat, stat } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import path from 'node:path';
import { digestDirectory, defaultConcurrency } from './directory.ts';
import { digestDockerArchive } from './docker-archive.ts';
import { DigestError } from './errors.ts';
import { fsError } from './fs-errors.ts';
import { expandGlob, hasGlobSyntax } from './glob.ts';
import { hashFile, hashSmallFileSync, SMALL } from './hash.ts';
import { digestOciLayout } from './oci-layout.ts';
import { mapLimit } from './pool.ts';
import { throttledProgress } from './progress.ts';
import { parseSubject, type ParsedSubject } from './subject.ts';
import type { DigestOptions, DigestResult } from './types.ts';

/**
 * Digest of one subject. A glob must match exactly one path here; use `digestSubjects` to expand
 * globs to many results.
 */
export async function digestSubject(
  subject: string,
  options: DigestOptions = {},
): Promise<DigestResult> {
  const parsed = await classify(subject, options);
  if (parsed.kind === 'path' && (await isGlob(parsed.path, options))) {
    const matches = await expandGlob(parsed.path, cwdOf(options));
    if (matches.length > 1) {
      throw new DigestError(
        'DIGEST_AMBIGUOUS',
        `${subject}: the pattern matches ${matches.length} paths; digest them with digestSubjects`,
      );
    }
    return digestPath(matches[0] as string, options);
  }
  return digestParsed(subject, parsed, options);
}

/**
 * Digests of many subjects, in order; a glob expands to one result per match (each with the
 * matched path as `subject`). Matches of a glob are hashed concurrently.
 */
export async function digestSubjects(
  subjects: readonly string[],
  options: DigestOptions = {},
): Promise<DigestResult[]> {
  const results: DigestResult[] = [];
  for (const subject of subjects) {
    const parsed = await classify(subject, options);
    if (parsed.kind === 'path' && (await isGlob(parsed.path, options))) {
      const matches = await expandGlob(parsed.path, cwdOf(options));
      const limit = options.concurrency ?? defaultConcurrency();
      results.push(...(await mapLimit(matches, limit, (m) => digestPath(m, options))));
    } else {
      results.push(await digestParsed(subject, parsed, options));
    }
  }
  return results;
}

const cwdOf = (options: DigestOptions): string => options.cwd ?? process.cwd();

async function exists(p: string, options: DigestOptions): Promise<boolean> {
  try {
    await lstat(path.resolve(cwdOf(options), p));
    return true;
  } catch {
    return false;
  }
}

/** A transport-looking string that names an existing file (`a:b`) is that file. */
async function classify(subject: string, options: DigestOptions): Promise<ParsedSubject> {
  try {
    return parseSubject(subject);
  } catch (error) {
    if (error instanceof DigestError && error.code === 'DIGEST_UNKNOWN_TRANSPORT') {
      if (await exists(subject, options)) return { kind: 'path', path: subject };
    }
    throw error;
  }
}

/** A path with glob syntax that does not exist literally is a glob. */
async function isGlob(p: string, options: DigestOptions): Promise<boolean> {
  return hasGlobSyntax(p) && !(await exists(p, options));
}

async function digestParsed(
  subject: string,
  parsed: ParsedSubject,
  options: DigestOptions,
): Promise<DigestResult> {
  switch (parsed.kind) {
    case 'digest':
      return { subject, type: 'digest', digest: parsed.digest };
    case 'path':
      return digestPath(parsed.path, options);
    case 'oci': {
      const dir = path.resolve(cwdOf(options), parsed.dir);
      await mustBe(dir, 'directory', subject);
      const image = await digestOciLayout(dir, parsed.tag, subject);
      return { subject, type: 'oci', ...image };
    }
    case 'docker-archive': {
      const file = path.resolve(cwdOf(options), parsed.file);
      await mustBe(file, 'file', subject);
      const progress = throttledProgress(options.onProgress);
      let bytes = 0;
      const image = await digestDockerArchive(file, parsed.image, subject, (n) => {
        bytes += n;
        progress.report({ subject, bytes });
      });
      return { subject, type: 'docker-archive', ...image };
    }
    case 'registry': {
      // Loaded on first use: undici costs ~130 ms of start-up that file digests do not need.
      const { fetchManifestDigest } = await import('./registry/client.ts');
      const manifest = await fetchManifestDigest(parsed.reference, options);
      return { subject, type: 'registry', ...manifest };
    }
  }
}

async function statOf(p: string, display: string): Promise<Stats> {
  try {
    return await stat(p);
  } catch (error) {
    throw fsError(error, display);
  }
}

async function mustBe(p: string, kind: 'file' | 'directory', display: string): Promise<void> {
  const s = await statOf(p, display);
  if (kind === 'file' ? !s.isFile() : !s.isDirectory()) {
    throw new DigestError('DIGEST_NOT_FOUND', `${display}: ${p} is not a ${kind}`);
  }
}

/** A file (a top-level symlink is followed, as sha256sum does) or a directory. */
async function digestPath(p: string, options: DigestOptions): Promise<DigestResult> {
  const abs = path.resolve(cwdOf(options), p);
  const s = await statOf(abs, p);
  if (s.isDirectory()) {
    const d = await digestDirectory(abs, p, options);
    return {
      subject: p,
      type: 'directory',
      digest: `sha256:${d.hex}`,
      size: d.size,
      files: d.files,
    };
  }
  if (!s.isFile()) {
    throw new DigestError(
      'DIGEST_SPECIAL_FILE',
      `${p}: not a regular file or directory (a FIFO, socket or device); give the artifact's file`,
    );
  }
  // Small files (one read) skip the thread pool: see hashSmallFileSync. Matters for big globs.
  const small = s.size < SMALL ? hashSmallFileSync(abs, p) : undefined;
  if (small) return { subject: p, type: 'file', digest: `sha256:${small.hex}`, size: small.size };
  const progress = throttledProgress(options.onProgress);
  let bytes = 0;
  const h = await hashFile(abs, {
    display: p,
    signal: options.signal,
    onBytes: (n) => {
      bytes += n;
      progress.report({ subject: p, bytes, totalBytes: s.size });
    },
  });
  progress.done({ subject: p, bytes, totalBytes: s.size });
  return { subject: p, type: 'file', digest: `sha256:${h.hex}`, size: h.size };
}
