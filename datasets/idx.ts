/**
 * The IDX format (MNIST, Fashion-MNIST): a big-endian header, then the data row-major.
 *
 *   bytes 0–1  0x00 0x00
 *   byte  2    element type (0x08 = unsigned byte, the only one these data sets use)
 *   byte  3    number of dimensions d
 *   then d big-endian uint32 sizes, then the elements.
 *
 * So images are magic 0x00000803 (N × rows × cols) and labels 0x00000801 (N). Files may be
 * gzip-compressed (`.gz`, detected by the gzip magic 1f 8b, not by the name).
 */
import * as fs from 'fs';
import * as zlib from 'zlib';
import { GzipError, IdxMagicError, RecordCountError, TruncatedFileError } from './errors';

const UBYTE = 0x08;

export interface IdxArray {
  dims: number[];
  /** The elements, a view on the file's bytes. */
  data: Uint8Array;
}

/** The file's bytes, inflated when they start with the gzip magic number. */
export function readMaybeGzip(file: string): Buffer {
  const bytes = fs.readFileSync(file);
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      return zlib.gunzipSync(bytes);
    } catch (e) {
      throw new GzipError(file, (e as Error).message);
    }
  }
  if (file.endsWith('.gz')) throw new GzipError(file, 'no gzip header');
  return bytes;
}

/**
 * Parses an IDX file of unsigned bytes with `ndim` dimensions (3 for images, 1 for labels).
 * `what` names the content in error messages ("images", "labels").
 */
export function readIdx(file: string, ndim: number, what: string, fix: string): IdxArray {
  const buf = readMaybeGzip(file);
  const expectedMagic = (UBYTE << 8) | ndim;
  if (buf.length < 4) throw new TruncatedFileError(file, 4 + 4 * ndim, buf.length, fix);
  const magic = buf.readUInt32BE(0);
  if (magic !== expectedMagic) throw new IdxMagicError(file, expectedMagic, magic, what);
  const headerBytes = 4 + 4 * ndim;
  if (buf.length < headerBytes) throw new TruncatedFileError(file, headerBytes, buf.length, fix);
  const dims: number[] = [];
  for (let i = 0; i < ndim; i++) dims.push(buf.readUInt32BE(4 + 4 * i));
  const perRecord = dims.slice(1).reduce((a, b) => a * b, 1);
  const expected = headerBytes + dims[0] * perRecord;
  if (buf.length < expected)
    throw new TruncatedFileError(
      file,
      expected,
      buf.length,
      `the header promises ${dims[0].toLocaleString('en-US')} ${what}; ${fix}`,
    );
  if (buf.length > expected) {
    const found = (buf.length - headerBytes) / perRecord;
    throw new RecordCountError(
      file,
      dims[0],
      found,
      `the header says ${dims[0].toLocaleString('en-US')} ${what} but the data holds ${formatCount(found)} (${(buf.length - expected).toLocaleString('en-US')} extra bytes)`,
    );
  }
  return { dims, data: new Uint8Array(buf.buffer, buf.byteOffset + headerBytes, expected - headerBytes) };
}

function formatCount(n: number): string {
  return Number.isInteger(n) ? n.toLocaleString('en-US') : n.toFixed(2);
}
