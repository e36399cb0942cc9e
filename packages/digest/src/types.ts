import type { Dispatcher } from 'undici';

export type SubjectType = 'file' | 'directory' | 'oci' | 'docker-archive' | 'registry' | 'digest';

/** One platform manifest of a multi-platform index. */
export interface PlatformDigest {
  /** `os/architecture[/variant]`, or `unknown` when the index entry names no platform. */
  platform: string;
  digest: string;
  mediaType?: string;
  size?: number;
}

export interface DigestResult {
  /** The subject as given (for a glob: the matched path). */
  subject: string;
  type: SubjectType;
  /** `sha256:<64 lowercase hex>`. */
  digest: string;
  /** Bytes: the file, the sum of a directory's files, or the manifest/index document. */
  size?: number;
  /** Number of files hashed (directories only). */
  files?: number;
  /** Media type of the manifest or index (images only). */
  mediaType?: string;
  /** For a multi-platform index: each platform's manifest digest. */
  platforms?: PlatformDigest[];
  /** docker-archive only: the image config digest (Docker's image id). */
  configDigest?: string;
}

/** How symlinks met while walking a directory are treated (a top-level symlink is always followed). */
export type SymlinkMode = 'error' | 'follow' | 'skip';

export interface DigestProgress {
  subject: string;
  /** Bytes hashed so far for this subject. */
  bytes: number;
  /** Total bytes when known (files, directories after the walk). */
  totalBytes?: number;
  /** Files done and total (directories). */
  files?: number;
  totalFiles?: number;
}

export interface DigestOptions {
  /** Base for relative paths and globs (default: process.cwd()). */
  cwd?: string;
  /** Symlinks inside directories: 'error' (default), 'follow' or 'skip'. */
  symlinks?: SymlinkMode;
  /** FIFOs, sockets and devices inside directories: 'error' (default) or 'skip'. */
  specialFiles?: 'error' | 'skip';
  /** Files hashed at once (default: 2 x CPU cores, at least 4). */
  concurrency?: number;
  /** Called now and then during long work; never more often than every ~100 ms per subject. */
  onProgress?: (progress: DigestProgress) => void;
  /** Registry: allow plain http / unverified TLS for any host (loopback is always allowed http). */
  insecure?: boolean;
  /** Registry: the undici dispatcher to use (default: an Agent with the timeouts below). */
  dispatcher?: Dispatcher;
  /** Registry: per-request timeout in ms (connect, headers and body each; default 30 s). */
  timeoutMs?: number;
  /** Environment for credentials (default: process.env). */
  env?: NodeJS.ProcessEnv;
  /** Cancels the work. */
  signal?: AbortSignal;
}
