/**
 * `--shard i/N`: grade only every N-th submission, so that N machines (a Kubernetes Indexed Job,
 * one pod per index) share a batch; `grade merge` then joins their out folders (merge.ts).
 *
 * Which shard a submission belongs to: its position in the sorted list of submission entries
 * (the order the batch uses, `listSubmissions`), modulo N. Every shard must see the same
 * submissions folder; adding or removing a student moves the students after it to other shards
 * (fine for one grading run, where every shard is graded from scratch or resumes in its own folder).
 *
 * The batch grades a whole folder, so a shard is graded from a view of the submissions folder
 * that holds only the shard's entries (hard links where the file system allows, copies otherwise),
 * with the student names the full folder would give them (`alice`, `alice-2` for a second `alice.zip`).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { listSubmissions, studentName } from './intake';
import { writeAtomic } from './report';
import { UsageError } from './errors';

export interface Shard {
  index: number;
  count: number;
}

/** `i/N` with 0 ≤ i < N; anything else is a usage error that says what is expected. */
export function parseShard(arg: string | undefined): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(arg ?? '');
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || index >= count || !Number.isSafeInteger(count))
    throw new UsageError(
      `--shard needs i/N with 0 <= i < N (e.g. --shard 0/4 for the first of 4 shards), got ${arg ?? 'nothing'}`,
    );
  return { index, count };
}

export function shardLabel(s: Shard): string {
  return `${s.index}/${s.count}`;
}

/** Every submission entry with the unique student name the batch gives it, in the batch's order. */
export function namedEntries(subsDir: string): Array<{ entry: string; student: string }> {
  const seen = new Map<string, number>();
  return listSubmissions(subsDir).map((entry) => {
    let student = studentName(entry);
    const k = (seen.get(student) ?? 0) + 1;
    seen.set(student, k);
    if (k > 1) student = `${student}-${k}`;
    return { entry, student };
  });
}

/** The entries of one shard: sorted position ≡ index (mod count). */
export function shardEntries(subsDir: string, s: Shard): Array<{ entry: string; student: string }> {
  return namedEntries(subsDir).filter((_, i) => i % s.count === s.index);
}

function linkOrCopy(src: string, dest: string): void {
  try {
    fs.linkSync(src, dest);
  } catch {
    fs.copyFileSync(src, dest);
  }
}

/** Mirror a submission entry: folders, files (hard link or copy) and symbolic links as links (intake reports those). */
function mirror(src: string, dest: string): void {
  const st = fs.lstatSync(src);
  if (st.isSymbolicLink()) fs.symlinkSync(fs.readlinkSync(src), dest);
  else if (st.isFile()) linkOrCopy(src, dest);
  else if (st.isDirectory()) {
    fs.mkdirSync(dest);
    for (const name of fs.readdirSync(src)) mirror(path.join(src, name), path.join(dest, name));
  }
}

/**
 * A temporary submissions folder with only the shard's entries, each named so that the batch
 * derives the same student name as from the full folder. The caller removes `dir` afterwards.
 */
export function shardView(subsDir: string, s: Shard): { dir: string; students: string[] } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ts231n-shard-'));
  try {
    const picked = shardEntries(subsDir, s);
    for (const { entry, student } of picked) {
      const isZip = fs.statSync(entry).isFile();
      const name = studentName(entry) === student ? path.basename(entry) : `${student}${isZip ? '.zip' : ''}`;
      mirror(entry, path.join(dir, name));
    }
    return { dir, students: picked.map((p) => p.student) };
  } catch (e) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}

/** `<out>/shard.json`: which shard an out folder holds and which students it graded (read by merge). */
export interface ShardManifest {
  assignment: string;
  shard: Shard;
  configuration: string;
  students: string[];
  failed: string[];
}

export const MANIFEST = 'shard.json';

export function writeManifest(outDir: string, m: ShardManifest): void {
  writeAtomic(path.join(outDir, MANIFEST), JSON.stringify(m, null, 2) + '\n');
}
