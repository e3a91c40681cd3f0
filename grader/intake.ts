/**
 * Intake: turn each entry of --submissions (a folder or a .zip) into a private copy laid out like
 * the assignment folder, with a content hash. Zips are unpacked safely: absolute paths and `..`
 * entries, too many files and too many bytes (zip bombs) make the submission invalid, with the reason.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as crypto from 'crypto';
import * as yauzl from 'yauzl';
import type { Spec, Submission } from './types';

export interface IntakeLimits {
  /** Most files a submission may hold. */
  maxFiles: number;
  /** Most bytes (uncompressed) a submission may hold. */
  maxBytes: number;
}

export const DEFAULT_LIMITS: IntakeLimits = { maxFiles: 2000, maxBytes: 200 * 1024 * 1024 };

/** Student names become folder names in the output: keep them to a safe alphabet. */
export function studentName(entry: string): string {
  const base = path.basename(entry).replace(/\.zip$/i, '');
  return base.replace(/[^A-Za-z0-9._@-]+/g, '_').replace(/^\.+/, '_') || 'unnamed';
}

/** The submissions in a folder: sub-folders and .zip files, sorted by name; hidden entries skipped. */
export function listSubmissions(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((d) => !d.name.startsWith('.') && (d.isDirectory() || (d.isFile() && /\.zip$/i.test(d.name))))
    .map((d) => path.join(dir, d.name))
    .sort();
}

class InvalidSubmission extends Error {}

function walk(
  dir: string,
  limits: IntakeLimits,
  rel = '',
  out: string[] = [],
  skipped: string[] = [],
): { files: string[]; skipped: string[] } {
  for (const d of fs
    .readdirSync(path.join(dir, rel), { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const r = rel ? `${rel}/${d.name}` : d.name;
    if (d.isSymbolicLink()) skipped.push(r);
    else if (d.isDirectory()) {
      if (d.name === 'node_modules' || d.name === '.ipynb_checkpoints') continue;
      walk(dir, limits, r, out, skipped);
    } else if (d.isFile()) {
      out.push(r);
      if (out.length > limits.maxFiles) throw new InvalidSubmission(`more than ${limits.maxFiles} files`);
    }
  }
  return { files: out, skipped };
}

/** Hash of a folder's regular files: relative path and content, in sorted order. */
export function hashFolder(dir: string, limits: IntakeLimits = DEFAULT_LIMITS): string {
  const h = crypto.createHash('sha256');
  for (const f of walk(dir, limits).files)
    h.update(f + '\0')
      .update(fs.readFileSync(path.join(dir, f)))
      .update('\0');
  return h.digest('hex');
}

function copyFolder(src: string, dest: string, limits: IntakeLimits): string[] {
  const { files, skipped } = walk(src, limits);
  let bytes = 0;
  for (const f of files) {
    bytes += fs.statSync(path.join(src, f)).size;
    if (bytes > limits.maxBytes) throw new InvalidSubmission(`more than ${limits.maxBytes} bytes`);
    fs.mkdirSync(path.dirname(path.join(dest, f)), { recursive: true });
    fs.copyFileSync(path.join(src, f), path.join(dest, f));
  }
  return skipped.map((s) => `symbolic link ${s} ignored`);
}

/** Entry names a safe unzip refuses: absolute, drive letters, backslashes, `..` segments. */
export function unsafeEntryName(name: string): string | null {
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name)) return `absolute path ${JSON.stringify(name)}`;
  if (name.includes('\\')) return `backslash in ${JSON.stringify(name)}`;
  if (name.split('/').includes('..')) return `".." in ${JSON.stringify(name)}`;
  return null;
}

/** Unpack a zip into dest, or throw InvalidSubmission with the reason. */
export function safeUnzip(zipFile: string, dest: string, limits: IntakeLimits): Promise<void> {
  return new Promise((resolve, reject) => {
    // decodeStrings false: we check names ourselves and report them instead of yauzl's generic error.
    yauzl.open(
      zipFile,
      { lazyEntries: true, decodeStrings: true, validateEntrySizes: true, strictFileNames: false },
      (err, zip) => {
        if (err || !zip)
          return reject(new InvalidSubmission(`not a readable zip file (${err?.message ?? 'unknown error'})`));
        let files = 0;
        let declared = 0;
        let written = 0;
        const fail = (e: Error) => {
          zip.close();
          reject(
            e instanceof InvalidSubmission
              ? e
              : new InvalidSubmission(
                  /path/.test(e.message) ? `unsafe zip entry (zip slip): ${e.message}` : `unreadable zip: ${e.message}`,
                ),
          );
        };
        zip.on('error', fail);
        zip.on('end', () => resolve());
        zip.on('entry', (entry: yauzl.Entry) => {
          const unsafe = unsafeEntryName(entry.fileName);
          if (unsafe) return fail(new InvalidSubmission(`zip entry with ${unsafe} (zip slip)`));
          if (entry.fileName.endsWith('/')) return zip.readEntry();
          files++;
          declared += entry.uncompressedSize;
          if (files > limits.maxFiles)
            return fail(new InvalidSubmission(`zip holds more than ${limits.maxFiles} files`));
          if (declared > limits.maxBytes)
            return fail(new InvalidSubmission(`zip expands to more than ${limits.maxBytes} bytes (zip bomb?)`));
          const target = path.join(dest, entry.fileName);
          if (!target.startsWith(dest + path.sep))
            return fail(
              new InvalidSubmission(`zip entry ${JSON.stringify(entry.fileName)} escapes the folder (zip slip)`),
            );
          zip.openReadStream(entry, (e, stream) => {
            if (e || !stream) return fail(e ?? new Error('cannot read a zip entry'));
            fs.mkdirSync(path.dirname(target), { recursive: true });
            const out = fs.createWriteStream(target);
            stream.on('data', (chunk: Buffer) => {
              written += chunk.length;
              if (written > limits.maxBytes) {
                stream.destroy();
                out.destroy();
                fail(new InvalidSubmission(`zip expands to more than ${limits.maxBytes} bytes (zip bomb?)`));
              }
            });
            stream.on('error', fail);
            out.on('finish', () => zip.readEntry());
            stream.pipe(out);
          });
        });
        zip.readEntry();
      },
    );
  });
}

/** When everything sits in one top-level folder (a zipped folder), use that folder. */
function unwrap(root: string, spec: Spec): string {
  const wanted = [...spec.notebooks, ...spec.modules];
  const hasAny = (dir: string) => wanted.some((f) => fs.existsSync(path.join(dir, f)));
  if (hasAny(root)) return root;
  const entries = fs
    .readdirSync(root, { withFileTypes: true })
    .filter((d) => !d.name.startsWith('.') && d.name !== '__MACOSX');
  if (entries.length === 1 && entries[0].isDirectory() && hasAny(path.join(root, entries[0].name)))
    return path.join(root, entries[0].name);
  return root;
}

/**
 * Copy (or unpack) one submission into `dest` (the assignment folder of its workspace).
 * Never throws for a bad submission: it comes back with `invalid` set.
 */
export async function intake(
  entry: string,
  dest: string,
  spec: Spec,
  limits: IntakeLimits = DEFAULT_LIMITS,
): Promise<Submission & { notes: string[] }> {
  const student = studentName(entry);
  fs.rmSync(dest, { recursive: true, force: true });
  fs.mkdirSync(dest, { recursive: true });
  const isZip = /\.zip$/i.test(entry) && fs.statSync(entry).isFile();
  let hash: string;
  let notes: string[] = [];
  try {
    if (isZip) {
      hash = crypto.createHash('sha256').update(fs.readFileSync(entry)).digest('hex');
      await safeUnzip(entry, dest, limits);
    } else {
      hash = hashFolder(entry, limits);
      notes = copyFolder(entry, dest, limits);
    }
  } catch (e) {
    if (!(e instanceof InvalidSubmission)) throw e;
    hash ??= crypto.createHash('sha256').update(entry).digest('hex');
    fs.rmSync(dest, { recursive: true, force: true });
    return { student, source: entry, hash: hash!, root: null, invalid: e.message, missing: [], notes };
  }
  const root = unwrap(dest, spec);
  if (root !== dest) {
    // Move the wrapped folder's content up so that the submission's files sit where the spec expects them.
    const tmp = dest + '.unwrap';
    fs.renameSync(root, tmp);
    fs.rmSync(dest, { recursive: true, force: true });
    fs.renameSync(tmp, dest);
  }
  const present = walk(dest, limits).files;
  if (present.length === 0)
    return { student, source: entry, hash: hash!, root: null, invalid: 'the submission is empty', missing: [], notes };
  const missing = [...spec.notebooks, ...spec.modules].filter((f) => !fs.existsSync(path.join(dest, f)));
  return { student, source: entry, hash: hash!, root: dest, missing, notes };
}
