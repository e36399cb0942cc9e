import { DigestError } from './errors.ts';

/**
 * Turns a node:fs error on `where` into a DigestError that says what to do. A DigestError or an
 * abort (the caller's own signal) passes through unchanged.
 */
export function fsError(error: unknown, where: string): Error {
  if (error instanceof DigestError) return error;
  // Checked by name: an AbortError may be a DOMException from another realm.
  if ((error as { name?: unknown } | undefined)?.name === 'AbortError') return error as Error;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
    case 'ENOTDIR':
      return new DigestError(
        'DIGEST_NOT_FOUND',
        `${where}: no such file or directory; check the path`,
        { cause: error },
      );
    case 'EACCES':
    case 'EPERM':
      return new DigestError(
        'DIGEST_PERMISSION_DENIED',
        `${where}: permission denied; make it readable by this user or run as a user who can read it`,
        { cause: error },
      );
    case 'ELOOP':
      return new DigestError(
        'DIGEST_SYMLINK_LOOP',
        `${where}: too many levels of symbolic links (a symlink loop); fix or remove the link`,
        { cause: error },
      );
    default: {
      const detail = error instanceof Error ? error.message : String(error);
      return new DigestError('DIGEST_IO', `${where}: cannot read (${detail})`, { cause: error });
    }
  }
}
