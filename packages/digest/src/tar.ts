import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { DigestError } from './errors.ts';

/**
 * A minimal tar reader (ustar, GNU long names, pax `path`/`linkpath`/`size`), enough for `docker
 * save` archives. It reads only the 512-byte headers, seeking past the data, so indexing a
 * multi-GiB archive costs a few reads per entry; entries are then read or streamed by position.
 */
export interface TarEntry {
  name: string;
  /** '0' file, '1' hard link, '2' symlink, '5' directory, others kept as is. */
  type: string;
  size: number;
  /** Offset of the entry's data in the archive. */
  offset: number;
  linkname: string;
}

const BLOCK = 512;
/** Caps what a hostile archive can make us hold in memory. */
const MAX_META = 1 << 20;
const MAX_ENTRIES = 1_000_000;

export class TarIndex {
  readonly entries = new Map<string, TarEntry>();
  private readonly handle: FileHandle;
  private readonly display: string;

  private constructor(handle: FileHandle, display: string) {
    this.handle = handle;
    this.display = display;
  }

  static async read(handle: FileHandle, display: string): Promise<TarIndex> {
    const index = new TarIndex(handle, display);
    await index.scan();
    return index;
  }

  private bad(why: string): DigestError {
    return new DigestError(
      'DIGEST_BAD_ARCHIVE',
      `${this.display}: ${why}; not a valid docker save tar archive`,
    );
  }

  private async scan(): Promise<void> {
    const fileSize = (await this.handle.stat()).size;
    const header = Buffer.alloc(BLOCK);
    let pos = 0;
    let longName: string | undefined;
    let longLink: string | undefined;
    let pax: Record<string, string> = {};
    let count = 0;
    while (pos + BLOCK <= fileSize) {
      const { bytesRead } = await this.handle.read(header, 0, BLOCK, pos);
      if (bytesRead < BLOCK) throw this.bad('truncated header');
      if (header.every((b) => b === 0)) return; // end-of-archive marker
      if (!checksumOk(header)) throw this.bad(`bad header checksum at offset ${pos}`);
      if (++count > MAX_ENTRIES) throw this.bad('too many entries');
      const type = String.fromCharCode(header[156] ?? 0x30).replace('\0', '0');
      let size = parseNumber(header.subarray(124, 136));
      if (pax.size !== undefined) size = Number(pax.size);
      if (!Number.isSafeInteger(size) || size < 0) throw this.bad(`bad size at offset ${pos}`);
      const offset = pos + BLOCK;
      if (offset + size > fileSize) throw this.bad('truncated entry data');
      pos = offset + Math.ceil(size / BLOCK) * BLOCK;

      if (type === 'L' || type === 'K' || type === 'x') {
        if (size > MAX_META) throw this.bad('oversized metadata entry');
        const data = await this.readAt(offset, size);
        if (type === 'L') longName = cString(data);
        else if (type === 'K') longLink = cString(data);
        else pax = parsePax(data);
        continue;
      }
      if (type === 'g') continue; // global pax header: nothing we need
      const magic = header.subarray(257, 262).toString('latin1');
      const prefix = magic === 'ustar' ? cString(header.subarray(345, 500)) : '';
      const rawName = cString(header.subarray(0, 100));
      const name = pax.path ?? longName ?? (prefix ? `${prefix}/${rawName}` : rawName);
      const linkname = pax.linkpath ?? longLink ?? cString(header.subarray(157, 257));
      this.entries.set(normalize(name), { name: normalize(name), type, size, offset, linkname });
      longName = undefined;
      longLink = undefined;
      pax = {};
    }
  }

  /** Finds `name`, following hard and symbolic links inside the archive. */
  resolve(name: string): TarEntry {
    let current = normalize(name);
    for (let hops = 0; hops < 16; hops++) {
      const entry = this.entries.get(current);
      if (!entry) throw this.bad(`no entry "${name}"`);
      if (entry.type === '2') {
        current = normalize(path.posix.join(path.posix.dirname(current), entry.linkname));
      } else if (entry.type === '1') {
        current = normalize(entry.linkname);
      } else if (entry.type === '0' || entry.type === '7') {
        return entry;
      } else {
        throw this.bad(`"${name}" is not a file`);
      }
    }
    throw this.bad(`too many links resolving "${name}"`);
  }

  async readAt(offset: number, size: number): Promise<Buffer> {
    const buffer = Buffer.alloc(size);
    let done = 0;
    while (done < size) {
      const { bytesRead } = await this.handle.read(buffer, done, size - done, offset + done);
      if (bytesRead === 0) throw this.bad('unexpected end of file');
      done += bytesRead;
    }
    return buffer;
  }

  /** Reads a whole (small) entry, refusing entries over `max` bytes. */
  async read(name: string, max: number): Promise<Buffer> {
    const entry = this.resolve(name);
    if (entry.size > max) throw this.bad(`"${name}" is larger than ${max} bytes`);
    return this.readAt(entry.offset, entry.size);
  }

  /** Streams an entry's data (memory independent of its size). */
  stream(entry: TarEntry): Readable {
    if (entry.size === 0) {
      return Readable.from([]);
    }
    return this.handle.createReadStream({
      start: entry.offset,
      end: entry.offset + entry.size - 1,
      autoClose: false,
      highWaterMark: 1 << 20,
    });
  }
}

function normalize(name: string): string {
  let n = path.posix.normalize(name);
  while (n.startsWith('./')) n = n.slice(2);
  while (n.startsWith('/')) n = n.slice(1);
  if (n.endsWith('/')) n = n.slice(0, -1);
  return n;
}

function cString(b: Buffer): string {
  const end = b.indexOf(0);
  return b.subarray(0, end >= 0 ? end : b.length).toString('utf8');
}

/** Octal ASCII, or GNU base-256 when the high bit of the first byte is set. */
function parseNumber(field: Buffer): number {
  if (((field[0] ?? 0) & 0x80) !== 0) {
    let value = (field[0] ?? 0) & 0x7f;
    for (let i = 1; i < field.length; i++) value = value * 256 + (field[i] ?? 0);
    return value;
  }
  const text = field.toString('latin1').replace(/\0.*$/s, '').trim();
  return text.length === 0 ? 0 : Number.parseInt(text, 8);
}

function checksumOk(header: Buffer): boolean {
  const stored = parseNumber(header.subarray(148, 156));
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : (header[i] ?? 0);
  return sum === stored;
}

/** pax records: "<len> <key>=<value>\n". */
function parsePax(data: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let pos = 0;
  while (pos < data.length) {
    const space = data.indexOf(0x20, pos);
    if (space < 0) break;
    const len = Number.parseInt(data.subarray(pos, space).toString('latin1'), 10);
    if (!Number.isFinite(len) || len <= 0) break;
    const record = data.subarray(space + 1, pos + len - 1).toString('utf8');
    const eq = record.indexOf('=');
    if (eq > 0) out[record.slice(0, eq)] = record.slice(eq + 1);
    pos += len;
  }
  return out;
}
