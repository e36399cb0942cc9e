/**
 * Reading requests and writing responses on node:http, with the limits applied where they are
 * cheapest: Content-Length is checked before a byte is read, the body is counted as it arrives,
 * and a JSON body must arrive within the request timeout.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ServiceError } from './errors.ts';

/** Strict UTF-8: invalid bytes throw; a BOM is kept (and then fails JSON.parse, as before). */
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export function sendJson(
  res: ServerResponse,
  status: number,
  value: unknown,
  headers: Record<string, string> = {},
): void {
  const body = JSON.stringify(value);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(body);
}

export function sendBytes(
  res: ServerResponse,
  status: number,
  body: Uint8Array | string,
  headers: Record<string, string>,
  head = false,
): void {
  res.writeHead(status, {
    'content-length': typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength,
    ...headers,
  });
  res.end(head ? undefined : body);
}

export function sendError(res: ServerResponse, error: ServiceError): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendJson(res, error.status, { code: error.code, message: error.message }, error.headers);
}

export function declaredLength(req: IncomingMessage): number | undefined {
  const header = req.headers['content-length'];
  if (header === undefined) return undefined;
  const n = Number(header);
  if (!/^\d+$/.test(header) || !Number.isSafeInteger(n)) {
    throw new ServiceError('BAD_REQUEST', 'Content-Length is not a byte count');
  }
  return n;
}

/** Reads and parses a JSON body of at most `maxBytes`, within `timeoutMs`. */
export async function readJson(
  req: IncomingMessage,
  maxBytes: number,
  timeoutMs: number,
): Promise<unknown> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json') {
    throw new ServiceError(
      'UNSUPPORTED_MEDIA_TYPE',
      `send the body as Content-Type: application/json (got "${type || 'none'}")`,
    );
  }
  const length = declaredLength(req);
  if (length !== undefined && length > maxBytes) {
    throw new ServiceError(
      'BODY_TOO_LARGE',
      `the body is ${length} bytes; this service accepts at most ${maxBytes}: split the batch`,
    );
  }
  const chunks = await new Promise<Buffer[]>((resolve, reject) => {
    const out: Buffer[] = [];
    let size = 0;
    const done = (error?: ServiceError) => {
      clearTimeout(timer);
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      if (error) {
        // Stop reading; the error answer closes the connection (server.ts: request incomplete).
        req.pause();
        reject(error);
      } else resolve(out);
    };
    const timer = setTimeout(
      () =>
        done(
          new ServiceError(
            'REQUEST_TIMEOUT',
            `the request body did not arrive within ${timeoutMs} ms`,
          ),
        ),
      timeoutMs,
    );
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        done(
          new ServiceError(
            'BODY_TOO_LARGE',
            `the body exceeds ${maxBytes} bytes, the most this service accepts: split the batch`,
          ),
        );
      } else out.push(chunk);
    };
    const onEnd = () => done();
    const onError = (error: Error) =>
      done(new ServiceError('BAD_REQUEST', `the request body could not be read: ${error.message}`));
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
  let text: string;
  try {
    text = UTF8.decode(Buffer.concat(chunks));
  } catch {
    // Never rewrite what a client sent (to U+FFFD): what is stored must be what was signed.
    throw new ServiceError('BAD_REQUEST', 'the body is not valid UTF-8');
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ServiceError('BAD_REQUEST', 'the body is not valid JSON');
  }
}

/** Query parameter as a non-negative safe integer, or undefined when absent. */
export function intParam(params: URLSearchParams, name: string, min = 0): number | undefined {
  const text = params.get(name);
  if (text === null) return undefined;
  if (
    !/^(0|[1-9]\d{0,15})$/.test(text) ||
    !Number.isSafeInteger(Number(text)) ||
    Number(text) < min
  ) {
    throw new ServiceError(
      'BAD_REQUEST',
      `query parameter ${name}=${text} must be an integer >= ${min}`,
    );
  }
  return Number(text);
}
