/**
 * Issue 14 item 2: signed assertions cannot be replayed. ci-bot re-posted legal's older
 * DSSE-signed `trusted` envelope after legal had signed `untrusted`, and a `signedBy` rule
 * without `identity:` was met. Now the signed statement names its signer and signing time
 * (`predicate.signer`); the ledger refuses an envelope signed for another identity
 * (SIGNER_MISMATCH), and one it has already recorded (ENVELOPE_REPLAYED) — also after a restart,
 * since the check is derived from the log's lookup index; and `signedBy` evaluation orders signed
 * assertions by their signing time.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Ledger } from '@notarize/ledger';
import {
  buildAssertion,
  generateSigningKey,
  importSigningKey,
  signStatement,
  toLedgerEntry,
  type DsseEnvelope,
  type EntryDraft,
  type SigningKey,
} from '@notarize/trust';
import { notarizeCli } from './support/cli.ts';
import { digestOf, startHarness, type Harness } from './support/service-harness.ts';

let h: Harness;
let dir: string;
let legalKey: SigningKey;
let legalPem: { privateKeyPem: string; publicKeyPem: string };

beforeAll(async () => {
  h = await startHarness();
  dir = await mkdtemp(path.join(os.tmpdir(), 'signed-replay-'));
  legalPem = await generateSigningKey();
  legalKey = await importSigningKey(legalPem.privateKeyPem);
  await writeFile(path.join(dir, 'legal.key'), legalPem.privateKeyPem);
  await writeFile(path.join(dir, 'legal.pub'), legalPem.publicKeyPem);
});
afterAll(async () => {
  await h.close();
  await rm(dir, { recursive: true, force: true });
});

async function signed(
  digest: string,
  status: string,
  signer: { identity: string; time: string } | undefined,
): Promise<{ kind: string; statement: EntryDraft['statement']; envelope: DsseEnvelope }> {
  const draft = buildAssertion({
    subjects: [{ name: 'release.tar', digest }],
    status,
    ...(signer ? { signer } : {}),
  });
  return {
    kind: draft.kind,
    statement: draft.statement,
    envelope: await signStatement(draft.statement, legalKey),
  };
}

const post = async (token: string, entries: unknown[]) => {
  const res = await fetch(`${h.url}/v1/entries`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ entries }),
  });
  return { status: res.status, body: (await res.json()) as { code?: string; message?: string } };
};

describe('a signed statement over HTTP', () => {
  it('cannot be replayed by another identity, nor recorded twice', async () => {
    const d = digestOf('replay');
    const older = await signed(d, 'trusted', {
      identity: 'legal-bot',
      time: new Date(Date.now() - 60_000).toISOString(),
    });
    const newer = await signed(d, 'untrusted', {
      identity: 'legal-bot',
      time: new Date().toISOString(),
    });
    expect((await post(h.keys.legal, [older])).status).toBe(201);
    expect((await post(h.keys.legal, [newer])).status).toBe(201);

    // ci-bot (role pipeline) re-posts legal's older `trusted` envelope.
    const replay = await post(h.keys.pipeline, [older]);
    expect(replay.status).toBe(403);
    expect(replay.body.code).toBe('SIGNER_MISMATCH');
    expect(replay.body.message).toMatch(
      /signed for identity "legal-bot", but you are "pipeline-bot"/,
    );

    // legal-bot's own credential (without the signing key) cannot re-post it either.
    const again = await post(h.keys.legal, [older]);
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('ENVELOPE_REPLAYED');
    // ... nor twice in one request.
    const fresh = await signed(d, 'trusted', {
      identity: 'legal-bot',
      time: new Date().toISOString(),
    });
    const twice = await post(h.keys.legal, [fresh, fresh]);
    expect(twice.body.code).toBe('ENVELOPE_REPLAYED');
  });

  it('must name its signer and a signing time that is not in the future', async () => {
    const d = digestOf('unbound');
    const unbound = await signed(d, 'trusted', undefined);
    const res = await post(h.keys.legal, [unbound]);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('ENTRY_INVALID');
    expect(res.body.message).toMatch(/predicate\.signer/);
    const future = await signed(d, 'trusted', {
      identity: 'legal-bot',
      time: new Date(Date.now() + 86_400_000).toISOString(),
    });
    expect((await post(h.keys.legal, [future])).body.code).toBe('ENTRY_INVALID');
  });
});

describe('the replay check is persistent', () => {
  it('a restarted engine still refuses an envelope it recorded', async () => {
    const ledgerDir = path.join(dir, 'engine');
    const draft = buildAssertion({
      subjects: [{ name: 'x', digest: digestOf('persist') }],
      status: 'trusted',
      signer: { identity: 'legal', time: new Date().toISOString() },
    });
    const entry = toLedgerEntry(draft, {
      identity: { name: 'legal', role: 'legal', auth: 'local' },
      time: new Date().toISOString(),
      envelope: await signStatement(draft.statement, legalKey),
    });
    let ledger = await Ledger.open({ dir: ledgerDir });
    await ledger.append(entry);
    await ledger.close();
    ledger = await Ledger.open({ dir: ledgerDir });
    try {
      await expect(
        ledger.append({ ...entry, time: new Date().toISOString() }),
      ).rejects.toMatchObject({
        code: 'ENVELOPE_REPLAYED',
        category: 'conflict',
      });
      // A rebuilt lookup index keeps the answer: it is derived from the log.
      await ledger.reindex();
      await expect(ledger.append(entry)).rejects.toMatchObject({ code: 'ENVELOPE_REPLAYED' });
      expect(ledger.size).toBe(2);
    } finally {
      await ledger.close();
    }
  });
});

describe('notarize trust --key and a signedBy policy (file: ledger)', () => {
  it('signs for its own identity; a later signature wins over a replayed older one', async () => {
    await writeFile(path.join(dir, 'release.tar'), 'release\n');
    await writeFile(
      path.join(dir, 'policy.yml'),
      `version: 1\nrequire:\n  - status: trusted\n    signedBy:\n      - |\n${legalPem.publicKeyPem
        .trim()
        .split('\n')
        .map((l) => `        ${l}`)
        .join('\n')}\n`,
    );
    const ledger = `file:${path.join(dir, 'cli-ledger')}`;
    const run = (argv: string[]) =>
      notarizeCli([...argv, '--ledger', ledger], {
        cwd: dir,
        env: { NOTARIZE_STATE: path.join(dir, 'cli-state.json') },
      });
    expect((await run(['trust', 'release.tar', '--as', 'legal', '--key', 'legal.key'])).code).toBe(
      0,
    );
    expect((await run(['status', 'release.tar', '--policy', 'policy.yml'])).code).toBe(0);
    const first = await run(['history', 'release.tar', '--json']);
    expect(first.code).toBe(0);
    expect(
      (await run(['untrust', 'release.tar', '--as', 'legal', '--key', 'legal.key'])).code,
    ).toBe(0);
    // The untrusted signature is the newest: the policy no longer allows.
    expect((await run(['status', 'release.tar', '--policy', 'policy.yml'])).code).toBe(2);
  });
});
