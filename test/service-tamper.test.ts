/**
 * A lying service (a tampering proxy in front of a real one) is caught by the verifying client:
 * altered entries, wrong proofs, rolled-back, forked or foreign-signed checkpoints, hidden
 * entries, altered blobs. Every failure is category 'verification' and is not retried.
 */
import { readFile, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  formatCheckpoint,
  generateNoteKey,
  noteSignerFromSkey,
  parseCheckpoint,
  parseNote,
  signNote,
} from '@notarize/tlog';
import { openLedgerClient, type LedgerClient, type LedgerClientError } from '@notarize/client';
import { sha256Digest } from '@notarize/trust';
import { notarizeCli } from './support/cli.ts';
import { assertion, digestOf, startHarness, type Harness } from './support/service-harness.ts';
import { startTamperProxy, type TamperProxy } from './support/service-tamper-proxy.ts';

let h: Harness;
let proxy: TamperProxy;
let tmp: string;
const digest = digestOf('tamper-subject');
let writer: LedgerClient;

beforeAll(async () => {
  h = await startHarness();
  proxy = await startTamperProxy(h.url);
  tmp = await mkdtemp(path.join(os.tmpdir(), 'tamper-'));
  writer = await h.client({ token: h.keys.pipeline });
  await writer.append([assertion(digest, 'trusted'), assertion(digestOf('other'), 'trusted')]);
  await writer.append([assertion(digest, 'untrusted')]);
});
afterAll(async () => {
  await proxy.close();
  await h.close();
  await rm(tmp, { recursive: true, force: true });
});
afterEach(() => {
  proxy.rewrite = undefined;
  proxy.intercept = undefined;
});

let n = 0;
async function viaProxy(statePath?: string): Promise<LedgerClient> {
  return openLedgerClient(proxy.url, {
    vkey: h.vkey,
    statePath: statePath ?? path.join(tmp, `state-${n++}.json`),
    dispatcher: h.dispatcher,
    env: {},
    retries: 3,
    retryBaseMs: 5,
    notice: () => {},
  });
}

async function expectVerification(p: Promise<unknown>, code: string): Promise<LedgerClientError> {
  const error = (await p.then(
    () => undefined,
    (e: unknown) => e,
  )) as LedgerClientError | undefined;
  expect(error).toBeDefined();
  expect({ code: error!.code, category: error!.category }).toEqual({
    code,
    category: 'verification',
  });
  return error!;
}

type Bundle = {
  checkpoint: string;
  entries: { entry: { statement: { predicate: { status: string } } }; proof: string[] }[];
};

describe('verifying client against a lying service', () => {
  it('reads honestly through the proxy (control)', async () => {
    const client = await viaProxy();
    const result = await client.subject(digest);
    expect(result.entries).toHaveLength(2);
    await client.close();
  });

  it('catches an altered entry and does not retry', async () => {
    const client = await viaProxy();
    proxy.rewrite = (p, body) => {
      if (p.startsWith('/v1/subjects/')) {
        (body as unknown as Bundle).entries[0]!.entry.statement.predicate.status = 'untrusted';
      }
      return body;
    };
    const before = proxy.hits.length;
    await expectVerification(client.subject(digest), 'INCLUSION_FAILED');
    expect(proxy.hits.slice(before).filter((x) => x.path.startsWith('/v1/subjects/'))).toHaveLength(
      1,
    );
    await client.close();
  });

  it('catches a wrong inclusion proof', async () => {
    const client = await viaProxy();
    proxy.rewrite = (p, body) => {
      if (p.startsWith('/v1/subjects/')) {
        const e = (body as unknown as Bundle).entries[1]!;
        e.proof[0] = Buffer.alloc(32, 7).toString('base64');
      }
      return body;
    };
    await expectVerification(client.subject(digest), 'INCLUSION_FAILED');
    await client.close();
  });

  it('catches a proof with an element too many (exact lengths only)', async () => {
    const client = await viaProxy();
    proxy.rewrite = (p, body) => {
      if (p.startsWith('/v1/subjects/')) {
        const e = (body as unknown as Bundle).entries[0]!;
        e.proof.push(Buffer.alloc(32, 1).toString('base64'));
      }
      return body;
    };
    await expectVerification(client.subject(digest), 'INCLUSION_FAILED');
    await client.close();
  });

  it('refuses a rolled-back checkpoint after having seen a newer one (state file)', async () => {
    const statePath = path.join(tmp, 'rollback.json');
    const old = await viaProxy(statePath);
    const oldNote = (await old.checkpoint()).note;
    await old.close();
    await writer.append([assertion(digestOf('rollback-grow'))]);
    const fresh = await viaProxy(statePath);
    await fresh.checkpoint(); // advances the trusted state
    await fresh.close();
    const victim = await viaProxy(statePath);
    proxy.rewrite = (p, body) => {
      if (p.startsWith('/v1/checkpoint')) return { ...body, checkpoint: oldNote };
      return body;
    };
    await expectVerification(victim.checkpoint(), 'ROLLBACK');
    await victim.close();
  });

  it('refuses a forked checkpoint: same size, another root, validly signed', async () => {
    const statePath = path.join(tmp, 'fork.json');
    const client = await viaProxy(statePath);
    const cp = await client.checkpoint();
    const skey = (await readFile(path.join(h.dataDir, 'ledger.key'), 'utf8')).trim();
    const forged = signNote(
      formatCheckpoint({
        origin: cp.origin,
        size: cp.size,
        root: new Uint8Array(32).fill(9),
        extensions: [],
      }),
      noteSignerFromSkey(skey),
    );
    proxy.rewrite = (p, body) =>
      p.startsWith('/v1/checkpoint') ? { ...body, checkpoint: forged } : body;
    await expectVerification(client.checkpoint(), 'FORK');
    await client.close();
  });

  it('refuses a larger tree that is not consistent with the trusted one', async () => {
    const statePath = path.join(tmp, 'inconsistent.json');
    const client = await viaProxy(statePath);
    const cp = await client.checkpoint();
    const skey = (await readFile(path.join(h.dataDir, 'ledger.key'), 'utf8')).trim();
    const forged = signNote(
      formatCheckpoint({
        origin: cp.origin,
        size: cp.size + 5,
        root: new Uint8Array(32).fill(3),
        extensions: [],
      }),
      noteSignerFromSkey(skey),
    );
    proxy.rewrite = (p, body) =>
      p.startsWith('/v1/checkpoint') ? { ...body, checkpoint: forged } : body;
    proxy.intercept = (p) =>
      p.startsWith('/v1/proofs/consistency')
        ? {
            status: 200,
            body: { from: cp.size, to: cp.size + 5, proof: [Buffer.alloc(32).toString('base64')] },
          }
        : undefined;
    await expectVerification(client.checkpoint(), 'CONSISTENCY_FAILED');
    await client.close();
  });

  it('refuses a checkpoint signed by another key', async () => {
    const client = await viaProxy();
    const real = (await (await fetch(`${h.url}/v1/checkpoint`)).json()) as { checkpoint: string };
    const other = generateNoteKey(parseCheckpoint(parseNote(real.checkpoint).text).origin);
    const resigned = signNote(parseNote(real.checkpoint).text, noteSignerFromSkey(other.skey));
    proxy.rewrite = (p, body) =>
      p.startsWith('/v1/checkpoint') ? { ...body, checkpoint: resigned } : body;
    await expectVerification(client.checkpoint(), 'CHECKPOINT_SIGNATURE');
    await client.close();
  });

  it('refuses a forged root under a signature line copied from a genuine note (exit 20)', async () => {
    // Pinned key's name and id, genuine signature bytes, but for another text: only the Ed25519
    // check itself can refuse it.
    const forge = (note: string): string => {
      const { text } = parseNote(note);
      const cp = parseCheckpoint(text);
      const forgedText = formatCheckpoint({ ...cp, root: new Uint8Array(32).fill(0xee) });
      return `${forgedText}\n${note.slice(note.indexOf('\n\n') + 2)}`;
    };
    proxy.rewrite = (_p, body) =>
      typeof body.checkpoint === 'string' ? { ...body, checkpoint: forge(body.checkpoint) } : body;
    const client = await viaProxy();
    await expectVerification(client.checkpoint(), 'CHECKPOINT_SIGNATURE');
    await expectVerification(client.subject(digest), 'CHECKPOINT_SIGNATURE');
    await client.close();
    const run = await notarizeCli(['status', digest, '--json'], {
      cwd: tmp,
      env: {
        NOTARIZE_LEDGER: proxy.url,
        NOTARIZE_LEDGER_KEY: h.vkey,
        NOTARIZE_STATE: path.join(tmp, 'forged-signature-state.json'),
      },
    });
    expect(run.code).toBe(20);
    expect(run.stderr).toMatch(/CHECKPOINT_SIGNATURE/);
  });

  it('catches a hidden entry: an index the signed tree holds is denied', async () => {
    const client = await viaProxy();
    proxy.intercept = (p) =>
      p.startsWith('/v1/entries/0')
        ? { status: 404, body: { code: 'NOT_FOUND', message: 'no such entry' } }
        : undefined;
    await expectVerification(client.entry(0), 'ENTRY_MISSING');
    await client.close();
  });

  it('catches an unrelated entry passed off as an answer to a lookup', async () => {
    const client = await viaProxy();
    const otherEntry = (await (
      await fetch(`${h.url}/v1/subjects/${digestOf('other')}`)
    ).json()) as Bundle;
    proxy.rewrite = (p, body) => {
      if (p.startsWith('/v1/subjects/')) (body as unknown as Bundle).entries = otherEntry.entries;
      return body;
    };
    await expectVerification(client.subject(digest), 'ENTRY_MISMATCH');
    await client.close();
  });

  it('catches a receipt for something else than what was appended', async () => {
    const client = await viaProxy();
    proxy.rewrite = (p, body) => {
      if (p.startsWith('/v1/entries?')) {
        const receipts = body.receipts as unknown[];
        return { ...body, receipts: receipts.reverse() };
      }
      return body;
    };
    const tokenClient = await openLedgerClient(proxy.url, {
      vkey: h.vkey,
      statePath: false,
      dispatcher: h.dispatcher,
      token: h.keys.pipeline,
      env: {},
      notice: () => {},
    });
    await expectVerification(
      tokenClient.append([assertion(digestOf('r1')), assertion(digestOf('r2'))]),
      'RECEIPT_MISMATCH',
    );
    await tokenClient.close();
    await client.close();
  });

  it('catches an altered blob on download', async () => {
    const bytes = new TextEncoder().encode('the real log');
    const blobDigest = await sha256Digest(bytes);
    await writer.putBlob(bytes, { digest: blobDigest });
    const { writeFile } = await import('node:fs/promises');
    await writeFile(path.join(h.dataDir, 'blobs', 'sha256', blobDigest.slice(7)), 'the fake log');
    const client = await viaProxy();
    const got = await client.getBlob(blobDigest);
    const drain = async () => {
      for await (const _ of got.body) void _;
    };
    await expectVerification(drain(), 'BLOB_DIGEST_MISMATCH');
    await client.close();
  });
});
