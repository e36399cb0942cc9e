/**
 * Concurrency, overload and shutdown: many clients at once lose and duplicate nothing; overload
 * is answered with 429/503 + Retry-After before any work; a graceful shutdown answers every
 * append it accepted, and every acknowledged entry is in the log afterwards.
 */
import { connect } from 'node:net';
import path from 'node:path';
import { Ledger } from '@notarize/ledger';
import { assertion, digestOf, startHarness, type Harness } from './support/service-harness.ts';

describe('concurrent clients', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  it('32 clients x 8 appends: unique indexes, nothing lost, all verifiable', async () => {
    const start = (await (await h.client()).checkpoint()).size;
    const clients = await Promise.all(
      Array.from({ length: 32 }, () => h.client({ token: h.keys.pipeline })),
    );
    const results = await Promise.all(
      clients.map(async (c, i) => {
        const out = [];
        for (let j = 0; j < 8; j++) {
          const [r] = await c.append([assertion(digestOf(`load-${i}-${j}`))]);
          out.push(r!);
        }
        return out;
      }),
    );
    const indexes = results.flat().map((r) => r.index);
    expect(new Set(indexes).size).toBe(256);
    // Each commit the appends were grouped into ends with the map head the ledger appends.
    const commits = new Set(results.flat().map((r) => r.checkpoint.size));
    for (const r of results.flat()) expect(r.index).toBeLessThan(r.checkpoint.size - 1);
    const reader = await h.client();
    expect((await reader.checkpoint()).size).toBe(start + 256 + commits.size);
    for (const i of [0, 13, 31]) {
      const lookup = await reader.subject(digestOf(`load-${i}-7`));
      expect(lookup.entries.map((e) => e.index)).toEqual([results[i]![7]!.index]);
    }
  });
});

describe('overload', () => {
  it('answers 429 with Retry-After when too many entries wait, appending nothing', async () => {
    const h = await startHarness({ config: { limits: { maxQueuedEntries: 5 } } });
    try {
      const res = await fetch(`${h.url}/v1/entries`, {
        method: 'POST',
        headers: { authorization: `Bearer ${h.keys.qa}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          entries: Array.from({ length: 6 }, (_, i) => assertion(digestOf(`q${i}`))),
        }),
      });
      expect(res.status).toBe(429);
      expect(res.headers.get('retry-after')).toBe('1');
      expect(await res.json()).toMatchObject({ code: 'TOO_MANY_REQUESTS' });
      const client = await h.client({ token: h.keys.qa, retries: 1 });
      expect((await client.checkpoint()).size).toBe(0);
      await expect(
        client.append(Array.from({ length: 6 }, (_, i) => assertion(digestOf(`r${i}`)))),
      ).rejects.toMatchObject({ code: 'OVERLOADED', category: 'unavailable' });
    } finally {
      await h.close();
    }
  });

  it('answers 503 with Retry-After above the in-flight limit, then serves again', async () => {
    const h = await startHarness({ config: { limits: { maxInflightRequests: 1 } } });
    try {
      const body = JSON.stringify({ entries: [assertion(digestOf('slow'))] });
      const slow = await partialRequest(h.url, h.keys.qa, body);
      const busy = await fetch(`${h.url}/v1/info`);
      expect(busy.status).toBe(503);
      expect(busy.headers.get('retry-after')).toBe('1');
      expect(await busy.json()).toMatchObject({ code: 'OVERLOADED' });
      const reply = await slow.finish();
      expect(reply).toMatch(/^HTTP\/1\.1 201/);
      const client = await h.client();
      // The entry and its batch's map head.
      expect((await client.checkpoint()).size).toBe(2);
    } finally {
      await h.close();
    }
  });
});

/** Sends a POST's headers and half its body, so the request stays in flight until finish(). */
async function partialRequest(
  url: string,
  token: string,
  body: string,
): Promise<{ finish(): Promise<string> }> {
  const { port } = new URL(url);
  const socket = connect(Number(port), '127.0.0.1');
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  let data = '';
  socket.on('data', (d) => (data += d.toString()));
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  const half = Math.floor(body.length / 2);
  socket.write(
    `POST /v1/entries HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${token}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body.slice(0, half)}`,
  );
  await new Promise((r) => setTimeout(r, 50));
  return {
    async finish() {
      socket.write(body.slice(half));
      await closed;
      return data;
    },
  };
}

describe('graceful shutdown', () => {
  it('drains in-flight appends: the one in flight is acknowledged and durable; new ones are refused', async () => {
    const h = await startHarness();
    const body = JSON.stringify({ entries: [assertion(digestOf('drain'))] });
    const inflight = await partialRequest(h.url, h.keys.pipeline, body);
    const closing = h.service.close();
    const late = await fetch(`${h.url}/v1/info`).then(
      (r) => r.status,
      () => 0,
    );
    expect([0, 503]).toContain(late);
    const reply = await inflight.finish();
    await closing;
    expect(reply).toMatch(/^HTTP\/1\.1 201/);
    const ledger = await Ledger.open({ dir: h.dataDir, readOnly: true });
    try {
      // The entry and its batch's map head.
      expect(ledger.size).toBe(2);
      const found = await ledger.bySubject(digestOf('drain'));
      expect(found.entries).toHaveLength(1);
    } finally {
      await ledger.close();
      await h.dispatcher.close();
    }
  });
});

describe('limits', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ config: { limits: { requestTimeoutMs: 300, maxBlobBytes: 10 } } });
  });
  afterAll(() => h.close());

  it('answers a body that does not arrive in time with 408 and appends nothing', async () => {
    const body = JSON.stringify({ entries: [assertion(digestOf('slowpoke'))] });
    const slow = await partialRequest(h.url, h.keys.qa, body);
    await new Promise((r) => setTimeout(r, 400));
    const reply = await slow.finish();
    expect(reply).toMatch(/^HTTP\/1\.1 408/);
    expect(reply).toContain('REQUEST_TIMEOUT');
    expect((await (await h.client()).checkpoint()).size).toBe(0);
  });

  it('refuses blobs over the limit with 413, by Content-Length or while streaming, keeping nothing', async () => {
    const put = (body: BodyInit, headers: Record<string, string> = {}) =>
      fetch(`${h.url}/v1/blobs`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${h.keys.pipeline}`,
          'content-type': 'application/octet-stream',
          ...headers,
        },
        body,
        duplex: 'half',
      } as RequestInit);
    const declared = await put('x'.repeat(20));
    expect(declared.status).toBe(413);
    expect(await declared.json()).toMatchObject({ code: 'BLOB_TOO_LARGE' });
    const stream = new ReadableStream({
      start(controller) {
        for (let i = 0; i < 4; i++) controller.enqueue(new TextEncoder().encode('12345'));
        controller.close();
      },
    });
    const streamed = await put(stream);
    expect(streamed.status).toBe(413);
    const ok = await put('123456789');
    expect(ok.status).toBe(201);
    const { readdir } = await import('node:fs/promises');
    const path = await import('node:path');
    expect(await readdir(path.join(h.dataDir, 'blobs', 'sha256'))).toHaveLength(1);
    expect(await readdir(path.join(h.dataDir, 'blobs', 'tmp'))).toHaveLength(0);
  });
});

describe('idempotency across a restart', () => {
  it('a retry after the service restarted gets the first entries, not new ones', async () => {
    const first = await startHarness();
    const dataDir = first.dataDir;
    const body = JSON.stringify({ entries: [assertion(digestOf('restart'))] });
    const post = (h: Harness, key: string, b = body) =>
      fetch(`${h.url}/v1/entries`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${h.keys.pipeline}`,
          'content-type': 'application/json',
          'idempotency-key': key,
        },
        body: b,
      });
    const a = (await (await post(first, 'restart-1')).json()) as { receipts: { index: number }[] };
    await first.service.close();
    await first.dispatcher.close();
    const second = await startHarness({ dataDir });
    try {
      const again = await post(second, 'restart-1');
      expect(again.status).toBe(201);
      expect(again.headers.get('idempotency-replayed')).toBe('true');
      const b = (await again.json()) as { receipts: { index: number }[] };
      expect(b.receipts[0]!.index).toBe(a.receipts[0]!.index);
      const other = await post(
        second,
        'restart-1',
        JSON.stringify({ entries: [assertion(digestOf('x'))] }),
      );
      expect(other.status).toBe(409);
      // Still only the first entry and its batch's map head.
      expect((await (await second.client()).checkpoint()).size).toBe(2);
    } finally {
      await second.close();
      const { rm } = await import('node:fs/promises');
      await rm(path.dirname(dataDir), { recursive: true, force: true });
    }
  });
});
