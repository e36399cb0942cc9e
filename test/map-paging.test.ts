/**
 * Large lookups: a subject with thousands of assertions. Its status costs O(identities) — the
 * answer holds each identity's latest assertion, not the history — and its history is read page
 * by page (every answer is bounded), each page proved against the same map head, the whole list
 * against the map's count and chain. A page with a hidden entry is caught.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { openLedgerClient, type LedgerClient } from '@notarize/client';
import { LOOKUP_PAGE_ENTRIES, MAX_LOOKUP_SUBJECTS } from '../packages/server/src/service/index.ts';
import { assertion, digestOf, startHarness, type Harness } from './support/service-harness.ts';
import { startTamperProxy, type TamperProxy } from './support/service-tamper-proxy.ts';

let h: Harness;
let proxy: TamperProxy;
let tmp: string;
const digest = digestOf('many-assertions');
const IDENTITIES = ['pipeline', 'scanner', 'qa', 'legal', 'pm'] as const;
const PER_IDENTITY = 500;

beforeAll(async () => {
  h = await startHarness();
  proxy = await startTamperProxy(h.url);
  tmp = await mkdtemp(path.join(os.tmpdir(), 'paging-'));
  for (const role of IDENTITIES) {
    const writer = await h.client({ token: h.keys[role] });
    const status = role === 'scanner' ? 'untrusted' : role === 'pm' ? 'unsupported' : 'trusted';
    for (let i = 0; i < PER_IDENTITY; i += 250) {
      await writer.append(Array.from({ length: 250 }, () => assertion(digest, status)));
    }
  }
}, 120_000);
afterAll(async () => {
  await proxy.close();
  await h.close();
  await rm(tmp, { recursive: true, force: true });
});
afterEach(() => {
  proxy.rewrite = undefined;
});

let n = 0;
function viaProxy(): Promise<LedgerClient> {
  return openLedgerClient(proxy.url, {
    vkey: h.vkey,
    statePath: path.join(tmp, `state-${n++}.json`),
    dispatcher: h.dispatcher,
    env: {},
    notice: () => {},
  });
}

describe('a subject with thousands of assertions', () => {
  it('answers a status with one entry per identity', async () => {
    const client = await viaProxy();
    const before = proxy.hits.length;
    const answer = await client.statuses([digest]);
    expect(answer.subjects[0]?.entries.map((e) => e.entry.identity.name).sort()).toEqual(
      IDENTITIES.map((r) => `${r}-bot`).sort(),
    );
    // The latest of each: every other assertion of the identity has a smaller index.
    const all = await client.subject(digest);
    for (const latest of answer.subjects[0]!.entries) {
      const mine = all.entries.filter((e) => e.entry.identity.name === latest.entry.identity.name);
      expect(latest.index).toBe(Math.max(...mine.map((e) => e.index)));
    }
    expect(proxy.hits.slice(before).filter((x) => x.path === '/v1/lookup/status')).toHaveLength(1);
    await client.close();
  });

  it('splits a status over more subjects than one answer holds, all proved in one tree', async () => {
    const client = await viaProxy();
    const many = [
      digest,
      ...Array.from({ length: MAX_LOOKUP_SUBJECTS + 10 }, (_, i) => digestOf(`absent-${i}`)),
    ];
    const before = proxy.hits.length;
    const answer = await client.statuses(many);
    expect(proxy.hits.slice(before).filter((x) => x.path === '/v1/lookup/status')).toHaveLength(2);
    expect(answer.subjects).toHaveLength(many.length);
    expect(answer.subjects[0]?.entries).toHaveLength(IDENTITIES.length);
    expect(answer.subjects.slice(1).every((s) => s.entries.length === 0)).toBe(true);
    await client.close();
  });

  it('reads the history page by page, proved complete', async () => {
    const client = await viaProxy();
    const before = proxy.hits.length;
    const history = await client.subject(digest);
    expect(history.entries).toHaveLength(IDENTITIES.length * PER_IDENTITY);
    const pages = proxy.hits.slice(before).filter((x) => x.path.startsWith('/v1/subjects/'));
    expect(pages).toHaveLength(Math.ceil(history.entries.length / LOOKUP_PAGE_ENTRIES));
    await client.close();
  });

  it('catches an entry hidden on a later page', async () => {
    const client = await viaProxy();
    proxy.rewrite = (p, body) => {
      if (p.startsWith('/v1/subjects/') && p.includes('offset=')) {
        (body.entries as unknown[]).splice(3, 1);
      }
      return body;
    };
    await expect(client.subject(digest)).rejects.toMatchObject({ category: 'verification' });
    await client.close();
  });

  it('catches a page that repeats an earlier one', async () => {
    const client = await viaProxy();
    // A replayed first page in place of the third: valid entries, wrong place in the list.
    let firstPage: unknown[] | undefined;
    proxy.rewrite = (p, body) => {
      if (p.startsWith('/v1/subjects/')) {
        if (!p.includes('offset=')) firstPage = body.entries as unknown[];
        else if (p.includes('offset=2000') && firstPage) body.entries = firstPage;
      }
      return body;
    };
    await expect(client.subject(digest)).rejects.toMatchObject({ code: 'INCOMPLETE_ANSWER' });
    await client.close();
  });
});
