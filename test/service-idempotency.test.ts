/**
 * Idempotency keys over HTTP are scoped by the caller's identity: two identities that happen to
 * send the same Idempotency-Key and body each get their own entry, recorded under their own
 * identity, and each one's retry replays only its own entry.
 */
import { assertion, digestOf, startHarness, type Harness } from './support/service-harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

interface Receipt {
  index: number;
  entry: { identity: { name: string; role: string } };
}

async function post(token: string, key: string, body: string) {
  const res = await fetch(`${h.url}/v1/entries`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      'idempotency-key': key,
    },
    body,
  });
  const json = (await res.json()) as { receipts: Receipt[] };
  return { status: res.status, replayed: res.headers.get('idempotency-replayed'), json };
}

const size = async () =>
  ((await (await fetch(`${h.url}/healthz`)).json()) as { size: number }).size;

describe('Idempotency-Key scope', () => {
  it('gives two identities with the same key and body an entry each, under their own name', async () => {
    const body = JSON.stringify({ entries: [assertion(digestOf('same-key-same-body'))] });
    const before = await size();
    const pipeline = await post(h.keys.pipeline, 'shared-key-1', body);
    const qa = await post(h.keys.qa, 'shared-key-1', body);
    expect([pipeline.status, qa.status]).toEqual([201, 201]);
    expect([pipeline.replayed, qa.replayed]).toEqual([null, null]);
    const [p] = pipeline.json.receipts;
    const [q] = qa.json.receipts;
    expect(p!.entry.identity).toMatchObject({ name: 'pipeline-bot', role: 'pipeline' });
    expect(q!.entry.identity).toMatchObject({ name: 'qa-bot', role: 'qa' });
    expect(q!.index).not.toBe(p!.index);
    // Two entries, each committed with its map head.
    expect(await size()).toBe(before + 4);

    // Each retry replays the caller's own entry, and appends nothing.
    const pipelineAgain = await post(h.keys.pipeline, 'shared-key-1', body);
    const qaAgain = await post(h.keys.qa, 'shared-key-1', body);
    expect([pipelineAgain.status, qaAgain.status]).toEqual([201, 201]);
    expect([pipelineAgain.replayed, qaAgain.replayed]).toEqual(['true', 'true']);
    expect(pipelineAgain.json.receipts[0]).toMatchObject({
      index: p!.index,
      entry: { identity: { name: 'pipeline-bot' } },
    });
    expect(qaAgain.json.receipts[0]).toMatchObject({
      index: q!.index,
      entry: { identity: { name: 'qa-bot' } },
    });
    expect(await size()).toBe(before + 4);
  });

  it("does not let one identity's key conflict with another's request", async () => {
    const first = JSON.stringify({ entries: [assertion(digestOf('scope-a'))] });
    const other = JSON.stringify({ entries: [assertion(digestOf('scope-b'))] });
    expect((await post(h.keys.scanner, 'shared-key-2', first)).status).toBe(201);
    // Same key, another body, another identity: a new request of its own, not a 409.
    const legal = await post(h.keys.legal, 'shared-key-2', other);
    expect(legal.status).toBe(201);
    expect(legal.replayed).toBeNull();
    expect(legal.json.receipts[0]!.entry.identity.name).toBe('legal-bot');
    // The same identity reusing its key for another body is still refused.
    expect((await post(h.keys.scanner, 'shared-key-2', other)).status).toBe(409);
  });
});
