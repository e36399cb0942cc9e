/**
 * A stand-in for a GitLab instance's file serving, on 127.0.0.1 (node:http), for `include:`:
 * - `GET /raw/<name>` answers the file `<name>` of a directory (what `include: remote` fetches);
 * - `/<group>/<project>.git/...` is git's smart HTTP protocol, served by `git http-backend` as a
 *   CGI (what gitlab-ci-local clones for `include: project`: a shallow, filtered clone).
 */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

export interface IncludeServer {
  /** e.g. http://127.0.0.1:40123 */
  url: string;
  /** Paths requested so far (to tell that an include really came from here). */
  requests: string[];
  close(): Promise<void>;
}

export interface IncludeServerOptions {
  /** Served under /raw/. */
  rawDir: string;
  /** Bare-or-not repositories served under /<group>/<project>.git, keyed by "group/project". */
  gitRepos?: Record<string, string>;
}

function serveRaw(rawDir: string, name: string, res: ServerResponse): void {
  const file = path.resolve(rawDir, name);
  if (!file.startsWith(rawDir + path.sep)) {
    res.writeHead(404).end();
    return;
  }
  readFile(file).then(
    (body) => res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end(body),
    () => res.writeHead(404).end(),
  );
}

/** Runs `git http-backend` for one request (RFC 3875 CGI: headers, blank line, body). */
function serveGit(repoDir: string, pathInfo: string, req: IncomingMessage, res: ServerResponse) {
  const url = new URL(req.url ?? '/', 'http://x');
  const cgi = spawn('git', ['http-backend'], {
    env: {
      PATH: process.env.PATH ?? '',
      GIT_PROJECT_ROOT: path.dirname(repoDir),
      GIT_HTTP_EXPORT_ALL: '1',
      PATH_INFO: `/${path.basename(repoDir)}${pathInfo}`,
      REQUEST_METHOD: req.method ?? 'GET',
      QUERY_STRING: url.search.slice(1),
      CONTENT_TYPE: req.headers['content-type'] ?? '',
      REMOTE_ADDR: '127.0.0.1',
      // Clients gzip large requests; http-backend inflates them when told so.
      HTTP_CONTENT_ENCODING: req.headers['content-encoding'] ?? '',
      ...(req.headers['content-length'] ? { CONTENT_LENGTH: req.headers['content-length'] } : {}),
      ...(req.headers['git-protocol'] ? { GIT_PROTOCOL: String(req.headers['git-protocol']) } : {}),
    },
    stdio: ['pipe', 'pipe', 'ignore'],
  });
  req.pipe(cgi.stdin);
  let head = Buffer.alloc(0);
  let headersDone = false;
  cgi.stdout.on('data', (chunk: Buffer) => {
    if (headersDone) {
      res.write(chunk);
      return;
    }
    head = Buffer.concat([head, chunk]);
    const end = head.indexOf('\r\n\r\n');
    if (end < 0) return;
    headersDone = true;
    let status = 200;
    for (const line of head.subarray(0, end).toString('latin1').split('\r\n')) {
      const colon = line.indexOf(':');
      const name = line.slice(0, colon).trim();
      const value = line.slice(colon + 1).trim();
      if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10);
      else res.setHeader(name, value);
    }
    res.writeHead(status);
    res.write(head.subarray(end + 4));
  });
  cgi.on('close', () => {
    if (!headersDone) res.writeHead(500);
    res.end();
  });
}

export async function startIncludeServer(options: IncludeServerOptions): Promise<IncludeServer> {
  const rawDir = path.resolve(options.rawDir);
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    const pathname = new URL(req.url ?? '/', 'http://x').pathname;
    requests.push(pathname);
    if (pathname.startsWith('/raw/')) {
      serveRaw(rawDir, decodeURIComponent(pathname.slice('/raw/'.length)), res);
      return;
    }
    const m = /^\/(.+?)\.git(\/.*)$/.exec(pathname);
    const repo = m ? options.gitRepos?.[m[1] as string] : undefined;
    if (m && repo) {
      serveGit(repo, m[2] as string, req, res);
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
