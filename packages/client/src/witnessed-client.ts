/**
 * A LedgerClient whose every read is proved against a witnessed checkpoint: it fetches the
 * ledger's `/checkpoint` (the newest one that met the ledger's witness quorum, with the
 * cosignature lines), requires this client's own quorum on it before anything else, verifies it
 * like any checkpoint (pinned key, consistency with what this client trusted), and then reads as
 * of its size (`at`). A ledger that shows this client a fork cannot present a checkpoint of the
 * fork cosigned by the quorum, so the read fails (exit 20) instead of answering from the fork.
 * Writes are unchanged: their receipts use the newest, not yet witnessed, checkpoint.
 */
import { verificationError } from './errors.ts';
import type { HttpLedgerClient } from './http-client.ts';
import type {
  AppendOptions,
  AppendRequest,
  BlobPutOptions,
  LedgerClient,
  ReadOptions,
  RevokeOptions,
  VerifiedCheckpoint,
} from './ledger-client.ts';
import { checkWitnessQuorum, type WitnessPolicy } from './witness-quorum.ts';

export class WitnessedLedgerClient implements LedgerClient {
  readonly inner: HttpLedgerClient;
  readonly policy: WitnessPolicy;

  constructor(inner: HttpLedgerClient, policy: WitnessPolicy) {
    this.inner = inner;
    this.policy = policy;
  }

  /** The newest witnessed checkpoint, quorum-checked and verified. */
  async witnessed(signal?: AbortSignal): Promise<VerifiedCheckpoint & { witnesses: string[] }> {
    const note = new TextDecoder().decode(await this.inner.tile('checkpoint', signal));
    const witnesses = checkWitnessQuorum(note, this.policy);
    return { ...(await this.inner.verifyNote(note)), witnesses };
  }

  /** `at` for a read: the witnessed size, or an older size asked for. */
  async #at(options: ReadOptions | undefined) {
    const cp = await this.witnessed(options?.signal);
    if (options?.at !== undefined && options.at > cp.size) {
      throw verificationError(
        'WITNESS_QUORUM',
        `--at ${options.at} is beyond the newest witnessed checkpoint (size ${cp.size}): only witnessed sizes can be read with witnesses configured`,
      );
    }
    return { cp, options: { ...options, at: options?.at ?? cp.size } };
  }

  async info(options?: { signal?: AbortSignal }) {
    const info = await this.inner.info(options);
    return { ...info, checkpoint: await this.witnessed(options?.signal) };
  }
  checkpoint(options?: { signal?: AbortSignal }) {
    return this.witnessed(options?.signal);
  }
  append(requests: readonly AppendRequest[], options?: AppendOptions) {
    return this.inner.append(requests, options);
  }
  revoke(identity: string, reason: string, options?: RevokeOptions) {
    return this.inner.revoke(identity, reason, options);
  }
  async entry(index: number, options?: ReadOptions) {
    const { cp, options: o } = await this.#at(options);
    return { ...(await this.inner.entry(index, o)), checkpoint: cp };
  }
  async subject(digest: string, options?: ReadOptions) {
    const { cp, options: o } = await this.#at(options);
    return { ...(await this.inner.subject(digest, o)), checkpoint: cp };
  }
  async statuses(digests: readonly string[], options?: ReadOptions) {
    const { cp, options: o } = await this.#at(options);
    return { ...(await this.inner.statuses(digests, o)), checkpoint: cp };
  }
  async job(provider: string, project: string, jobId: string, options?: ReadOptions) {
    const { cp, options: o } = await this.#at(options);
    return { ...(await this.inner.job(provider, project, jobId, o)), checkpoint: cp };
  }
  consistency(size1: number, size2: number, options?: { signal?: AbortSignal }) {
    return this.inner.consistency(size1, size2, options);
  }
  putBlob(body: AsyncIterable<Uint8Array> | Uint8Array, options?: BlobPutOptions) {
    return this.inner.putBlob(body, options);
  }
  getBlob(digest: string, options?: { signal?: AbortSignal }) {
    return this.inner.getBlob(digest, options);
  }
  close() {
    return this.inner.close();
  }
}
