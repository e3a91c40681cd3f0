/**
 * `npm run grade -- merge --assignment NAME --out DIR SHARD_OUT...`: join the out folders of
 * `--shard i/N` runs (or of any grading runs) into one: every student's report.json is read and
 * validated against grader/schemas/report.schema.json, and DIR gets the same reports one
 * unsharded run writes (gradebook.csv, junit.xml, summary.*, <student>/report.json and
 * feedback.html), from the same report writers.
 *
 * A student found in two folders must have the same result in both (same submission, grading
 * configuration and points; the time it was graded may differ); otherwise merge stops and says which.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { Spec, StudentResult } from './types';
import { loadSpec, maxPoints } from './spec';
import { validator, firstError } from './schema';
import { writeStudentReports, writeBatchReports, type ReportFormat, type Summary } from './report';
import { MANIFEST, shardLabel, type ShardManifest } from './shard';
import { GraderError, UsageError } from './errors';

export interface MergeOptions {
  assignment: string;
  out: string;
  shardDirs: string[];
  /** Default grader/specs/<assignment> under repoRoot. */
  specDir?: string;
  repoRoot?: string;
  formats?: ReportFormat[];
}

export interface MergeResult {
  results: StudentResult[];
  summary: Summary;
  outDir: string;
  configuration: string;
  /** Students a shard's grader failed on (they have no row; re-run that shard). */
  failures: Array<{ student: string; shard: string }>;
}

class MergeError extends GraderError {
  constructor(message: string) {
    super(message, 'MERGE');
    this.name = 'MergeError';
  }
}

function readJson(file: string, what: string): unknown {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new MergeError(`cannot read ${what} ${file}: ${(e as Error).message.split('\n')[0]}`);
  }
}

/** The fields that make two results of one student the same result (not when or how fast it was graded). */
function identity(r: StudentResult): string {
  return JSON.stringify({
    h: r.submissionHash,
    c: r.configKey,
    t: r.total,
    m: r.maxTotal,
    inv: r.invalid ?? null,
    items: r.items.map((i) => [i.id, i.points, i.pendingManual ?? false]),
  });
}

/** The students of one out folder: those its shard.json lists, or else every sub-folder with a report.json. */
function studentsOf(dir: string): { students: string[]; manifest: ShardManifest | null; configuration: string | null } {
  const mfile = path.join(dir, MANIFEST);
  const manifest = fs.existsSync(mfile) ? (readJson(mfile, 'shard manifest') as ShardManifest) : null;
  if (manifest && (!Array.isArray(manifest.students) || !manifest.shard))
    throw new MergeError(`${mfile} is not a shard manifest written by the grader; remove it or re-run that shard`);
  const sfile = path.join(dir, 'summary.json');
  const configuration =
    manifest?.configuration ??
    (fs.existsSync(sfile) ? ((readJson(sfile, 'summary') as { configuration?: string }).configuration ?? null) : null);
  if (manifest) return { students: manifest.students, manifest, configuration };
  const students = fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && !d.name.startsWith('.') && fs.existsSync(path.join(dir, d.name, 'report.json')))
    .map((d) => d.name)
    .sort();
  return { students, manifest, configuration };
}

export function mergeShards(o: MergeOptions): MergeResult {
  if (!o.shardDirs.length)
    throw new UsageError(
      'merge needs at least one shard out folder after the options (e.g. merge --assignment mini --out all shard-0 shard-1)',
    );
  const repoRoot = o.repoRoot ?? path.resolve(__dirname, '..');
  const specDir = path.resolve(o.specDir ?? path.join(repoRoot, 'grader', 'specs', o.assignment));
  if (!fs.existsSync(specDir))
    throw new UsageError(`no grading spec for assignment ${o.assignment}: ${specDir} does not exist`);
  const spec: Spec = loadSpec(specDir);
  if (spec.assignment !== o.assignment)
    throw new UsageError(`${specDir}/spec.json is for assignment ${spec.assignment}, not ${o.assignment}`);
  const outDir = path.resolve(o.out);
  const validate = validator('report.schema.json');
  const max = maxPoints(spec);

  const byStudent = new Map<string, { r: StudentResult; from: string }>();
  const configurations = new Map<string, string>();
  const shards = new Map<number, Set<number>>();
  const failures: MergeResult['failures'] = [];
  for (const d of o.shardDirs) {
    const dir = path.resolve(d);
    if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory())
      throw new UsageError(`shard out folder ${d} does not exist; pass the --out folder of each shard`);
    const { students, manifest, configuration } = studentsOf(dir);
    if (manifest) {
      if (manifest.assignment !== o.assignment)
        throw new MergeError(`${d} holds a shard of assignment ${manifest.assignment}, not ${o.assignment}`);
      const seen = shards.get(manifest.shard.count) ?? new Set<number>();
      shards.set(manifest.shard.count, seen.add(manifest.shard.index));
      for (const s of manifest.failed ?? []) failures.push({ student: s, shard: d });
    }
    if (configuration) configurations.set(configuration, d);
    for (const student of students) {
      const file = path.join(dir, student, 'report.json');
      if (!fs.existsSync(file))
        throw new MergeError(`${d} lists ${student} but has no ${student}/report.json; re-run that shard`);
      const r = readJson(file, 'report');
      if (!validate(r))
        throw new MergeError(`${file} does not match report.schema.json: ${firstError(validate.errors)}`);
      const res = r as StudentResult;
      if (res.assignment !== o.assignment)
        throw new MergeError(`${file} is a report for assignment ${res.assignment}, not ${o.assignment}`);
      if (res.student !== student)
        throw new MergeError(`${file} is the report of ${res.student}, not ${student}; re-run that shard`);
      if (Math.abs(res.maxTotal - max) > 1e-9)
        throw new MergeError(
          `${file} is out of ${res.maxTotal} points but the spec in ${specDir} gives ${max}; it was graded against another spec`,
        );
      const prev = byStudent.get(student);
      if (prev && identity(prev.r) !== identity(res))
        throw new MergeError(
          `student ${student} has different results in ${prev.from} (${prev.r.total}/${prev.r.maxTotal}, submission ${prev.r.submissionHash.slice(0, 12)}) and ${d} (${res.total}/${res.maxTotal}, submission ${res.submissionHash.slice(0, 12)}); remove the stale report or re-grade that student`,
        );
      if (!prev) byStudent.set(student, { r: res, from: d });
    }
  }
  if (configurations.size > 1) {
    const [[a, da], [b, db]] = [...configurations];
    throw new MergeError(
      `the shards were graded in different configurations: ${da}: ${a}; ${db}: ${b}; re-grade them with the same options and TS231N_* settings`,
    );
  }
  if (shards.size > 1)
    throw new MergeError(
      `the folders hold shards of different splits (${[...shards.keys()].map((n) => `/${n}`).join(', ')}); merge the shards of one run`,
    );
  for (const [count, seen] of shards) {
    const missing = Array.from({ length: count }, (_, i) => i).filter((i) => !seen.has(i));
    if (missing.length)
      throw new MergeError(
        `shard${missing.length > 1 ? 's' : ''} ${missing.map((i) => shardLabel({ index: i, count })).join(', ')} missing: pass the --out folder of every shard (or re-run the missing one)`,
      );
  }

  const results = [...byStudent.values()]
    .map((v) => v.r)
    .sort((a, b) => (a.student < b.student ? -1 : a.student > b.student ? 1 : 0));
  const configuration = [...configurations.keys()][0] ?? 'configuration unknown';
  const formats = o.formats ?? [];
  fs.mkdirSync(outDir, { recursive: true });
  for (const r of results) writeStudentReports(outDir, spec, r, formats);
  const summary = writeBatchReports(
    outDir,
    spec,
    results,
    configuration,
    formats,
    failures.map((f) => ({ student: f.student, error: `the grader failed on it in ${f.shard}` })),
  );
  return { results, summary, outDir, configuration, failures };
}
