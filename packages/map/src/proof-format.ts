// Tags of the proof byte stream (docs/formats.md, "Lookup map"). The same byte can mean different
// things in the two reading contexts: where keys are requested a tag starts a visit (INNER, LEAF,
// EMPTY); where none are, it starts a sibling (HASH or EMPTY).

/** An inner node: both children follow, left first. Only where keys are requested. */
export const TAG_INNER = 0x00;
/** A single-leaf subtree: key (32 bytes) and value hash (32 bytes) follow. */
export const TAG_LEAF = 0x01;
/** An empty subtree (hash = 32 zero bytes). */
export const TAG_EMPTY = 0x02;
/** An unrequested, non-empty subtree: its 32-byte hash follows. */
export const TAG_HASH = 0x03;

/** The deepest bit index; an inner node at depth 256 would have no bit to split on. */
export const KEY_BITS = 256;

/** A growable byte buffer for building proofs. */
export class ByteWriter {
  #buf = new Uint8Array(256);
  #len = 0;

  #reserve(n: number): void {
    if (this.#len + n <= this.#buf.length) return;
    const next = new Uint8Array(Math.max(this.#buf.length * 2, this.#len + n));
    next.set(this.#buf.subarray(0, this.#len));
    this.#buf = next;
  }

  byte(b: number): void {
    this.#reserve(1);
    this.#buf[this.#len++] = b;
  }

  /** Writes the char codes of a latin1 string (a key, hash or key || value hash). */
  latin1(s: string): void {
    this.#reserve(s.length);
    for (let i = 0; i < s.length; i++) this.#buf[this.#len++] = s.charCodeAt(i);
  }

  bytes(): Uint8Array {
    return this.#buf.slice(0, this.#len);
  }
}
