/**
 * A lying ledger for tests: an HTTP proxy in front of a real service that can rewrite any JSON
 * answer (alter an entry, a proof, the checkpoint) or answer by itself (deny an entry). Counts the
 * requests it forwards so tests can check that a failed verification is not retried.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type JsonRewrite = (path: string, body: Record<string, unknown>) => Record<string, unknown>;

export interface TamperProxy {
  url: string;
  /** Rewrites JSON answers while set. */
  rewrite: JsonRewrite | undefined;
  /** Answers matching paths itself with this status and body while set. */
  intercept: ((path: string) => { status: number; body: unknown } | undefined) | undefined;
  hits: { path: string; method: string }[];
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

export async function startTamperProxy(upstream: string): Promise<TamperProxy> {
  const proxy: TamperProxy = {
    url: '',
    rewrite: undefined,
    intercept: undefined,
    hits: [],
    close: async () => {},
  };
  const server: Server = createServer((req, res) => {
    void (async () => {
      const path = req.url ?? '/';
      proxy.hits.push({ path, method: req.method ?? 'GET' });
      const own = proxy.intercept?.(path);
      if (own) {
        const text = JSON.stringify(own.body);
        res.writeHead(own.status, { 'content-type': 'application/json' });
        res.end(text);
        return;
      }
      const body = await readBody(req);
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) {
        if (typeof v === 'string' && !['host', 'connection', 'content-length'].includes(k))
          headers[k] = v;
      }
      const upstreamRes = await fetch(upstream + path, {
        method: req.method ?? 'GET',
        headers,
        ...(body.length > 0 ? { body: new Uint8Array(body) } : {}),
      });
      let out = Buffer.from(await upstreamRes.arrayBuffer());
      const type = upstreamRes.headers.get('content-type') ?? '';
      if (proxy.rewrite && type.startsWith('application/json') && upstreamRes.ok) {
        const json = JSON.parse(out.toString('utf8')) as Record<string, unknown>;
        out = Buffer.from(JSON.stringify(proxy.rewrite(path, json)));
      }
      res.writeHead(upstreamRes.status, { 'content-type': type, 'content-length': out.length });
      res.end(out);
    })().catch((error: unknown) => {
      res.writeHead(502, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ code: 'PROXY', message: String(error) }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  proxy.url = `http://127.0.0.1:${port}`;
  proxy.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return proxy;
}
