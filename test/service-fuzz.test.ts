/**
 * Malformed and fuzzed requests (bounded, seeded): the service answers each with a 4xx JSON error
 * with a stable code, never a 5xx, never crashes, and writes nothing.
 */
import { connect } from 'node:net';
import { assertion, digestOf, startHarness, type Harness } from './support/service-harness.ts';

let h: Harness;
let initialSize: number;
beforeAll(async () => {
  h = await startHarness({ config: { limits: { maxBatchEntries: 10, maxBodyBytes: 200_000 } } });
  const client = await h.client({ token: h.keys.admin });
  await client.append([assertion(digestOf('fuzz-seed'))]);
  initialSize = (await client.checkpoint()).size;
});
afterAll(() => h.close());

/** Small deterministic PRNG (mulberry32) so a failure can be reproduced. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function send(
  method: string,
  path: string,
  body?: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: { code?: string; message?: string } }> {
  const res = await fetch(h.url + path, {
    method,
    headers: {
      authorization: `Bearer ${h.keys.admin}`,
      'content-type': 'application/json',
      ...headers,
    },
    ...(body !== undefined ? { body } : {}),
  });
  const text = await res.text();
  let json: object;
  try {
    json = JSON.parse(text) as object;
  } catch {
    json = { code: 'NOT_JSON', message: text };
  }
  return { status: res.status, json };
}

function expectClientError(r: { status: number; json: { code?: string } }): void {
  expect(r.status).toBeGreaterThanOrEqual(400);
  expect(r.status).toBeLessThan(500);
  expect(typeof r.json.code).toBe('string');
  expect(r.json.code).not.toBe('NOT_JSON');
}

function mutate(value: unknown, random: () => number, depth = 0): unknown {
  const pick = random();
  if (depth > 4 || pick < 0.15) {
    const junk = [null, 42, -1, 1e308, '', 'x'.repeat(300), [], {}, true, '\u0000', 'sha256:zz'];
    return junk[Math.floor(random() * junk.length)];
  }
  if (Array.isArray(value)) {
    const out = value.map((v) => (random() < 0.3 ? mutate(v, random, depth + 1) : v));
    if (random() < 0.2) out.push(mutate(undefined, random, depth + 1));
    if (random() < 0.2) out.pop();
    return out;
  }
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = { ...(value as Record<string, unknown>) };
    for (const k of Object.keys(out)) {
      const r = random();
      if (r < 0.15) delete out[k];
      else if (r < 0.4) out[k] = mutate(out[k], random, depth + 1);
    }
    if (random() < 0.1) out[`extra${Math.floor(random() * 10)}`] = 1;
    return out;
  }
  return mutate(undefined, random, depth + 1);
}

describe('malformed and fuzzed requests', () => {
  it('rejects structurally broken bodies and headers with stable 4xx codes', async () => {
    const cases: [string, string, string | undefined, Record<string, string>, string][] = [
      ['POST', '/v1/entries', 'not json', {}, 'BAD_REQUEST'],
      ['POST', '/v1/entries', '{"entries":[]}', {}, 'SCHEMA_INVALID'],
      ['POST', '/v1/entries', '{"entries":[{"kind":"assertion"}]}', {}, 'SCHEMA_INVALID'],
      ['POST', '/v1/entries', '{}', { 'content-type': 'text/plain' }, 'UNSUPPORTED_MEDIA_TYPE'],
      [
        'POST',
        '/v1/entries',
        JSON.stringify({ entries: [assertion(digestOf('i'))] }),
        { 'idempotency-key': 'bad key!' },
        'BAD_REQUEST',
      ],
      [
        'POST',
        '/v1/entries',
        JSON.stringify({ entries: Array(11).fill(assertion(digestOf('b'))) }),
        {},
        'BATCH_TOO_LARGE',
      ],
      [
        'POST',
        '/v1/entries',
        JSON.stringify({
          entries: [
            {
              ...assertion(digestOf('l')),
              statement: {
                ...assertion(digestOf('l')).statement,
                predicate: {
                  status: 'trusted',
                  reason: 'r'.repeat(4000),
                  metadata: Object.fromEntries(
                    Array.from({ length: 40 }, (_, i) => [`k${i}`, 'v'.repeat(2000)]),
                  ),
                },
              },
            },
          ],
        }),
        {},
        'ENTRY_TOO_LARGE',
      ],
      ['POST', '/v1/entries', 'x'.repeat(250_000), {}, 'BODY_TOO_LARGE'],
      ['POST', '/v1/revocations', '{"identity":""}', {}, 'SCHEMA_INVALID'],
      ['GET', '/v1/entries/abc', undefined, {}, 'BAD_REQUEST'],
      ['GET', '/v1/entries/99999999999999999999', undefined, {}, 'BAD_REQUEST'],
      ['GET', '/v1/entries/999999', undefined, {}, 'NOT_FOUND'],
      ['GET', '/v1/subjects/sha256:XYZ', undefined, {}, 'BAD_REQUEST'],
      ['GET', `/v1/subjects/${digestOf('q')}?at=0`, undefined, {}, 'BAD_REQUEST'],
      ['GET', `/v1/subjects/${digestOf('q')}?at=999999`, undefined, {}, 'AT_OUT_OF_RANGE'],
      ['GET', `/v1/subjects/${digestOf('q')}?known=-1`, undefined, {}, 'BAD_REQUEST'],
      ['GET', '/v1/jobs?provider=github', undefined, {}, 'BAD_REQUEST'],
      ['GET', '/v1/proofs/consistency?from=5&to=2', undefined, {}, 'AT_OUT_OF_RANGE'],
      ['GET', '/tile/0/x1/2', undefined, {}, 'BAD_REQUEST'],
      ['GET', '/tile/99/000', undefined, {}, 'BAD_REQUEST'],
      ['GET', '/tile/entries/001.p/0', undefined, {}, 'BAD_REQUEST'],
      ['DELETE', '/v1/entries', undefined, {}, 'METHOD_NOT_ALLOWED'],
      ['GET', '/v2/anything', undefined, {}, 'NOT_FOUND'],
      [
        'PUT',
        '/v1/blobs/sha256:nothex',
        'x',
        { 'content-type': 'application/octet-stream' },
        'BAD_REQUEST',
      ],
      [
        'PUT',
        `/v1/blobs/${digestOf('blob')}`,
        'abc',
        { 'content-type': 'application/octet-stream' },
        'DIGEST_MISMATCH',
      ],
      ['GET', `/v1/blobs/${digestOf('none')}`, undefined, {}, 'NOT_FOUND'],
    ];
    for (const [method, path, body, headers, code] of cases) {
      const r = await send(method, path, body, headers);
      expectClientError(r);
      expect([path, r.json.code]).toEqual([path, code]);
    }
  });

  it('survives 300 seeded mutations of a valid append without a 5xx or a write', async () => {
    const random = rng(20261123);
    const valid = {
      entries: [
        assertion(digestOf('fuzz'), 'trusted', { provider: 'github', project: 'a/b', jobId: '1' }),
      ],
    };
    let accepted = 0;
    for (let i = 0; i < 300; i++) {
      const body = mutate(valid, random);
      const r = await send('POST', '/v1/entries', JSON.stringify(body));
      expect(r.status).toBeLessThan(500);
      if (r.status === 201) accepted++;
      else expectClientError(r);
    }
    const info = await send('GET', '/healthz');
    expect(info.status).toBe(200);
    // Only mutations that still form a valid request may append (e.g. a dropped optional member);
    // each accepted one appended its entry and the map head that closes its batch.
    expect((info.json as { size: number }).size).toBe(initialSize + 2 * accepted);
  });

  it('answers garbage on the socket with 400 and keeps serving', async () => {
    const port = Number(new URL(h.url).port);
    const reply = await new Promise<string>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => socket.write('\x16\x03\x01 garbage\r\n\r\n'));
      let data = '';
      socket.on('data', (d) => (data += d.toString()));
      socket.on('close', () => resolve(data));
      socket.on('error', () => resolve(data));
    });
    expect(reply).toMatch(/^HTTP\/1\.1 400/);
    expect((await send('GET', '/healthz')).status).toBe(200);
  });

  it('refuses unauthenticated writes before reading their bodies', async () => {
    const r = await send('POST', '/v1/entries', '{}', { authorization: '' });
    expect(r.status).toBe(401);
    const m = await send('POST', '/v1/entries', '{}', { authorization: 'Basic abc' });
    expect(m.status).toBe(401);
  });
});
