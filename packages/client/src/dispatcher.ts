/**
 * A keep-alive undici Agent from the client's own undici copy. Pass it as `dispatcher` to share
 * connections between clients (tests, the bench); dispatchers from another undici major are not
 * compatible (FIELD-NOTES: two copies of undici do not mix).
 */
import { Agent, type Dispatcher } from 'undici';

export function createLedgerDispatcher(
  options: { connections?: number; keepAliveTimeoutMs?: number } = {},
): Dispatcher {
  return new Agent({
    connections: options.connections ?? 16,
    keepAliveTimeout: options.keepAliveTimeoutMs ?? 10_000,
  });
}
