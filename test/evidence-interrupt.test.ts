/**
 * Interrupted and inconsistent evidence: blobs are uploaded before the entries are appended, so an
 * upload that fails halfway (file changed, connection aborted) appends nothing; the blobs it did
 * store are orphans that `verifyEvidenceBlobs` lists and can remove. And the store check finds a
 * missing blob and an entry whose recorded size is wrong.
 */
import { createHash, randomBytes } from 'node:crypto';
import { appendFile, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ciContext } from '@notarize/ci';
import { openLedgerClient, type LedgerClient } from '@notarize/client';
import { Ledger } from '@notarize/ledger';
import { buildEvidence, toLedgerEntry, type EntryDraft } from '@notarize/trust';
import { addEvidence, getEvidence } from '../packages/cli/src/operations/evidence.ts';
import { verifyEvidenceBlobsInDir } from '../packages/ledger/src/verify-blobs.ts';
import { startHarness, type Harness } from './support/service-harness.ts';

const sha256 = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const HOUR = 3600_000;

let dir: string;
let ledgerDir: string;
let embedded: LedgerClient;
let h: Harness;

async function list(d: string): Promise<string[]> {
  try {
    return (await readdir(d)).sort();
  } catch {
    return [];
  }
}

const ci = (jobId: string) => ciContext({ env: {}, cwd: '/work/app', overrides: { jobId } });

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'notarize-evidence-int-'));
  ledgerDir = path.join(dir, 'ledger');
  embedded = await openLedgerClient(`file:${ledgerDir}`, {
    identity: 'ci',
    statePath: false,
    env: {},
    notice: () => {},
  });
  h = await startHarness();
});

afterAll(async () => {
  await embedded.close();
  await h.close();
  await rm(dir, { recursive: true, force: true });
});

describe('an interrupted evidence add', () => {
  it('appends nothing when a file changes during its upload; the stored blob is an orphan', async () => {
    const first = randomBytes(1000);
    await writeFile(path.join(dir, 'first.log'), first);
    await writeFile(path.join(dir, 'growing.log'), 'line 1\n');
    const seed = await embedded.putBlob(new Uint8Array(0));
    await embedded.append([
      buildEvidence({
        ci: ci('seed'),
        file: { name: 'seed', mediaType: 'text/plain', size: 0, digest: seed.digest },
      }),
    ]);
    const before = (await embedded.checkpoint()).size;
    // Real client; the file grows after it was checked and before its bytes are read.
    const client: LedgerClient = Object.create(embedded, {
      putBlob: {
        value: async (body: AsyncIterable<Uint8Array>, options: object) => {
          await appendFile(path.join(dir, 'growing.log'), 'line 2, written during the upload\n');
          return embedded.putBlob(body, options);
        },
      },
    }) as LedgerClient;
    await expect(
      addEvidence({ client, files: ['first.log', 'growing.log'], cwd: dir, ci: ci('int-1') }),
    ).rejects.toMatchObject({ code: 'EVIDENCE_CHANGED', category: 'input' });
    expect((await embedded.checkpoint()).size).toBe(before);
    expect((await embedded.job('local', 'app', 'int-1')).entries).toEqual([]);

    const report = await verifyEvidenceBlobsInDir(ledgerDir);
    // Orphans are not a verification failure: they mean nothing in the ledger.
    expect(report.ok).toBe(true);
    expect(report.orphans.map((o) => o.digest)).toContain(sha256(first));
    expect(report.partials).toEqual([]);
  });

  it('removes orphans only when older than the grace period', async () => {
    const young = await verifyEvidenceBlobsInDir(ledgerDir, {
      removeOrphans: { olderThanMs: HOUR },
    });
    expect(young.orphans.length).toBeGreaterThan(0);
    expect(young.orphans.every((o) => !o.removed)).toBe(true);
    const later = () => Date.now() + 2 * HOUR;
    const old = await verifyEvidenceBlobsInDir(ledgerDir, {
      removeOrphans: { olderThanMs: HOUR },
      now: later,
    });
    expect(old.orphans.every((o) => o.removed)).toBe(true);
    const after = await verifyEvidenceBlobsInDir(ledgerDir);
    expect(after.orphans).toEqual([]);
    // The referenced (seed) blob stays.
    expect(after).toMatchObject({ ok: true, evidenceEntries: 1, blobs: 1 });
  });

  it('appends nothing when the upload to the service is aborted halfway', async () => {
    const client = await h.client({ token: h.keys.pipeline });
    const small = randomBytes(4096);
    const large = randomBytes(8 << 20);
    await writeFile(path.join(dir, 'small.bin'), small);
    await writeFile(path.join(dir, 'large.bin'), large);
    const before = (await client.checkpoint()).size;
    const abort = new AbortController();
    await expect(
      addEvidence({
        client,
        files: ['small.bin', 'large.bin'],
        cwd: dir,
        ci: ci('int-2'),
        signal: abort.signal,
        onProgress: (p) => {
          if (p.file === 'large.bin' && p.bytes >= 2 << 20)
            abort.abort(new Error('interrupted by the test'));
        },
      }),
    ).rejects.toThrow();
    expect((await client.checkpoint()).size).toBe(before);
    const blobs = path.join(h.dataDir, 'blobs');
    // The service drops the partial upload (asynchronously, when it sees the connection close).
    for (let i = 0; i < 50 && (await list(path.join(blobs, 'tmp'))).length > 0; i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(await list(path.join(blobs, 'tmp'))).toEqual([]);
    const stored = await list(path.join(blobs, 'sha256'));
    expect(stored).toContain(sha256(small).slice(7));
    expect(stored).not.toContain(sha256(large).slice(7));
    const report = await verifyEvidenceBlobsInDir(h.dataDir);
    expect(report.orphans.map((o) => o.digest)).toEqual([sha256(small)]);
  });
});

describe('the blob store check', () => {
  it('reports a missing blob and a wrong recorded size; get refuses both as verification failures (exit 20)', async () => {
    // Clients and the service refuse such entries now (BLOB_MISSING, ENTRY_INVALID); a ledger can
    // still hold them from before that check, or from a store someone edited: write them with the
    // engine directly.
    const legacyDir = path.join(dir, 'legacy-ledger');
    let legacy = await openLedgerClient(`file:${legacyDir}`, {
      identity: 'ci',
      statePath: false,
      env: {},
      notice: () => {},
    });
    const bytes = Buffer.from('twelve bytes');
    const { digest } = await legacy.putBlob(bytes);
    const lost = Buffer.from('this blob will be lost');
    const lostBlob = await legacy.putBlob(lost);
    await legacy.close();
    const engine = await Ledger.open({ dir: legacyDir });
    const record = (draft: EntryDraft) =>
      toLedgerEntry(draft, {
        identity: { name: 'ci', role: 'admin', auth: 'local' },
        time: new Date().toISOString(),
      });
    const lostFile = { name: 'b.log', mediaType: 'text/plain', size: lost.length };
    const [wrong, missing] = await engine.append([
      record(
        buildEvidence({
          ci: ci('int-3'),
          file: { name: 'a.log', mediaType: 'text/plain', size: 99, digest },
        }),
      ),
      record(buildEvidence({ ci: ci('int-3'), file: { ...lostFile, digest: lostBlob.digest } })),
      record(buildEvidence({ ci: ci('int-4'), file: { ...lostFile, digest: lostBlob.digest } })),
    ]);
    await engine.close();
    await rm(path.join(legacyDir, 'blobs', 'sha256', lostBlob.digest.slice(7)));
    const report = await verifyEvidenceBlobsInDir(legacyDir);
    expect(report.ok).toBe(false);
    expect(report.problems.map((p) => [p.code, p.digest, p.entries])).toEqual([
      ['BLOB_SIZE_MISMATCH', digest, [wrong!.index]],
      ['BLOB_MISSING', lostBlob.digest, [missing!.index, missing!.index + 1]],
    ]);
    expect(report.problems[1]!.message).toMatch(/upload it again/);

    legacy = await openLedgerClient(`file:${legacyDir}`, {
      identity: 'ci',
      statePath: false,
      env: {},
      notice: () => {},
    });
    const lostJob = { job: { provider: 'local', project: 'app', jobId: 'int-4' } };
    await expect(
      getEvidence({ client: legacy, query: lostJob, outDir: path.join(dir, 'out-lost') }),
    ).rejects.toMatchObject({ code: 'EVIDENCE_BLOB_MISSING', category: 'verification' });
    expect(await list(path.join(dir, 'out-lost'))).toEqual([]);

    const out = path.join(dir, 'out-size');
    await expect(
      getEvidence({
        client: legacy,
        query: { job: { provider: 'local', project: 'app', jobId: 'int-3' } },
        outDir: out,
      }),
    ).rejects.toMatchObject({ code: 'EVIDENCE_STORED_MISMATCH', category: 'verification' });
    await legacy.close();
  });
});
