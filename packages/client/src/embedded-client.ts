/**
 * LedgerClient for a `file:<dir>` ledger: the engine in-process, no server. It builds the same
 * proof bundles the service sends and verifies them with the same verifier, against the key
 * pinned for this directory — so a store altered on disk is caught exactly like a lying service.
 *
 * Identity: `--as NAME` (NOTARIZE_IDENTITY). Roles come from `<dir>/config.yaml` (the auth
 * sections of the service config: roles, identities); without it the ledger is single-user and
 * any identity may do anything (docs/cli.md). The OS's file permissions are the boundary.
 */
import { canonicalize } from '@notarize/trust';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { DB_FILE, jobKey, KEY_FILE, Ledger, subjectKey, VKEY_FILE } from '@notarize/ledger';
import { buildRevocation } from '@notarize/trust';
import { authorize, BUILTIN_ROLES, localPrincipal, type AuthConfig } from '@notarize/server/auth';
import {
  b64s,
  BlobStore,
  buildBundle,
  buildStatusBundle,
  checkBeforeAppend,
  DEFAULT_LIMITS,
  EngineBackend,
  LOOKUP_PAGE_ENTRIES,
  knownMember,
  prepareEntries,
  provedEntries,
  type BundleRequest,
} from '@notarize/server/service';
import { asClientError, LedgerClientError, verificationError } from './errors.ts';
import { loadAuthConfig } from './embedded-config.ts';
import { toReceipt } from './http-client.ts';
import { writerWaitMs } from './writer-wait.ts';
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
import {
  checkAt,
  readLookup,
  verifyStatuses,
  type CheckpointCheck,
  type LookupSpec,
  type PageSource,
} from './lookup-verify.ts';
import { isAppendOf, isForJob, namesSubject } from './matchers.ts';
import { resolveVkey } from './open.ts';
import type { LedgerClientOptions } from './options.ts';
import type { StateStore } from './state.ts';
import { DIGEST_RE, verifyingStream } from './verified-blob.ts';
import { proofFromBase64, LedgerVerifier } from './verifier.ts';
import type { WireBundle } from './wire.ts';

/** The path is a file, or lies below one (ENOTDIR): not a place a ledger could be. */
function isFile(p: string): boolean {
  try {
    return !statSync(p).isDirectory();
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOTDIR';
  }
}

export class EmbeddedLedgerClient implements LedgerClient {
  readonly url: string;
  private readonly ledger: Ledger;
  private readonly backend: EngineBackend;
  private readonly verifier: LedgerVerifier;
  private readonly identity: string | undefined;
  private readonly auth: AuthConfig | undefined;
  private readonly blobs: BlobStore;

  private constructor(
    dir: string,
    ledger: Ledger,
    verifier: LedgerVerifier,
    identity: string | undefined,
    auth: AuthConfig | undefined,
  ) {
    this.url = `file:${dir}`;
    this.ledger = ledger;
    this.backend = new EngineBackend(ledger);
    this.verifier = verifier;
    this.identity = identity;
    this.auth = auth;
    this.blobs = new BlobStore(dir, Number.MAX_SAFE_INTEGER);
  }

  static async open(
    dir: string,
    options: LedgerClientOptions & { env: NodeJS.ProcessEnv },
    state: StateStore,
    notice: (message: string) => void,
  ): Promise<EmbeddedLedgerClient> {
    // Nothing there at all: a read never creates a ledger. A path that is a file, or a key
    // without its database, is the engine's to report (exit 10 / exit 20).
    const nothing = [DB_FILE, KEY_FILE, VKEY_FILE].every((f) => !existsSync(path.join(dir, f)));
    if (options.readOnly && nothing && !isFile(dir)) {
      throw new LedgerClientError(
        'NOT_FOUND',
        'input',
        `no ledger at file:${dir} (no ${DB_FILE}); reads never create one: check --ledger / NOTARIZE_LEDGER`,
      );
    }
    const auth = await loadAuthConfig(dir);
    const ledger = await Ledger.open({
      dir,
      readOnly: options.readOnly === true,
      writerWaitMs: writerWaitMs(options.env),
    });
    try {
      const location = `file:${dir}`;
      const vkey = await resolveVkey(
        location,
        state,
        options,
        options.env,
        async () => ledger.vkey,
        notice,
      );
      const identity = options.identity ?? options.env.NOTARIZE_IDENTITY;
      return new EmbeddedLedgerClient(
        dir,
        ledger,
        new LedgerVerifier(vkey, state),
        identity || undefined,
        auth,
      );
    } catch (error) {
      await ledger.close();
      throw error;
    }
  }

  private principal() {
    if (!this.identity) {
      throw new LedgerClientError(
        'ARGUMENT_INVALID',
        'input',
        'appending to a file: ledger needs an identity: pass --as NAME or set NOTARIZE_IDENTITY',
      );
    }
    return localPrincipal(this.identity, this.auth);
  }

  private async verifyCheckpoint(
    note: string,
    bundled?: { size: number; consistency: string[] },
    notBefore?: number,
  ): Promise<VerifiedCheckpoint> {
    return this.verifier.checkpoint(
      note,
      async (size1, size2) => {
        if (bundled && bundled.size === size1) return proofFromBase64(bundled.consistency, 'known');
        return this.backend.consistencyProof(size1, size2);
      },
      notBefore,
    );
  }

  async info(): Promise<LedgerInfo> {
    const cp = await this.backend.latest();
    return {
      transport: 'file',
      url: this.url,
      origin: this.ledger.origin,
      vkey: this.ledger.vkey,
      checkpoint: await this.verifyCheckpoint(cp.note, undefined, await this.verifier.knownSize()),
      readOnly: false,
      limits: {
        maxEntryBytes: DEFAULT_LIMITS.maxEntryBytes,
        maxBatchEntries: Number.MAX_SAFE_INTEGER,
      },
      ...(this.identity ? { caller: callerOf(this.principal()) } : {}),
    };
  }

  async checkpoint(): Promise<VerifiedCheckpoint> {
    const known = await this.verifier.knownSize();
    return this.verifyCheckpoint((await this.backend.latest()).note, undefined, known);
  }

  append(requests: readonly AppendRequest[], _options?: AppendOptions): Promise<Receipt[]> {
    return this.appendChecked(requests, false);
  }

  private async appendChecked(
    requests: readonly AppendRequest[],
    force: boolean,
  ): Promise<Receipt[]> {
    if (requests.length === 0) return [];
    let wire;
    try {
      const principal = this.principal();
      const roles = this.auth?.roles ?? BUILTIN_ROLES;
      const entries = prepareEntries(
        requests,
        principal,
        { maxBatchEntries: Number.MAX_SAFE_INTEGER, maxEntryBytes: DEFAULT_LIMITS.maxEntryBytes },
        (action) => authorize(principal, action, roles),
      );
      await checkBeforeAppend(
        entries,
        { backend: this.backend, auth: this.auth, blobs: this.blobs },
        { force },
      );
      const known = await this.verifier.knownSize();
      const { indexes } = await this.backend.append(entries);
      const cp = await this.backend.latest();
      wire = {
        notBefore: known,
        checkpoint: cp.note,
        ...(await knownMember(this.backend, cp, known)),
        receipts: await provedEntries(this.backend, indexes, cp.size),
      };
    } catch (error) {
      throw asClientError(error);
    }
    const checkpoint = await this.verifyCheckpoint(wire.checkpoint, wire.known, wire.notBefore);
    const tree = {
      size: checkpoint.size,
      root: checkpoint.root,
      rootBase64: checkpoint.rootBase64,
    };
    if (wire.receipts.length !== requests.length) {
      throw verificationError(
        'RECEIPT_MISMATCH',
        'the ledger returned a receipt count that differs from the request',
      );
    }
    return wire.receipts.map((r, i) => {
      const verified = this.verifier.entry(tree, r);
      if (!isAppendOf(requests[i]!, verified.entry, canonicalize)) {
        throw verificationError(
          'RECEIPT_MISMATCH',
          `entry ${r.index} as stored differs from the one appended`,
        );
      }
      return toReceipt(verified, checkpoint);
    });
  }

  async revoke(identity: string, reason: string, options?: RevokeOptions): Promise<Receipt> {
    const draft = await buildRevocation({ identity, reason });
    const [receipt] = await this.appendChecked([draft], options?.force === true);
    return receipt!;
  }

  private readonly checkCheckpoint: CheckpointCheck = (note, bundled, notBefore) =>
    this.verifyCheckpoint(note, bundled, notBefore);

  private async lookup(
    request: BundleRequest,
    options: ReadOptions | undefined,
    spec: LookupSpec,
  ): Promise<VerifiedLookup> {
    checkAt(options?.at);
    let known = 0;
    const unproved = options?.acceptIncomplete === true && request.keys !== undefined;
    const fetchPage: PageSource = async (offset, at) => {
      known = await this.verifier.knownSize();
      const { keys, ...rest } = request;
      try {
        return (await buildBundle(this.backend, {
          ...rest,
          ...(keys && !unproved ? { keys } : {}),
          ...(at !== undefined ? { at } : {}),
          ...(keys ? { page: { offset, limit: LOOKUP_PAGE_ENTRIES } } : {}),
          known,
        })) as WireBundle;
      } catch (error) {
        throw asClientError(error);
      }
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

  async statuses(digests: readonly string[], options?: ReadOptions): Promise<VerifiedStatuses> {
    const at = options?.at;
    checkAt(at);
    const bad = digests.find((d) => !DIGEST_RE.test(d));
    if (bad !== undefined) {
      throw new LedgerClientError(
        'ARGUMENT_INVALID',
        'input',
        `"${bad}" is not a sha256:<hex> digest`,
      );
    }
    const unique = [...new Set(digests)];
    if (unique.length === 0) {
      const cp = await this.checkpoint();
      return { checkpoint: cp, tree: cp, subjects: [], revocations: [] };
    }
    const known = await this.verifier.knownSize();
    let bundle: WireBundle;
    try {
      bundle = (await buildStatusBundle(this.backend, {
        subjects: unique,
        ...(at !== undefined ? { at } : {}),
        known,
      })) as WireBundle;
    } catch (error) {
      throw asClientError(error);
    }
    const verified = await verifyStatuses(
      this.verifier,
      this.checkCheckpoint,
      bundle,
      unique,
      at,
      known,
    );
    return { ...verified, proof: [bundle] };
  }

  async entry(
    index: number,
    options?: ReadOptions,
  ): Promise<VerifiedLookup & { found: VerifiedEntry }> {
    const result = await this.lookup(
      {
        select: async (size) => {
          if (!Number.isSafeInteger(index) || index < 0 || index >= size) {
            throw new LedgerClientError(
              'NOT_FOUND',
              'input',
              `no entry ${index}: the tree has ${size} entries`,
            );
          }
          return [index];
        },
      },
      options,
      { matches: () => true, what: `index ${index}` },
    );
    const found = result.entries[0];
    if (!found || found.index !== index) {
      throw verificationError('ENTRY_MISMATCH', `asked for entry ${index}, got another`);
    }
    return { ...result, found };
  }

  subject(digest: string, options?: ReadOptions): Promise<VerifiedLookup> {
    if (!DIGEST_RE.test(digest)) {
      return Promise.reject(
        new LedgerClientError(
          'ARGUMENT_INVALID',
          'input',
          `"${digest}" is not a sha256:<hex> digest`,
        ),
      );
    }
    return this.lookup(
      { keys: [subjectKey(digest)], select: (size) => this.backend.subjectIndexes(digest, size) },
      options,
      { matches: namesSubject(digest), what: digest, completeKey: subjectKey(digest) },
    );
  }

  job(
    provider: string,
    project: string,
    jobId: string,
    options?: ReadOptions,
  ): Promise<VerifiedLookup> {
    const key = jobKey({ provider, project, jobId });
    return this.lookup(
      { keys: [key], select: (size) => this.backend.jobIndexes(provider, project, jobId, size) },
      options,
      {
        matches: isForJob(provider, project, jobId),
        what: `job ${provider}/${project}/${jobId}`,
        completeKey: key,
      },
    );
  }

  async consistency(size1: number, size2: number): Promise<ConsistencyProof> {
    const latest = await this.backend.latest();
    if (!(Number.isSafeInteger(size1) && size1 >= 1 && size1 <= size2 && size2 <= latest.size)) {
      throw new LedgerClientError(
        'ARGUMENT_INVALID',
        'input',
        `a consistency proof needs 1 <= size1 <= size2 <= ${latest.size}; got ${size1}, ${size2}`,
      );
    }
    const proof = await this.backend.consistencyProof(size1, size2);
    return { size1, size2, proof: proofFromBase64(b64s(proof), 'consistency') };
  }

  async putBlob(
    body: AsyncIterable<Uint8Array> | Uint8Array,
    options?: BlobPutOptions,
  ): Promise<BlobInfo> {
    await this.blobs.init();
    const source: AsyncIterable<Uint8Array> =
      body instanceof Uint8Array
        ? (async function* () {
            yield body;
          })()
        : body;
    try {
      return await this.blobs.put(source, options?.digest);
    } catch (error) {
      if ((error as { code?: string }).code === 'DIGEST_MISMATCH') {
        throw verificationError('BLOB_DIGEST_MISMATCH', (error as Error).message, error);
      }
      throw asClientError(error);
    }
  }

  async getBlob(digest: string): Promise<BlobDownload> {
    if (!DIGEST_RE.test(digest)) {
      throw new LedgerClientError(
        'ARGUMENT_INVALID',
        'input',
        `"${digest}" is not a sha256:<hex> digest`,
      );
    }
    const blob = await this.blobs.get(digest);
    if (!blob)
      throw new LedgerClientError('NOT_FOUND', 'input', `no blob ${digest} in ${this.url}`);
    return { digest, size: blob.size, body: verifyingStream(blob.open(), digest, blob.size) };
  }

  close(): Promise<void> {
    return this.ledger.close();
  }
}

function callerOf(p: { name: string; role: string; auth: string }) {
  return { name: p.name, role: p.role, auth: p.auth };
}
