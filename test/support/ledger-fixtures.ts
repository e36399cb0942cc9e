/** Entries for the ledger tests and benchmarks: valid, varied, deterministic. */
import { createHash } from 'node:crypto';
import { canonicalBytes, type LedgerEntry } from '@notarize/trust';

export function digestOf(seed: string): string {
  return createHash('sha256').update(seed).digest('hex');
}

export interface FixtureOptions {
  /** Subject seed (entries with the same seed share the subject digest). */
  subject?: string;
  identity?: string;
  jobId?: string;
  kind?: LedgerEntry['kind'];
  time?: string;
}

export function makeEntry(n: number, options: FixtureOptions = {}): LedgerEntry {
  const kind = options.kind ?? (options.jobId ? 'evidence' : 'assertion');
  return {
    v: 1,
    kind,
    statement: {
      _type: 'https://in-toto.io/Statement/v1',
      subject: [
        { name: `artifact-${n}.tgz`, digest: { sha256: digestOf(options.subject ?? `s${n}`) } },
      ],
      predicateType: `https://notarize-action.dev/${kind}/v1`,
      predicate: {
        status: 'trusted',
        reason: `entry ${n}`,
        ci: {
          provider: 'github',
          project: 'acme/widgets',
          ...(options.jobId ? { jobId: options.jobId } : {}),
          commit: digestOf(`c${n}`).slice(0, 40),
        },
      },
    },
    identity: { name: options.identity ?? 'ci', role: 'pipeline', auth: 'local' },
    time: options.time ?? '2026-11-23T20:00:00Z',
  };
}

export function entryBytes(n: number, options: FixtureOptions = {}): Uint8Array {
  return canonicalBytes(makeEntry(n, options));
}
