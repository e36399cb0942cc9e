/**
 * The witness over HTTP (C2SP tlog-witness; the submission prefix is the root):
 *   POST /add-checkpoint   200 cosignature lines | 400 | 403 | 404 | 409 (text/x.tlog.size) | 422
 *   GET  /healthz          200 "ok"
 *   GET  /metrics          Prometheus text
 * Bodies are bounded; every refusal is a WitnessError with the spec's status, never a 500 for a
 * client's mistake. Logs are JSON lines with fields, never request bodies.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, Gauge, Histogram } from '@notarize/server/service';
import { WitnessError } from './errors.ts';
import type { Witness } from './witness.ts';

/** 63 proof lines and a checkpoint with its signatures fit easily. */
export const MAX_BODY_BYTES = 64 * 1024;

export type WitnessLog = (
  level: 'info' | 'warn' | 'error',
  msg: string,
  fields?: Record<string, unknown>,
) => void;

export class WitnessMetrics {
  readonly requests = new Counter(
    'notarize_witness_requests_total',
    'add-checkpoint requests by status.',
  );
  readonly latency = new Histogram(
    'notarize_witness_request_duration_seconds',
    'add-checkpoint latency.',
    [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  );
  readonly forks = new Counter('notarize_witness_forks_total', 'Forks detected (evidence kept).');
  readonly #gauges: Gauge[];
  constructor(logs: () => number) {
    this.#gauges = [new Gauge('notarize_witness_logs', 'Logs this witness follows.', logs)];
  }
  render(): string {
    const all = [this.requests, this.latency, this.forks, ...this.#gauges];
    return `${all.flatMap((m) => m.render()).join('\n')}\n`;
  }
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, {
    'content-type': type,
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
  });
  res.end(body);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > MAX_BODY_BYTES) {
    throw new WitnessError('TOO_LARGE', `request bodies are limited to ${MAX_BODY_BYTES} bytes`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) {
      throw new WitnessError('TOO_LARGE', `request bodies are limited to ${MAX_BODY_BYTES} bytes`);
    }
    chunks.push(chunk);
  }
  const bytes = Buffer.concat(chunks);
  const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  if (!Buffer.from(text, 'utf8').equals(bytes)) {
    throw new WitnessError('BODY_MALFORMED', 'the request body is not valid UTF-8');
  }
  return text;
}

export interface StartedWitness {
  server: Server;
  url: string;
  close(): Promise<void>;
}

export function witnessHandler(
  witness: Witness,
  metrics: WitnessMetrics,
  log: WitnessLog,
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const url = new URL(req.url ?? '/', 'http://witness');
    const route = url.pathname;
    if (route === '/healthz' || route === '/metrics') {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        send(res, 405, 'text/plain; charset=utf-8', 'use GET\n');
        return;
      }
      if (route === '/healthz') send(res, 200, 'text/plain; charset=utf-8', 'ok\n');
      else send(res, 200, 'text/plain; version=0.0.4', metrics.render());
      return;
    }
    if (route !== '/add-checkpoint') {
      send(
        res,
        404,
        'text/plain; charset=utf-8',
        'not found: the witness serves POST /add-checkpoint\n',
      );
      return;
    }
    if (req.method !== 'POST') {
      res.setHeader('allow', 'POST');
      send(res, 405, 'text/plain; charset=utf-8', 'add-checkpoint takes POST\n');
      return;
    }
    const started = process.hrtime.bigint();
    void (async () => {
      let status = 200;
      try {
        const lines = await witness.addCheckpoint(await readBody(req));
        send(res, 200, 'text/plain; charset=utf-8', lines);
      } catch (error) {
        if (!(error instanceof WitnessError)) {
          status = 500;
          log('error', 'add-checkpoint failed', { error: String(error) });
          send(res, 500, 'text/plain; charset=utf-8', 'INTERNAL: internal error\n');
          return;
        }
        status = error.status;
        log('info', 'add-checkpoint refused', { status, code: error.code, message: error.message });
        if (error.code === 'OLD_SIZE_STALE') {
          send(res, 409, 'text/x.tlog.size', `${error.witnessSize}\n`);
        } else {
          send(res, status, 'text/plain; charset=utf-8', `${error.code}: ${error.message}\n`);
        }
      } finally {
        metrics.requests.inc({ status: String(status) });
        metrics.latency.observe(Number(process.hrtime.bigint() - started) / 1e9);
      }
    })();
  };
}

/** Listens on host:port (port 0: any free port) and serves the witness. */
export async function startWitnessServer(
  witness: Witness,
  metrics: WitnessMetrics,
  listen: { host: string; port: number },
  log: WitnessLog,
): Promise<StartedWitness> {
  const server = createServer(witnessHandler(witness, metrics, log));
  server.keepAliveTimeout = 65_000;
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port, listen.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    server,
    url: `http://${host}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        // Keep-alive clients may hold connections open: give answers in flight a second.
        setTimeout(() => server.closeAllConnections(), 1000).unref();
      }),
  };
}
