/**
 * Checks that the service's address can be bound before anything is created: a busy port used to
 * fail after the data directory and the signing key were made, as an internal error with a stack.
 */
import { createServer } from 'node:net';
import { ServiceError } from './errors.ts';

const REASONS: Record<string, string> = {
  EADDRINUSE: 'is in use',
  EACCES: 'needs privileges this process does not have',
  EADDRNOTAVAIL: 'is not an address of this machine',
};

/** Resolves when `host:port` can be listened on; else a LISTEN_FAILED error saying what to do. */
export async function checkListenAddress(host: string, port: number): Promise<void> {
  const probe = createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once('error', (error: NodeJS.ErrnoException) => {
      const shown = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
      const reason =
        REASONS[error.code ?? ''] ?? `cannot be listened on (${error.code ?? error.message})`;
      reject(
        new ServiceError('LISTEN_FAILED', `${shown} ${reason}; pass --listen HOST:PORT`, {
          cause: error,
        }),
      );
    });
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve()));
  });
}
