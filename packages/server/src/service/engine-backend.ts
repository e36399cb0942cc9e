/**
 * ServiceBackend on the ledger engine (`Ledger`). Appends go through the engine's sequencer
 * (group commit, one signed checkpoint per batch). Reads go to the store directly with proofs
 * planned by @notarize/tlog, so a read "as of" any size works — not only sizes that happen to have
 * a checkpoint: the root of a prefix is folded from its stored peaks, and the client checks it
 * against the signed checkpoint with a consistency proof.
 */
import { nodeHash, peakNodes, type Hash, type NodeId } from '@notarize/tlog';
import type { LedgerEntry } from '@notarize/trust';
import { entryKeys, identityKey, jobKey, keyId, subjectKey } from '@notarize/ledger';
import type { Ledger } from '@notarize/ledger';
import { consistencyProof, inclusionProof } from '@notarize/ledger';
import type { BackendAppendResult, BackendCheckpoint, ServiceBackend } from './backend.ts';
import { ServiceError } from './errors.ts';

const decoder = new TextDecoder();

export interface EngineBackendOptions {
  /**
   * For a read-only service: reopens the ledger, so that entries other processes append to the
   * same directory (a `file:` ledger used by the CLI) show up. Checked at most every `refreshMs`.
   */
  reopen?: () => Promise<Ledger>;
  refreshMs?: number;
}

export class EngineBackend implements ServiceBackend {
  readonly origin: string;
  readonly vkey: string;
  private ledger: Ledger;
  private cached: BackendCheckpoint | undefined;
  private readonly options: EngineBackendOptions;
  private lastCheck = 0;
  private refreshing: Promise<void> | undefined;
  private readonly retired = new Set<Ledger>();

  constructor(ledger: Ledger, options: EngineBackendOptions = {}) {
    this.ledger = ledger;
    this.origin = ledger.origin;
    this.vkey = ledger.vkey;
    this.options = options;
  }

  /** Read-only mode: swap in a fresh view when the store grew behind our back. */
  private async refresh(): Promise<void> {
    const { reopen, refreshMs = 1000 } = this.options;
    if (!reopen || Date.now() - this.lastCheck < refreshMs) return;
    this.lastCheck = Date.now();
    this.refreshing ??= (async () => {
      try {
        if ((await this.ledger.store.size()) === this.ledger.size) return;
        const next = await reopen();
        const old = this.ledger;
        this.ledger = next;
        // Reads already running on the old view finish first; then it is closed.
        this.retired.add(old);
        setTimeout(() => {
          this.retired.delete(old);
          void old.close();
        }, 30_000).unref();
      } finally {
        this.refreshing = undefined;
      }
    })();
    await this.refreshing;
  }

  async latest(): Promise<BackendCheckpoint> {
    await this.refresh();
    const cp = this.ledger.checkpoint();
    if (this.cached?.note !== cp.note) {
      this.cached = {
        size: cp.size,
        root: new Uint8Array(Buffer.from(cp.root, 'base64')),
        note: cp.note,
      };
    }
    return this.cached;
  }

  async append(entries: readonly LedgerEntry[]): Promise<BackendAppendResult> {
    const receipts = await this.ledger.append(entries);
    const last = receipts[receipts.length - 1];
    if (!last) throw new ServiceError('INTERNAL', 'the engine returned no receipts');
    const note = last.checkpoint;
    // One request is never split across commits, so every receipt has the same checkpoint; the
    // engine proved them from the batch's own nodes: reuse those proofs.
    const sameCheckpoint = receipts.every((r) => r.checkpoint === note);
    return {
      checkpoint: {
        size: last.size,
        root: new Uint8Array(Buffer.from(last.root, 'base64')),
        note,
      },
      indexes: receipts.map((r) => r.index),
      ...(sameCheckpoint
        ? {
            proofs: receipts.map((r) =>
              r.proof.map((p) => new Uint8Array(Buffer.from(p, 'base64'))),
            ),
          }
        : {}),
    };
  }

  async entries(from: number, to: number): Promise<Uint8Array[]> {
    return this.ledger.store.readEntries(from, to);
  }

  async rootAt(size: number): Promise<Hash> {
    const latest = await this.latest();
    if (size === latest.size) return latest.root;
    if (size < 1 || size > latest.size) {
      throw new ServiceError('AT_OUT_OF_RANGE', `size ${size} is outside 1..${latest.size}`);
    }
    const peaks = await this.ledger.store.readNodes(peakNodes(size));
    let root = peaks[peaks.length - 1]!;
    for (let i = peaks.length - 2; i >= 0; i--) root = nodeHash(peaks[i]!, root);
    return root;
  }

  inclusionProof(index: number, size: number): Promise<Hash[]> {
    return inclusionProof(this.ledger.store, index, size);
  }

  consistencyProof(size1: number, size2: number): Promise<Hash[]> {
    return consistencyProof(this.ledger.store, size1, size2);
  }

  /** Lookup rows are keyed by 53-bit hashes: keep only entries that truly carry the key. */
  private async lookup(key: string, size: number): Promise<number[]> {
    const candidates = await this.ledger.store.lookup(keyId(key), size);
    const out: number[] = [];
    for (const index of candidates) {
      const [bytes] = await this.ledger.store.readEntries(index, index + 1);
      if (!bytes) continue;
      const entry = JSON.parse(decoder.decode(bytes)) as LedgerEntry;
      if (entryKeys(entry).includes(key)) out.push(index);
    }
    return out;
  }

  subjectIndexes(digest: string, size: number): Promise<number[]> {
    return this.lookup(subjectKey(digest), size);
  }

  jobIndexes(provider: string, project: string, jobId: string, size: number): Promise<number[]> {
    return this.lookup(jobKey({ provider, project, jobId }), size);
  }

  async mapAnswer(keys: readonly string[], size: number) {
    try {
      return await this.ledger.mapAnswer(keys, size);
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code === 'MAP_HEAD_MISSING' || code === 'SIZE_OUT_OF_RANGE') {
        throw new ServiceError('AT_NOT_PROVABLE', (error as Error).message);
      }
      throw error;
    }
  }

  identityIndexes(name: string, size: number): Promise<number[]> {
    return this.lookup(identityKey(name), size);
  }

  nodes(ids: readonly NodeId[]): Promise<Hash[]> {
    return this.ledger.store.readNodes(ids);
  }

  async close(): Promise<void> {
    for (const old of this.retired) await old.close();
    this.retired.clear();
    await this.ledger.close();
  }
}
