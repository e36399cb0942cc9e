/**
 * The subject inputs, as `actions/attest` has them: `subject-path` (files, directories, globs),
 * `subject-digest` (`sha256:…`, with `subject-name` to name it), `subject-checksums` (a
 * `sha256sum` file, for hundreds of artifacts), plus `subject-image` (`docker://`, `oci:`,
 * `docker-archive:`). The old `subjects` input still works, with a deprecation warning. Paths and
 * images are digested by the same code as `notarize digest`; digests and checksums are taken as
 * given (nothing to read), under the name they come with.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import * as core from '@actions/core';
import { resolveSubjects, type CommandContext } from '@notarize/cli';
import { ActionError } from './errors.ts';
import { listInput, optionalInput } from './inputs.ts';

export interface SubjectInputs {
  /** Paths, globs and image references, digested when resolved. */
  toDigest: string[];
  /** Subjects given by digest: from subject-digest (+ subject-name) and subject-checksums. */
  byDigest: { subject: string; digest: string }[];
  /** A checksums file to read when resolved (relative to the workspace). */
  checksums?: string;
}

export interface ResolvedSubject {
  subject: string;
  digest: string;
}

const DIGEST = /^sha256:[0-9a-f]{64}$/;
const IMAGE = /^(docker:\/\/|oci:|docker-archive:)/;

const invalid = (message: string) => new ActionError('INPUT_INVALID', 'input', message);

export function readSubjectInputs(): SubjectInputs {
  const paths = listInput('subject-path');
  const images = listInput('subject-image');
  const digests = listInput('subject-digest');
  const name = optionalInput('subject-name');
  const checksums = optionalInput('subject-checksums');
  const legacy = listInput('subjects');
  if (legacy.length > 0) {
    core.warning(
      'Input "subjects" is deprecated: use subject-path (files, directories, globs), ' +
        'subject-image (docker://, oci:) or subject-digest (sha256:…). It still works.',
    );
  }
  for (const image of images) {
    if (!IMAGE.test(image)) {
      throw invalid(
        `Input "subject-image": "${image}" is not an image reference; write docker://<registry>/<repo>[:tag|@digest], oci:<layout dir>[:tag] or docker-archive:<file.tar>.`,
      );
    }
  }
  for (const digest of digests) {
    if (!DIGEST.test(digest)) {
      throw invalid(`Input "subject-digest": "${digest}" is not sha256:<64 lowercase hex>.`);
    }
  }
  if (name !== undefined && digests.length !== 1) {
    throw invalid(
      'Input "subject-name" names the one subject of subject-digest: give exactly one subject-digest with it (name files by their path, and use subject-checksums for many named digests).',
    );
  }
  const inputs: SubjectInputs = {
    toDigest: [...paths, ...images, ...legacy],
    byDigest: digests.map((digest) => ({ subject: name ?? digest, digest })),
  };
  if (checksums !== undefined) inputs.checksums = checksums;
  if (inputs.toDigest.length === 0 && inputs.byDigest.length === 0 && !inputs.checksums) {
    throw new ActionError(
      'INPUT_MISSING',
      'input',
      'Name the artifacts: subject-path (files, directories, globs, one per line), subject-image ' +
        '(docker://…, oci:…), subject-digest (sha256:…, with subject-name) or subject-checksums ' +
        '(a sha256sum file).',
    );
  }
  return inputs;
}

/** `sha256sum` output: `<64 hex><space><space or *><name>` per line; blank lines are skipped. */
export function parseChecksums(text: string, file: string): ResolvedSubject[] {
  const out: ResolvedSubject[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === '') return;
    const m = /^([0-9a-fA-F]{64}) [ *](.+)$/.exec(line);
    if (!m) {
      throw invalid(
        `Input "subject-checksums": ${file} line ${i + 1} is not "<sha256 hex>  <name>" (sha256sum output).`,
      );
    }
    out.push({ subject: m[2] as string, digest: `sha256:${(m[1] as string).toLowerCase()}` });
  });
  if (out.length === 0) throw invalid(`Input "subject-checksums": ${file} lists no checksums.`);
  return out;
}

/** Every subject with its digest, in input order: paths and images, digests, then checksums. */
export async function resolveSubjectInputs(
  inputs: SubjectInputs,
  ctx: CommandContext,
): Promise<ResolvedSubject[]> {
  const digested =
    inputs.toDigest.length > 0
      ? (await resolveSubjects(inputs.toDigest, ctx)).map((d) => ({
          subject: d.subject,
          digest: d.digest,
        }))
      : [];
  let listed: ResolvedSubject[] = [];
  if (inputs.checksums) {
    const file = path.resolve(ctx.cwd, inputs.checksums);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      throw invalid(
        `Input "subject-checksums": cannot read ${inputs.checksums} (${(error as NodeJS.ErrnoException).code ?? 'error'}); give the path of a sha256sum file in the workspace.`,
      );
    }
    listed = parseChecksums(text, inputs.checksums);
  }
  return [...digested, ...inputs.byDigest, ...listed];
}
