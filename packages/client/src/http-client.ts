/**
 * LedgerClient for a ledger service (`http(s)://…`), API in packages/server/src/service/API.md.
 * Reads send `known=<trusted size>` so one answer carries everything needed to verify it.
 */
import { canonicalize } from '@notarize/trust';
import { randomUUID } from 'node:crypto';
import { formatTlogProof, type Hash } from '@notarize/tlog';
import { LedgerClientError, verificationError } from './errors.ts';
import type {
  AppendOptions,
  RevokeOptions,
  AppendRequest,
  BlobDownload,
  BlobInfo,
  BlobPutOptions,
  ConsistencyProof,
  LedgerClient,
  LedgerInfo,
  ReadOptions,
  Receipt,
  VerifiedCheckpoint,
  VerifiedEntry,
  VerifiedLookup,
  VerifiedStatuses,
} from './ledger-client.ts';
import { jobKey, subjectKey } from '@notarize/ledger';
import { MAX_LOOKUP_SUBJECTS } from '@notarize/server/service';
import {
  checkAt,
  mergeStatuses,
  readLookup,
  verifyStatuses,
  type CheckpointCheck,
  type LookupSpec,
  type PageSource,
} from './lookup-verify.ts';
import { isAppendOf, isForJob, namesSubject } from './matchers.ts';
import type { HttpTransport } from './http-transport.ts';
import { DIGEST_RE, verifyingStream } from './verified-blob.ts';
import { proofFromBase64, type LedgerVerifier } from './verifier.ts';
import {
  parseAppendResponse,
  parseBlobInfo,
  parseBundle,
  parseConsistency,
  parseInfo,
  type WireBundle,
} from './wire.ts';

function checkDigest(digest: string): void {
  if (!DIGEST_RE.test(digest)) {
    throw new LedgerClientError(
      'ARGUMENT_INVALID',
      'input',
      `"${digest}" is not a digest; expected sha256:<64 lowercase hex>`,
    );
  }
}

export class HttpLedgerClient implements LedgerClient {
  readonly url: string;
  private readonly transport: HttpTransport;
  private readonly verifier: LedgerVerifier;

  constructor(url: string, transport: HttpTransport, verifier: LedgerVerifier) {
    this.url = url;
    this.transport = transport;
    this.verifier = verifier;
  }

  /** Consistency proofs the answer did not carry are fetched; both are verified by the caller. */
  private consistencySource(bundled?: { size: number; consistency: string[] }) {
    return async (size1: number, size2: number): Promise<Hash[]> => {
      if (bundled && bundled.size === size1)
        return proofFromBase64(bundled.consistency, 'known.consistency');
      return (await this.consistency(size1, size2)).proof;
    };
  }

  private async verifyCheckpoint(
    note: string,
    bundled?: { size: number; consistency: string[] },
    notBefore?: number,
  ): Promise<VerifiedCheckpoint> {
    return this.verifier.checkpoint(note, this.consistencySource(bundled), notBefore);
  }

  async info(options?: { signal?: AbortSignal }): Promise<LedgerInfo> {
    const known = await this.verifier.knownSize();
    const { value } = await this.transport.json({
      method: 'GET',
      path: 'v1/info',
      retryable: true,
      signal: options?.signal,
    });
    const info = parseInfo(value);
    if (info.vkey !== this.verifier.vkey) {
      throw verificationError(
        'CHECKPOINT_SIGNATURE',
        `the ledger at ${this.url} announces key ${info.vkey}, but this client pinned ${this.verifier.vkey}: the ledger's key changed or this is not the ledger you trusted (check NOTARIZE_LEDGER_KEY or the state file)`,
      );
    }
    const checkpoint = await this.verifyCheckpoint(info.checkpoint, undefined, known);
    return {
      transport: 'http',
      url: this.url,
      origin: info.origin,
      vkey: info.vkey,
      checkpoint,
      readOnly: info.readOnly,
      ...(info.limits ? { limits: info.limits } : {}),
      ...(isCaller(info.caller) ? { caller: info.caller } : {}),
    };
  }

  async checkpoint(options?: { signal?: AbortSignal }): Promise<VerifiedCheckpoint> {
    const known = await this.verifier.knownSize();
    const { value } = await this.transport.json({
      method: 'GET',
      path: 'v1/checkpoint',
      retryable: true,
      signal: options?.signal,
    });
    const note = (value as { checkpoint?: unknown } | null)?.checkpoint;
    if (typeof note !== 'string') {
      throw new LedgerClientError('BAD_RESPONSE', 'verification', 'the ledger sent no checkpoint');
    }
    return this.verifyCheckpoint(note, undefined, known);
  }

  /** Verifies a signed checkpoint note obtained elsewhere (the tiles' `/checkpoint`). */
  async verifyNote(note: string): Promise<VerifiedCheckpoint> {
    return this.verifyCheckpoint(note, undefined, await this.verifier.knownSize());
  }

  async append(requests: readonly AppendRequest[], options?: AppendOptions): Promise<Receipt[]> {
    if (requests.length === 0) return [];
    const { wire, checkpoint, tree } = await this.postAppend(
      'v1/entries',
      { entries: requests },
      options,
    );
    if (wire.receipts.length !== requests.length) {
      throw verificationError(
        'RECEIPT_MISMATCH',
        `asked to append ${requests.length} entries, the ledger returned ${wire.receipts.length} receipts`,
      );
    }
    return wire.receipts.map((r, i) => {
      const verified = this.verifier.entry(tree, r);
      if (!isAppendOf(requests[i]!, verified.entry, canonicalize)) {
        throw verificationError(
          'RECEIPT_MISMATCH',
          `the receipt for entry ${i + 1} (index ${r.index}) holds a different statement than the one sent`,
        );
      }
      return toReceipt(verified, checkpoint);
    });
  }

  /**
   * POSTs a write (retry-safe through its idempotency key) and verifies the checkpoint it returns,
   * including its consistency with what this client knew when it asked.
   */
  private async postAppend(path: string, json: unknown, options: AppendOptions | undefined) {
    const known = await this.verifier.knownSize();
    const { value } = await this.transport.json({
      method: 'POST',
      path: `${path}?known=${known}`,
      json,
      headers: { 'idempotency-key': options?.idempotencyKey ?? randomUUID() },
      retryable: true,
      signal: options?.signal,
    });
    const wire = parseAppendResponse(value);
    const checkpoint = await this.verifyCheckpoint(
      wire.checkpoint,
      (value as { known?: { size: number; consistency: string[] } }).known,
      known,
    );
    const tree = {
      size: checkpoint.size,
      root: checkpoint.root,
      rootBase64: checkpoint.rootBase64,
    };
    return { wire, checkpoint, tree };
  }

  async revoke(identity: string, reason: string, options?: RevokeOptions): Promise<Receipt> {
    const { wire, checkpoint, tree } = await this.postAppend(
      'v1/revocations',
      { identity, reason, ...(options?.force ? { force: true } : {}) },
      options,
    );
    const [receipt] = wire.receipts;
    if (wire.receipts.length !== 1 || !receipt) {
      throw verificationError('RECEIPT_MISMATCH', 'a revocation must return exactly one receipt');
    }
    const verified = this.verifier.entry(tree, receipt);
    const predicate = verified.entry.statement.predicate as { identity?: unknown } | undefined;
    if (verified.entry.kind !== 'revocation' || predicate?.identity !== identity) {
      throw verificationError('RECEIPT_MISMATCH', `the receipt is not a revocation of ${identity}`);
    }
    return toReceipt(verified, checkpoint);
  }

  private async lookup(
    path: string,
    query: Record<string, string>,
    options: ReadOptions | undefined,
    spec: LookupSpec,
  ): Promise<VerifiedLookup> {
    checkAt(options?.at);
    let known = 0;
    const unproved = options?.acceptIncomplete === true && spec.completeKey !== undefined;
    const fetchPage: PageSource = async (offset, at) => {
      const params = new URLSearchParams(query);
      known = await this.verifier.knownSize();
      params.set('known', String(known));
      if (offset > 0) params.set('offset', String(offset));
      if (at !== undefined) params.set('at', String(at));
      if (unproved) params.set('complete', '0');
      const { value } = await this.transport.json({
        method: 'GET',
        path: `${path}?${params}`,
        retryable: true,
        signal: options?.signal,
      });
      return parseBundle(value);
    };
    return readLookup(
      this.verifier,
      this.checkCheckpoint,
      fetchPage,
      { ...(options?.at !== undefined ? { at: options.at } : {}), unproved },
      spec,
      async () => known,
      async (tree) => (await this.entry(tree.size - 1, { at: tree.size })).found,
    );
  }

  private readonly checkCheckpoint: CheckpointCheck = (note, bundled, notBefore) =>
    this.verifyCheckpoint(note, bundled, notBefore);

  async statuses(digests: readonly string[], options?: ReadOptions): Promise<VerifiedStatuses> {
    checkAt(options?.at);
    digests.forEach(checkDigest);
    const known = await this.verifier.knownSize();
    const unique = [...new Set(digests)];
    if (unique.length === 0) {
      const cp = await this.checkpoint(options);
      return { checkpoint: cp, tree: cp, subjects: [], revocations: [] };
    }
    let at = options?.at;
    const parts: VerifiedStatuses[] = [];
    const proof: WireBundle[] = [];
    // Larger sets go in parts, all proved in the tree of the first part's size.
    for (let i = 0; i < unique.length; i += MAX_LOOKUP_SUBJECTS) {
      const subjects = unique.slice(i, i + MAX_LOOKUP_SUBJECTS);
      const { value } = await this.transport.json({
        method: 'POST',
        path: 'v1/lookup/status',
        json: { subjects, known, ...(at !== undefined ? { at } : {}) },
        retryable: true,
        signal: options?.signal,
      });
      const bundle = parseBundle(value);
      const part = await verifyStatuses(
        this.verifier,
        this.checkCheckpoint,
        bundle,
        subjects,
        at,
        known,
      );
      at ??= part.tree.size;
      parts.push(part);
      proof.push(bundle);
    }
    return { ...mergeStatuses(parts), proof };
  }

  async entry(
    index: number,
    options?: ReadOptions,
  ): Promise<VerifiedLookup & { found: VerifiedEntry }> {
    if (!Number.isSafeInteger(index) || index < 0) {
      throw new LedgerClientError(
        'ARGUMENT_INVALID',
        'input',
        `entry index must be >= 0, got ${index}`,
      );
    }
    let result: VerifiedLookup;
    try {
      result = await this.lookup(`v1/entries/${index}`, {}, options, {
        matches: () => true,
        what: `index ${index}`,
      });
    } catch (error) {
      if (error instanceof LedgerClientError && error.code === 'NOT_FOUND') {
        // The ledger says there is no such entry: only believable if the verified tree is smaller.
        const cp = await this.checkpoint(options);
        const size = options?.at ?? cp.size;
        if (index < size) {
          throw verificationError(
            'ENTRY_MISSING',
            `the ledger denies entry ${index}, but its signed tree of size ${size} holds it: an entry is being hidden`,
          );
        }
      }
      throw error;
    }
    const found = result.entries[0];
    if (result.entries.length !== 1 || !found || found.index !== index) {
      throw verificationError(
        'ENTRY_MISMATCH',
        `asked for entry ${index}, the ledger returned others`,
      );
    }
    return { ...result, found };
  }

  subject(digest: string, options?: ReadOptions): Promise<VerifiedLookup> {
    checkDigest(digest);
    return this.lookup(`v1/subjects/${digest}`, {}, options, {
      matches: namesSubject(digest),
      what: digest,
      completeKey: subjectKey(digest),
    });
  }

  job(
    provider: string,
    project: string,
    jobId: string,
    options?: ReadOptions,
  ): Promise<VerifiedLookup> {
    return this.lookup('v1/jobs', { provider, project, job: jobId }, options, {
      matches: isForJob(provider, project, jobId),
      what: `job ${provider}/${project}/${jobId}`,
      completeKey: jobKey({ provider, project, jobId }),
    });
  }

  async consistency(
    size1: number,
    size2: number,
    options?: { signal?: AbortSignal },
  ): Promise<ConsistencyProof> {
    const { value } = await this.transport.json({
      method: 'GET',
      path: `v1/proofs/consistency?from=${size1}&to=${size2}`,
      retryable: true,
      signal: options?.signal,
    });
    const wire = parseConsistency(value);
    if (wire.from !== size1 || wire.to !== size2) {
      throw verificationError(
        'CONSISTENCY_FAILED',
        `asked for a consistency proof ${size1}->${size2}, got ${wire.from}->${wire.to}`,
      );
    }
    return { size1, size2, proof: proofFromBase64(wire.proof, 'consistency proof') };
  }

  async putBlob(
    body: AsyncIterable<Uint8Array> | Uint8Array,
    options?: BlobPutOptions,
  ): Promise<BlobInfo> {
    if (options?.digest !== undefined) checkDigest(options.digest);
    const headers: Record<string, string> = { 'content-type': 'application/octet-stream' };
    if (options?.size !== undefined) headers['content-length'] = String(options.size);
    else if (body instanceof Uint8Array) headers['content-length'] = String(body.byteLength);
    const { value } = await this.transport.json({
      method: options?.digest ? 'PUT' : 'POST',
      path: options?.digest ? `v1/blobs/${options.digest}` : 'v1/blobs',
      body,
      headers,
      // PUT of content-addressed bytes is idempotent; a stream can only be sent once anyway.
      retryable: options?.digest !== undefined,
      signal: options?.signal,
    });
    const info = parseBlobInfo(value);
    if (options?.digest && info.digest !== options.digest) {
      throw verificationError(
        'BLOB_DIGEST_MISMATCH',
        `uploaded blob ${options.digest}, the ledger stored ${info.digest}`,
      );
    }
    return info;
  }

  async getBlob(digest: string, options?: { signal?: AbortSignal }): Promise<BlobDownload> {
    checkDigest(digest);
    const response = await this.transport.send({
      method: 'GET',
      path: `v1/blobs/${digest}`,
      headers: { accept: 'application/octet-stream' },
      retryable: true,
      signal: options?.signal,
    });
    const length = Number(response.headers['content-length']);
    const size = Number.isSafeInteger(length) ? length : undefined;
    return {
      digest,
      size: size ?? -1,
      body: verifyingStream(response.body, digest, size),
    };
  }

  /** Raw bytes of a tlog-tiles resource (`tile/...`); unverified: the caller checks them. */
  async tile(path: string, signal?: AbortSignal): Promise<Uint8Array> {
    const response = await this.transport.send({
      method: 'GET',
      path,
      headers: { accept: 'application/octet-stream' },
      retryable: true,
      signal,
    });
    return new Uint8Array(await response.body.arrayBuffer());
  }

  close(): Promise<void> {
    return this.transport.close();
  }
}

export function toReceipt(verified: VerifiedEntry, checkpoint: VerifiedCheckpoint): Receipt {
  return {
    ...verified,
    checkpoint,
    tlogProof: formatTlogProof({
      index: verified.index,
      proof: verified.proof,
      checkpoint: checkpoint.note,
    }),
  };
}

function isCaller(v: unknown): v is { name: string; role: string; auth: string } {
  const c = v as { name?: unknown; role?: unknown; auth?: unknown } | undefined;
  return typeof c?.name === 'string' && typeof c.role === 'string' && typeof c.auth === 'string';
}
