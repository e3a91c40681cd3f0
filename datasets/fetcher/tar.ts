/**
 * A minimal streaming reader for .tar.gz archives (POSIX ustar, GNU long names, pax `path`),
 * enough for the data sets' archives without a network package.
 *
 * A tar file is a sequence of 512-byte headers, each followed by its data padded to 512 bytes,
 * ended by two zero blocks. Header fields used: name [0,100), size [124,136) in octal (or base-256
 * when the top bit is set), checksum [148,156), type [156], ustar prefix [345,500). Only regular
 * files and folders are extracted; links and devices are skipped. Names that are absolute or
 * climb out with `..` are refused.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import { Writable } from 'stream';
import { pipeline } from 'stream/promises';
import { ArchiveError, GzipError } from '../errors';

const BLOCK = 512;

function field(h: Buffer, start: number, len: number): string {
  const raw = h.subarray(start, start + len);
  const end = raw.indexOf(0);
  return raw.subarray(0, end < 0 ? len : end).toString('utf8');
}

function numeric(h: Buffer, start: number, len: number): number {
  if (h[start] & 0x80) {
    let v = 0;
    for (let i = start + 1; i < start + len; i++) v = v * 256 + h[i];
    return v;
  }
  const s = field(h, start, len).trim();
  return s === '' ? 0 : parseInt(s, 8);
}

function checksumOk(h: Buffer): boolean {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : h[i];
  return sum === numeric(h, 148, 8);
}

/** Extracts regular files and folders; returns the paths written, relative to `dest`. */
class TarExtractor extends Writable {
  readonly written: string[] = [];
  private pending = Buffer.alloc(0);
  /** Bytes of the current entry's data still to come, and its padding after that. */
  private remaining = 0;
  private padding = 0;
  private fd: number | null = null;
  private collect: Buffer[] | null = null;
  private collectKind: 'longname' | 'pax' | null = null;
  private nextName: string | null = null;
  private ended = false;
  private offset = 0;

  constructor(
    private readonly archive: string,
    private readonly dest: string,
  ) {
    super();
  }

  _write(chunk: Buffer, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    try {
      this.consume(chunk);
      cb();
    } catch (e) {
      this.closeFd();
      cb(e as Error);
    }
  }

  _final(cb: (e?: Error | null) => void): void {
    this.closeFd();
    if (!this.ended && (this.remaining > 0 || this.pending.length > 0 || this.written.length === 0)) {
      cb(
        new ArchiveError(
          this.archive,
          `${this.archive} ends in the middle of an entry (at byte ${this.offset.toLocaleString('en-US')}); the download is incomplete, run the command again with --force`,
        ),
      );
      return;
    }
    cb();
  }

  private closeFd(): void {
    if (this.fd !== null) {
      fs.closeSync(this.fd);
      this.fd = null;
    }
  }

  private consume(chunk: Buffer): void {
    let buf = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = Buffer.alloc(0);
    while (buf.length > 0 && !this.ended) {
      if (this.remaining > 0) {
        const n = Math.min(this.remaining, buf.length);
        const piece = buf.subarray(0, n);
        if (this.fd !== null) fs.writeSync(this.fd, piece);
        else if (this.collect) this.collect.push(Buffer.from(piece));
        this.remaining -= n;
        this.offset += n;
        buf = buf.subarray(n);
        if (this.remaining === 0) this.finishEntry();
        continue;
      }
      if (this.padding > 0) {
        const n = Math.min(this.padding, buf.length);
        this.padding -= n;
        this.offset += n;
        buf = buf.subarray(n);
        continue;
      }
      if (buf.length < BLOCK) {
        this.pending = Buffer.from(buf);
        return;
      }
      const h = buf.subarray(0, BLOCK);
      buf = buf.subarray(BLOCK);
      this.header(h);
      this.offset += BLOCK;
    }
  }

  private header(h: Buffer): void {
    if (h.every((b) => b === 0)) {
      this.ended = true;
      return;
    }
    if (!checksumOk(h))
      throw new ArchiveError(
        this.archive,
        `${this.archive} is not a tar archive or is corrupt (bad header checksum at byte ${this.offset.toLocaleString('en-US')}); run the command again with --force`,
      );
    const type = String.fromCharCode(h[156] || 0x30);
    const size = numeric(h, 124, 12);
    const prefix = h.subarray(257, 262).toString('latin1') === 'ustar' ? field(h, 345, 155) : '';
    const name = this.nextName ?? (prefix ? `${prefix}/${field(h, 0, 100)}` : field(h, 0, 100));
    this.remaining = size;
    this.padding = (BLOCK - (size % BLOCK)) % BLOCK;
    if (type === 'L' || type === 'x') {
      this.collect = [];
      this.collectKind = type === 'L' ? 'longname' : 'pax';
    } else {
      this.nextName = null;
      if (type === '0' || type === '7') this.openFile(name);
      else if (type === '5') fs.mkdirSync(this.target(name), { recursive: true });
      // other types (links, devices, global pax headers): data skipped
    }
    if (this.remaining === 0) this.finishEntry();
  }

  private target(name: string): string {
    const clean = name.replace(/\/+$/, '');
    if (path.isAbsolute(clean) || clean.split('/').includes('..')) {
      throw new ArchiveError(this.archive, `${this.archive} holds an unsafe path "${name}"; refusing to extract it`);
    }
    return path.join(this.dest, clean);
  }

  private openFile(name: string): void {
    const p = this.target(name);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    this.fd = fs.openSync(p, 'w');
    this.written.push(path.relative(this.dest, p));
  }

  private finishEntry(): void {
    this.closeFd();
    if (this.collect) {
      const data = Buffer.concat(this.collect).toString('utf8');
      if (this.collectKind === 'longname') this.nextName = data.replace(/\0.*$/s, '');
      else {
        // pax records: "<len> key=value\n"
        const m = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(data);
        if (m) this.nextName = m[1];
      }
      this.collect = null;
      this.collectKind = null;
    }
  }
}

/** Extracts `archive` (.tar.gz) into `dest`; returns the files written (relative paths). */
export async function extractTarGz(archive: string, dest: string): Promise<string[]> {
  fs.mkdirSync(dest, { recursive: true });
  const tar = new TarExtractor(archive, dest);
  const gunzip = zlib.createGunzip();
  try {
    await pipeline(fs.createReadStream(archive), gunzip, tar);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err instanceof ArchiveError) throw err;
    if (err.code?.startsWith('Z_') || /incorrect header check|unexpected end of file|invalid/.test(err.message))
      throw new GzipError(archive, err.message);
    throw err;
  }
  return tar.written;
}
