/**
 * Connection-level defences of the service, before any request is parsed:
 * - at most `limits.maxConnectionsPerClient` open connections per client address: one client
 *   (slow or greedy) cannot take all `maxConnections`, so others, /healthz probes included, still
 *   get in; the refused connection is answered 429 TOO_MANY_CONNECTIONS and closed;
 * - malformed HTTP and header timeouts are answered 400/408 and the socket is then destroyed:
 *   only half-closing it would let a client that never closes its side hold the slot forever.
 */
import { STATUS_CODES, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { ServiceError } from './errors.ts';

/** How long a refused socket may take to flush its error answer before it is destroyed. */
const FLUSH_MS = 1000;

/** The raw HTTP/1.1 answer for an error on a connection without a request object. */
function rawAnswer(error: ServiceError): string {
  const body = JSON.stringify({ code: error.code, message: error.message });
  const headers = Object.entries({
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(body)),
    connection: 'close',
    ...error.headers,
  }).map(([name, value]) => `${name}: ${value}\r\n`);
  return `HTTP/1.1 ${error.status} ${STATUS_CODES[error.status]}\r\n${headers.join('')}\r\n${body}`;
}

/** Answers `error` if the socket can still be written, then destroys it (never half-open). */
export function closeWith(socket: Socket, error: ServiceError): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const timer = setTimeout(() => socket.destroy(), FLUSH_MS);
  timer.unref();
  socket.end(rawAnswer(error), () => {
    clearTimeout(timer);
    socket.destroy();
  });
}

export interface ConnectionGuardOptions {
  maxConnectionsPerClient: number;
  /** Called with the error code of every connection refused or closed here (metrics). */
  onError?: (code: string) => void;
}

/** Installs the per-address cap and the clientError handling on `server`. */
export function guardConnections(server: Server, options: ConnectionGuardOptions): void {
  const open = new Map<string, number>();
  server.on('connection', (socket: Socket) => {
    const address = socket.remoteAddress ?? 'unknown';
    const count = open.get(address) ?? 0;
    if (count >= options.maxConnectionsPerClient) {
      options.onError?.('TOO_MANY_CONNECTIONS');
      closeWith(
        socket,
        new ServiceError(
          'TOO_MANY_CONNECTIONS',
          `this client already holds ${count} connections, the most this service allows per address; reuse them or retry later`,
          { headers: { 'retry-after': '1' } },
        ),
      );
      return;
    }
    open.set(address, count + 1);
    socket.once('close', () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left > 0) open.set(address, left);
      else open.delete(address);
    });
  });
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    // Malformed HTTP or a header timeout: answer 400/408 if the socket still can, never crash.
    const timeout = error.code === 'ERR_HTTP_REQUEST_TIMEOUT';
    const code = timeout ? 'REQUEST_TIMEOUT' : 'BAD_REQUEST';
    options.onError?.(code);
    closeWith(socket, new ServiceError(code, 'malformed or too slow HTTP request'));
  });
}
