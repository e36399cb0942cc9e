/**
 * The `file:` ledger client: same interface, same verification as over HTTP; roles from the
 * ledger directory's config.yaml; a store altered on disk is caught.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { generateNoteKey } from '@notarize/tlog';
import { buildAssertion, sha256Digest } from '@notarize/trust';
import { openLedgerClient, type LedgerClient, type LedgerClientOptions } from '../index.ts';

let tmp: string;
beforeEach(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'embedded-'));
});
afterEach(async () => {
  await rm(tmp, { recursive: true, force: true });
});

const digest = (n: number) => `sha256:${n.toString(16).padStart(64, '0')}`;
const trust = (d: string, status = 'trusted') =>
  buildAssertion({ subjects: [{ name: 'a', digest: d }], status, reason: 'r' });

async function open(options: LedgerClientOptions = {}): Promise<LedgerClient> {
  return openLedgerClient(`file:${path.join(tmp, 'ledger')}`, {
    statePath: path.join(tmp, 'state.json'),
    env: {},
    notice: () => {},
    ...options,
  });
}

describe('EmbeddedLedgerClient', () => {
  it('appends as --as NAME and reads verified, including as of an older size', async () => {
    const client = await open({ identity: 'alice' });
    try {
      const [a] = await client.append([trust(digest(1))]);
      const [b] = await client.append([trust(digest(1), 'untrusted')]);
      expect(a!.entry.identity).toEqual({ name: 'alice', role: 'admin', auth: 'local' });
      const now = await client.subject(digest(1));
      expect(now.entries.map((e) => e.index)).toEqual([a!.index, b!.index]);
      // Each append is one batch, closed by its map head: a at 0, b at 2, size 4.
      expect(a!.checkpoint.size).toBe(2);
      const then = await client.subject(digest(1), { at: a!.checkpoint.size });
      expect(then.entries.map((e) => e.index)).toEqual([a!.index]);
      const info = await client.info();
      expect(info).toMatchObject({ transport: 'file', readOnly: false });
      expect(info.checkpoint.size).toBe(4);
    } finally {
      await client.close();
    }
  });

  it('refuses writes without an identity, and what the role of config.yaml forbids', async () => {
    const dir = path.join(tmp, 'ledger');
    const first = await open();
    await expect(first.append([trust(digest(2))])).rejects.toMatchObject({
      code: 'ARGUMENT_INVALID',
    });
    await first.close();
    await writeFile(path.join(dir, 'config.yaml'), 'identities:\n  pm-person: {role: pm}\n');
    const pm = await open({ identity: 'pm-person' });
    try {
      await expect(pm.append([trust(digest(2))])).rejects.toMatchObject({ category: 'forbidden' });
      await expect(pm.append([trust(digest(2), 'unsupported')])).resolves.toHaveLength(1);
    } finally {
      await pm.close();
    }
    const stranger = await open({ identity: 'mallory' });
    await expect(stranger.append([trust(digest(2))])).rejects.toMatchObject({
      category: 'forbidden',
    });
    await stranger.close();
  });

  it('stores blobs content-addressed and verifies them on read', async () => {
    const client = await open({ identity: 'alice' });
    try {
      const bytes = new TextEncoder().encode('sbom');
      const d = await sha256Digest(bytes);
      expect(await client.putBlob(bytes)).toEqual({ digest: d, size: 4, created: true });
      await expect(client.putBlob(bytes, { digest: digest(9) })).rejects.toMatchObject({
        code: 'BLOB_DIGEST_MISMATCH',
      });
      const got = await client.getBlob(d);
      let text = '';
      for await (const c of got.body) text += Buffer.from(c).toString();
      expect(text).toBe('sbom');
    } finally {
      await client.close();
    }
  });

  it('catches an entry altered on disk', async () => {
    const client = await open({ identity: 'alice' });
    await client.append([trust(digest(3)), trust(digest(4))]);
    await client.close();
    const db = new DatabaseSync(path.join(tmp, 'ledger', 'ledger.db'));
    const row = db.prepare('SELECT data FROM entries WHERE idx = 0').get() as { data: Uint8Array };
    const forged = Buffer.from(row.data).toString('utf8').replace('"trusted"', '"untrusted"');
    db.prepare('UPDATE entries SET data = ? WHERE idx = 0').run(Buffer.from(forged));
    db.close();
    const again = await open({ identity: 'alice' });
    try {
      await expect(again.subject(digest(3))).rejects.toMatchObject({
        code: 'INCLUSION_FAILED',
        category: 'verification',
      });
    } finally {
      await again.close();
    }
  });

  it('pins the directory key on first use, with a notice, and refuses another key later', async () => {
    const notices: string[] = [];
    const client = await open({ identity: 'alice', notice: (m) => notices.push(m) });
    await client.append([trust(digest(5))]);
    await client.close();
    expect(notices.join('\n')).toMatch(/WARNING: no key pinned/);
    const again = await open({ identity: 'alice', notice: (m) => notices.push(m) });
    await again.checkpoint();
    await again.close();
    expect(notices).toHaveLength(1);
    const wrong = await open({ vkey: generateNoteKey('other.example/ledger').vkey });
    await expect(wrong.checkpoint()).rejects.toMatchObject({
      code: 'CHECKPOINT_SIGNATURE',
      category: 'verification',
    });
    await wrong.close();
  });
});
