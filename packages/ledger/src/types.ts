/** The shapes the ledger returns. Hashes and proofs are base64 (as in C2SP checkpoints). */
import type { LedgerEntry } from '@notarize/trust';

export interface SignedCheckpoint {
  origin: string;
  size: number;
  /** Base64 root hash. */
  root: string;
  /** The signed note (C2SP tlog-checkpoint in a signed-note). */
  note: string;
}

/** What an append returns per entry: offline-verifiable proof that the entry is in the log. */
export interface Receipt {
  index: number;
  /** Size of the checkpoint the proof leads to. */
  size: number;
  /** Base64 root of that checkpoint. */
  root: string;
  /** The signed checkpoint note. */
  checkpoint: string;
  /** RFC 9162 inclusion proof, base64 hashes, bottom-up. */
  proof: string[];
}

export interface ProvedEntry {
  index: number;
  entry: LedgerEntry;
  /** Base64 RFC 9162 leaf hash of the entry's canonical bytes. */
  leafHash: string;
  /** Inclusion proof to the result's checkpoint. */
  proof: string[];
}

export interface ConsistencyProof {
  size1: number;
  size2: number;
  proof: string[];
}

/** Every read names the checkpoint its proofs lead to. */
export interface ReadContext {
  checkpoint: SignedCheckpoint;
  /** When the read was "as of" an older size: consistency from it to the newest checkpoint. */
  consistency?: ConsistencyProof & { latest: SignedCheckpoint };
}

export interface EntryResult extends ReadContext {
  entry: ProvedEntry;
}

export interface LookupResult extends ReadContext {
  entries: ProvedEntry[];
}
