/**
 * Idempotency keys for appends: a client that did not get an answer (timeout, dropped connection)
 * retries with the same key and gets the entries appended the first time instead of new ones.
 * Keys are scoped by identity (one caller cannot replay or probe another's) and bound to the body
 * (same key, other body: 409). A retry that arrives while the first attempt is still being
 * sequenced waits for it. Records are kept in memory (bounded, oldest first out, with a TTL):
 * client retries happen within seconds to minutes; a service restart forgets them (documented).
 */
import { ServiceError } from './errors.ts';
import type { IdempotencyRecordStore } from './idempotency-store.ts';

interface Slot {
  bodyHash: string;
  result: Promise<number[]>;
  expires: number;
}

export const IDEMPOTENCY_TTL_MS = 24 * 3600_000;

export const IDEMPOTENCY_KEY_RE = /^[A-Za-z0-9._:-]{1,128}$/;

export class IdempotencyCache {
  private readonly slots = new Map<string, Slot>();
  private readonly maxKeys: number;
  private readonly ttlMs: number;
  private readonly store: IdempotencyRecordStore | undefined;
  constructor(options: { maxKeys?: number; ttlMs?: number; store?: IdempotencyRecordStore } = {}) {
    this.maxKeys = options.maxKeys ?? 100_000;
    this.ttlMs = options.ttlMs ?? IDEMPOTENCY_TTL_MS;
    this.store = options.store;
  }

  /**
   * Runs `append` once per (scope, key); returns its indexes and whether this call was a replay.
   */
  async run(
    scope: string,
    key: string,
    bodyHash: string,
    append: () => Promise<number[]>,
  ): Promise<{ indexes: number[]; replayed: boolean }> {
    if (!IDEMPOTENCY_KEY_RE.test(key)) {
      throw new ServiceError(
        'BAD_REQUEST',
        'Idempotency-Key must be 1-128 characters of [A-Za-z0-9._:-]',
      );
    }
    const id = `${scope}\n${key}`;
    const now = Date.now();
    const existing = this.slots.get(id);
    if (existing && existing.expires > now) {
      if (existing.bodyHash !== bodyHash) {
        throw new ServiceError(
          'IDEMPOTENCY_CONFLICT',
          'this Idempotency-Key was already used for a different request; use a new key for a new request',
        );
      }
      return { indexes: await existing.result, replayed: true };
    }
    // Not in memory (evicted, or the service restarted): the record on disk decides.
    const stored = this.store?.get(id);
    if (stored && stored.created + this.ttlMs > now) {
      if (stored.bodyHash !== bodyHash) {
        throw new ServiceError(
          'IDEMPOTENCY_CONFLICT',
          'this Idempotency-Key was already used for a different request; use a new key for a new request',
        );
      }
      return { indexes: stored.indexes, replayed: true };
    }
    const result = append().then((indexes) => {
      try {
        this.store?.put(id, bodyHash, indexes);
      } catch {
        // The entries are appended: answer. The in-memory record still covers quick retries.
      }
      return indexes;
    });
    this.slots.set(id, { bodyHash, result, expires: now + this.ttlMs });
    this.evict();
    try {
      return { indexes: await result, replayed: false };
    } catch (error) {
      // Nothing was appended: a retry with this key must try again.
      if (this.slots.get(id)?.result === result) this.slots.delete(id);
      throw error;
    }
  }

  private evict(): void {
    while (this.slots.size > this.maxKeys) {
      const oldest = this.slots.keys().next().value;
      if (oldest === undefined) break;
      this.slots.delete(oldest);
    }
  }
}
