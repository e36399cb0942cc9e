/**
 * Which identities are revoked. A revocation is a log entry whose subject is the identity's
 * digest (@notarize/trust identityDigest), so the subject index answers "was X revoked?" with one
 * lookup; answers are cached per name and updated when this service appends a revocation.
 */
import { identityDigest, type LedgerEntry } from '@notarize/trust';
import type { ServiceBackend } from './backend.ts';

export class RevocationCache {
  private readonly known = new Map<string, boolean>();
  private readonly backend: ServiceBackend;
  constructor(backend: ServiceBackend) {
    this.backend = backend;
  }

  async isRevoked(name: string): Promise<boolean> {
    const cached = this.known.get(name);
    if (cached !== undefined) return cached;
    const { size } = await this.backend.latest();
    const indexes =
      size === 0 ? [] : await this.backend.subjectIndexes(await identityDigest(name), size);
    let revoked = false;
    for (const index of indexes) {
      const [bytes] = await this.backend.entries(index, index + 1);
      const entry = JSON.parse(new TextDecoder().decode(bytes)) as LedgerEntry;
      const predicate = entry.statement.predicate as { identity?: unknown } | undefined;
      if (entry.kind === 'revocation' && predicate?.identity === name) revoked = true;
    }
    if (this.known.size > 100_000) this.known.clear();
    this.known.set(name, revoked);
    return revoked;
  }

  /** Called after a revocation of `name` was appended. */
  revoked(name: string): void {
    this.known.set(name, true);
  }
}
