/**
 * Opening a file the user named (policy, key, evidence) only if it is a regular file. O_NONBLOCK:
 * opening a FIFO for reading would otherwise wait for a writer forever (and hold a libuv thread);
 * on regular files it changes nothing. The type is checked on the open handle, so the file cannot
 * be swapped between the check and the read; devices (/dev/zero) and sockets are refused too.
 */
import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';

export type NotRegular = 'a directory' | 'a special file (device, FIFO or socket)';

/**
 * The open handle and size of a regular file, or what the path is instead (the handle is then
 * closed). Errors of open(2) (ENOENT, EACCES, …) are thrown for the caller to word.
 */
export async function openRegularFile(
  file: string,
): Promise<{ handle: FileHandle; size: number } | { notRegular: NotRegular }> {
  const handle = await open(file, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const stats = await handle.stat();
    if (stats.isFile()) return { handle, size: stats.size };
    await handle.close();
    return {
      notRegular: stats.isDirectory() ? 'a directory' : 'a special file (device, FIFO or socket)',
    };
  } catch (error) {
    await handle.close();
    throw error;
  }
}
