import { sha256Digest } from '@notarize/trust';
import { LedgerClientError } from '@notarize/client';
import {
  assertion,
  digestOf,
  evidence,
  startHarness,
  type Harness,
} from './support/service-harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

describe('ledger service: appends and verified reads', () => {
  it('appends a batch and returns verified receipts with the principal as identity', async () => {
    const client = await h.client({ token: h.keys.pipeline });
    const d1 = digestOf('basic-1');
    const d2 = digestOf('basic-2');
    const receipts = await client.append([assertion(d1), assertion(d2, 'untrusted')]);
    expect(receipts).toHaveLength(2);
    expect(receipts[1]!.index).toBe(receipts[0]!.index + 1);
    expect(receipts[0]!.entry.identity).toMatchObject({
      name: 'pipeline-bot',
      role: 'pipeline',
      auth: 'apikey',
    });
    expect(receipts[0]!.tlogProof.startsWith('c2sp.org/tlog-proof@v1\n')).toBe(true);
    expect(receipts[0]!.checkpoint.size).toBeGreaterThanOrEqual(receipts[1]!.index + 1);

    const lookup = await client.subject(d2);
    expect(lookup.entries.map((e) => e.index)).toEqual([receipts[1]!.index]);
    expect(lookup.entries[0]!.entry.statement.predicate).toMatchObject({ status: 'untrusted' });
  });

  it('reads as of an older size, proved consistent with the latest checkpoint', async () => {
    const client = await h.client({ token: h.keys.qa });
    const d = digestOf('basic-at');
    const [first] = await client.append([assertion(d, 'trusted')]);
    const [second] = await client.append([assertion(d, 'untrusted')]);
    const now = await client.subject(d);
    expect(now.entries.map((e) => e.index)).toEqual([first!.index, second!.index]);
    // As of the first append's checkpoint: its entry, then the map head that closes its batch.
    expect(first!.checkpoint.size).toBe(first!.index + 2);
    const before = await client.subject(d, { at: first!.checkpoint.size });
    expect(before.tree.size).toBe(first!.index + 2);
    expect(before.entries.map((e) => e.index)).toEqual([first!.index]);
    const entry = await client.entry(first!.index, { at: second!.index });
    expect(entry.found.entry.statement.predicate).toMatchObject({ status: 'trusted' });
  });

  it('looks up a job and stores and returns blobs, verified', async () => {
    const client = await h.client({ token: h.keys.pipeline });
    const bytes = new TextEncoder().encode('log');
    const blobDigest = await sha256Digest(bytes);
    const put = await client.putBlob(bytes, { digest: blobDigest });
    expect(put).toEqual({ digest: blobDigest, size: 3, created: true });
    expect((await client.putBlob(bytes)).created).toBe(false);
    const d = digestOf('basic-job');
    await client.append([evidence(d, blobDigest, 'job-7')]);
    const job = await client.job('github', 'acme/widgets', 'job-7');
    expect(job.entries).toHaveLength(1);
    const got = await client.getBlob(blobDigest);
    const chunks: Uint8Array[] = [];
    for await (const c of got.body) chunks.push(c);
    expect(Buffer.concat(chunks).toString()).toBe('log');
  });

  it('serves the checkpoint and tiles that match the verified tree', async () => {
    const client = await h.client({ token: h.keys.auditor });
    const cp = await client.checkpoint();
    const res = await fetch(`${h.url}/checkpoint`);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await res.text()).toBe(cp.note);
    const tile = await fetch(`${h.url}/tile/0/000.p/${cp.size}`);
    expect(tile.status).toBe(200);
    expect((await tile.arrayBuffer()).byteLength).toBe(32 * cp.size);
    expect(tile.headers.get('cache-control')).not.toMatch(/immutable/);
    const beyond = await fetch(`${h.url}/tile/0/000`);
    expect(beyond.status).toBe(404);
    expect(await beyond.json()).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('refuses a role that may not assert a status, appending nothing', async () => {
    const client = await h.client({ token: h.keys.pm });
    const before = (await client.checkpoint()).size;
    await expect(client.append([assertion(digestOf('pm'), 'trusted')])).rejects.toMatchObject({
      code: 'FORBIDDEN',
      category: 'forbidden',
      status: 403,
    });
    expect((await client.checkpoint()).size).toBe(before);
    await expect(client.append([assertion(digestOf('pm'), 'unsupported')])).resolves.toHaveLength(
      1,
    );
  });

  it('replays an idempotent append instead of appending twice', async () => {
    const client = await h.client({ token: h.keys.scanner });
    const req = [assertion(digestOf('idem'), 'untrusted')];
    const a = await client.append(req, { idempotencyKey: 'k-1' });
    const b = await client.append(req, { idempotencyKey: 'k-1' });
    expect(b[0]!.index).toBe(a[0]!.index);
    await expect(
      client.append([assertion(digestOf('idem-other'))], { idempotencyKey: 'k-1' }),
    ).rejects.toBeInstanceOf(LedgerClientError);
  });
});
