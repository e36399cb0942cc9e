import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createLedgerDispatcher } from '../dispatcher.ts';
import { HttpTransport } from '../http-transport.ts';
import { FileStateStore } from '../state.ts';

let server: Server;
let base: URL;
let script:
  | ((hit: number, method: string) => { status: number; body?: string; delayMs?: number })
  | undefined;
let hits: { method: string; key?: string }[] = [];
const dispatcher = createLedgerDispatcher();

beforeAll(async () => {
  server = createServer((req, res) => {
    hits.push({
      method: req.method ?? '',
      key: req.headers['idempotency-key'] as string | undefined,
    });
    req.resume();
    req.on('end', () => {
      const answer = script?.(hits.length, req.method ?? '') ?? { status: 200, body: '{}' };
      setTimeout(() => {
        res.writeHead(answer.status, { 'content-type': 'application/json', 'retry-after': '0' });
        res.end(answer.body ?? JSON.stringify({ code: 'X', message: 'scripted' }));
      }, answer.delayMs ?? 0);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
});
afterAll(async () => {
  await dispatcher.close();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});
beforeEach(() => {
  hits = [];
  script = undefined;
});

const transport = (options: Partial<{ retries: number; timeoutMs: number }> = {}) =>
  new HttpTransport(base, {
    dispatcher,
    timeoutMs: options.timeoutMs ?? 2000,
    retries: options.retries ?? 3,
    retryBaseMs: 1,
    notice: () => {},
  });

describe('HttpTransport', () => {
  it('retries 503 and 429 with backoff until success', async () => {
    script = (n) =>
      n < 3 ? { status: n === 1 ? 503 : 429 } : { status: 200, body: '{"ok":true}' };
    const { value } = await transport().json({ method: 'GET', path: 'v1/info', retryable: true });
    expect(value).toEqual({ ok: true });
    expect(hits).toHaveLength(3);
  });

  it('retries a POST only when it is retryable (idempotency key), with the same key', async () => {
    script = (n) => (n === 1 ? { status: 502 } : { status: 201, body: '{}' });
    await transport().json({
      method: 'POST',
      path: 'v1/entries',
      json: {},
      headers: { 'idempotency-key': 'abc' },
      retryable: true,
    });
    expect(hits.map((h) => h.key)).toEqual(['abc', 'abc']);
    hits = [];
    await expect(
      transport().json({ method: 'POST', path: 'v1/entries', json: {}, retryable: false }),
    ).rejects.toMatchObject({ code: 'SERVER_ERROR', category: 'unavailable', status: 502 });
    expect(hits).toHaveLength(1);
  });

  it('does not retry a client error and maps it to a typed error', async () => {
    script = () => ({
      status: 403,
      body: JSON.stringify({ code: 'READ_ONLY', message: 'read-only' }),
    });
    await expect(
      transport().json({ method: 'GET', path: 'x', retryable: true }),
    ).rejects.toMatchObject({
      code: 'READ_ONLY',
      category: 'forbidden',
      serviceCode: 'READ_ONLY',
    });
    expect(hits).toHaveLength(1);
  });

  it('gives up after the retries with OVERLOADED', async () => {
    script = () => ({ status: 503 });
    await expect(
      transport({ retries: 2 }).json({ method: 'GET', path: 'x', retryable: true }),
    ).rejects.toMatchObject({ code: 'OVERLOADED', category: 'unavailable' });
    expect(hits).toHaveLength(3);
  });

  it('times out a slow answer and reports an unreachable host', async () => {
    // undici's timers are coarse (fast timers), so the answer comes well after the timeout.
    script = () => ({ status: 200, delayMs: 1500 });
    await expect(
      transport({ retries: 0, timeoutMs: 100 }).json({ method: 'GET', path: 'x', retryable: true }),
    ).rejects.toMatchObject({ code: 'TIMEOUT', category: 'unavailable' });
    const dead = new HttpTransport(new URL('http://127.0.0.1:1/'), {
      dispatcher,
      timeoutMs: 500,
      retries: 1,
      retryBaseMs: 1,
      notice: () => {},
    });
    await expect(dead.json({ method: 'GET', path: 'x', retryable: true })).rejects.toMatchObject({
      code: 'UNREACHABLE',
      category: 'unavailable',
    });
  });
});

describe('FileStateStore', () => {
  it('never moves back and detects a fork recorded by another process', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'state-'));
    try {
      const file = path.join(dir, 'nested', 'state.json');
      const a = new FileStateStore(file);
      const b = new FileStateStore(file);
      const cp = (size: number, root: string) => ({
        origin: 'o',
        size,
        root,
        note: 'n',
        recorded: 'now',
      });
      await a.advance('k', cp(5, 'AAA='));
      await b.advance('k', cp(3, 'BBB='));
      expect((await a.trusted('k'))?.size).toBe(5);
      await expect(b.advance('k', cp(5, 'CCC='))).rejects.toMatchObject({
        code: 'FORK',
        category: 'verification',
      });
      await a.pin('http://x', 'vkey');
      expect(await b.pinnedKey('http://x')).toBe('vkey');
      expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({ version: 1 });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
