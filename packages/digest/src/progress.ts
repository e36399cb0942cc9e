import type { DigestProgress } from './types.ts';

/** Wraps a progress callback so it fires at most every `intervalMs` (plus once at the end). */
export function throttledProgress(
  onProgress: ((p: DigestProgress) => void) | undefined,
  intervalMs = 100,
): { report(p: DigestProgress): void; done(p: DigestProgress): void } {
  let last = 0;
  return {
    report(p) {
      if (!onProgress) return;
      const now = Date.now();
      if (now - last < intervalMs) return;
      last = now;
      onProgress(p);
    },
    done(p) {
      onProgress?.(p);
    },
  };
}
