/**
 * `npm run grade -- --assignment assignment1 --submissions DIR --out DIR [--jobs N]
 *   [--cell-timeout S] [--notebook-timeout S] [--memory MB] [--force] [--student NAME]
 *   [--format gradescope|canvas] [--cache-dir DIR] [--shard i/N] [--profile] [--debug]`
 * `npm run grade -- merge --assignment NAME --out DIR [--format gradescope|canvas] SHARD_OUT...`
 *
 * Exit 0 when every submission was graded, whatever the scores; 1 when the grader itself could
 * not run (one line saying why; the stack only with --debug); 2 for a usage error.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { gradeBatch, type BatchResult, type GradeOptions, type Progress } from './batch';
import { GraderError, UsageError } from './errors';
import { REPORT_FORMATS, type ReportFormat } from './report';
import { parseShard, shardLabel, shardView, writeManifest, MANIFEST, type Shard } from './shard';
import { mergeShards } from './merge';
import { formatProfile, meanProfile } from './profile';
import type { RunProfile } from './types';
import { CommandLineError, parseCommandLine, type CommandLineOptions } from '../scripts/commandLine';

const USAGE =
  'usage: npm run grade -- --assignment NAME --submissions DIR --out DIR [--jobs N] [--cell-timeout S] [--notebook-timeout S] [--memory MB] [--force] [--student NAME] [--format gradescope|canvas] [--cache-dir DIR] [--shard i/N] [--profile] [--debug]\n       npm run grade -- merge --assignment NAME --out DIR [--format gradescope|canvas] [--debug] SHARD_OUT_DIR...';

export interface CliArgs extends GradeOptions {
  debug: boolean;
  /** Print where each submission's time went (and the mean) on stderr. */
  profile?: boolean;
  /** Grade only the submissions whose sorted position ≡ index (mod count). */
  shard?: Shard;
}

export interface MergeArgs {
  assignment: string;
  out: string;
  specDir?: string;
  formats: ReportFormat[];
  shardDirs: string[];
  debug: boolean;
}

/** Node's parseArgs with the grader's usage errors: one line saying what is wrong, then the usage. */
function parseOrUsage<T extends CommandLineOptions>(argv: string[], options: T, allowPositionals: boolean, what = '') {
  try {
    return parseCommandLine(argv, options, allowPositionals);
  } catch (e) {
    if (e instanceof CommandLineError) throw new UsageError(`${what}${e.message}\n${USAGE}`);
    throw e;
  }
}

function reportFormat(f: string): ReportFormat {
  if (!(REPORT_FORMATS as readonly string[]).includes(f))
    throw new UsageError(`unknown --format ${f} (known: ${REPORT_FORMATS.join(', ')})`);
  return f as ReportFormat;
}

function positive(flag: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!v || !Number.isFinite(n) || n <= 0) throw new UsageError(`${flag} needs a positive number, got ${v}`);
  return n;
}

const GRADE_OPTIONS = {
  assignment: { type: 'string' },
  submissions: { type: 'string' },
  out: { type: 'string' },
  jobs: { type: 'string' },
  'cell-timeout': { type: 'string' },
  'notebook-timeout': { type: 'string' },
  memory: { type: 'string' },
  force: { type: 'boolean' },
  student: { type: 'string' },
  'spec-dir': { type: 'string' },
  'solution-dir': { type: 'string' },
  'cache-dir': { type: 'string' },
  shard: { type: 'string' },
  format: { type: 'string', multiple: true },
  debug: { type: 'boolean' },
  profile: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export function parseArgs(argv: string[]): CliArgs {
  const { values: v } = parseOrUsage(argv, GRADE_OPTIONS, false);
  if (v.help) throw new UsageError(USAGE);
  for (const k of ['assignment', 'submissions', 'out'] as const)
    if (!v[k]) throw new UsageError(`--${k} is required\n${USAGE}`);
  if (v.shard !== undefined && v.student !== undefined) {
    throw new UsageError(
      '--student and --shard cannot be combined: grade one student without --shard, into the out folder of its shard',
    );
  }
  const jobs = positive('--jobs', v.jobs);
  return {
    assignment: v.assignment!,
    submissions: v.submissions!,
    out: v.out!,
    jobs: jobs === undefined ? undefined : Math.floor(jobs),
    cellTimeoutS: positive('--cell-timeout', v['cell-timeout']),
    notebookTimeoutS: positive('--notebook-timeout', v['notebook-timeout']),
    memoryMb: positive('--memory', v.memory),
    force: v.force,
    student: v.student,
    specDir: v['spec-dir'],
    solutionDir: v['solution-dir'],
    cacheDir: v['cache-dir'],
    shard: v.shard === undefined ? undefined : parseShard(v.shard),
    formats: (v.format ?? []).map(reportFormat),
    debug: v.debug ?? false,
    profile: v.profile ?? false,
  };
}

const MERGE_OPTIONS = {
  assignment: { type: 'string' },
  out: { type: 'string' },
  'spec-dir': { type: 'string' },
  format: { type: 'string', multiple: true },
  debug: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** `merge --assignment NAME --out DIR [--spec-dir DIR] [--format gradescope|canvas] [--debug] SHARD_OUT_DIR...` (argv after `merge`). */
export function parseMergeArgs(argv: string[]): MergeArgs {
  const { values: v, positionals } = parseOrUsage(argv, MERGE_OPTIONS, true, 'merge: ');
  if (v.help) throw new UsageError(USAGE);
  for (const k of ['assignment', 'out'] as const)
    if (!v[k]) throw new UsageError(`merge: --${k} is required\n${USAGE}`);
  if (!positionals.length) throw new UsageError(`merge: name the out folder of each shard after the options\n${USAGE}`);
  return {
    assignment: v.assignment!,
    out: v.out!,
    specDir: v['spec-dir'],
    formats: (v.format ?? []).map(reportFormat),
    shardDirs: positionals,
    debug: v.debug ?? false,
  };
}

function duration(s: number): string {
  if (s < 60) return `${Math.round(s)}s`;
  return `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s`;
}

/** Progress on stderr: a bar that redraws in place on a terminal, one line per student elsewhere. */
export function progressPrinter(stream: NodeJS.WriteStream = process.stderr): (p: Progress) => void {
  return (p) => {
    if (stream.isTTY) {
      const width = 30;
      const filled = p.total ? Math.round((p.done / p.total) * width) : width;
      const eta = p.etaS === null ? '' : ` ETA ${duration(p.etaS)}`;
      stream.write(
        `\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${p.done}/${p.total} graded (${p.skipped} unchanged, ${p.running} running)${eta}   `,
      );
      if (p.done === p.total) stream.write('\n');
    } else if (p.last) {
      const eta = p.etaS === null ? '' : `, ETA ${duration(p.etaS)}`;
      stream.write(
        `[${p.done}/${p.total}] ${p.last.student}: ${p.last.total}/${p.last.maxTotal}${p.last.skipped ? ' (unchanged, skipped)' : ''}${eta}\n`,
      );
    }
  };
}

/** Grade one shard: the batch on a view of the submissions folder holding only the shard's entries, then `<out>/shard.json`. */
async function gradeShard(o: GradeOptions, shard: Shard): Promise<BatchResult> {
  const subsDir = path.resolve(o.submissions);
  const outDir = path.resolve(o.out);
  if (!fs.existsSync(subsDir) || !fs.statSync(subsDir).isDirectory())
    throw new UsageError(`--submissions ${o.submissions} is not a folder`);
  if (outDir === subsDir || outDir.startsWith(subsDir + path.sep))
    throw new UsageError('--out must not be inside --submissions');
  const view = shardView(subsDir, shard);
  try {
    const res = await gradeBatch({ ...o, submissions: view.dir });
    writeManifest(res.outDir, {
      assignment: o.assignment,
      shard,
      configuration: res.configuration,
      students: res.results.map((r) => r.student),
      failed: res.failures.map((f) => f.student),
    });
    return res;
  } finally {
    fs.rmSync(view.dir, { recursive: true, force: true });
  }
}

async function mergeMain(args: MergeArgs): Promise<number> {
  const res = mergeShards({
    assignment: args.assignment,
    out: args.out,
    shardDirs: args.shardDirs,
    specDir: args.specDir,
    formats: args.formats,
  });
  for (const f of res.failures)
    process.stderr.write(`grader error on ${f.student} in ${f.shard}: it has no row; re-run that shard\n`);
  const s = res.summary;
  process.stdout.write(
    `${s.students} merged from ${args.shardDirs.length} folder${args.shardDirs.length === 1 ? '' : 's'}: mean ${s.mean}/${s.maxTotal}, median ${s.median}; ${res.configuration}; reports in ${res.outDir} (gradebook.csv, summary.txt, junit.xml, <student>/feedback.html)\n`,
  );
  return res.failures.length ? 1 : 0;
}

export async function main(argv: string[]): Promise<number> {
  let debug = false;
  try {
    if (argv[0] === 'merge') {
      const margs = parseMergeArgs(argv.slice(1));
      debug = margs.debug;
      return await mergeMain(margs);
    }
    const args = parseArgs(argv);
    debug = args.debug;
    const started = Date.now();
    const { shard, debug: _debug, profile, ...opts } = args;
    void _debug;
    const profiles: RunProfile[] = [];
    const walls: number[] = [];
    const options: GradeOptions = {
      ...opts,
      jobs: args.jobs ?? os.cpus().length,
      onReferenceStart: () =>
        process.stderr.write(
          'reference solution: from the cache, or computed now (minutes; cached for the next run)\n',
        ),
      onReferenceTask: (what, i, n) => process.stderr.write(`  reference ${i + 1}/${n}: ${what}\n`),
      onProgress: progressPrinter(),
      ...(profile
        ? {
            onProfile: (student: string, p: RunProfile, wallS: number) => {
              profiles.push(p);
              walls.push(wallS);
              process.stderr.write(formatProfile(student, p, wallS));
            },
          }
        : {}),
    };
    const res = shard ? await gradeShard(options, shard) : await gradeBatch(options);
    // An unsharded run's folder is not a shard: a manifest left by an earlier --shard run would mislead merge.
    if (!shard) fs.rmSync(path.join(res.outDir, MANIFEST), { force: true });
    if (profiles.length > 1)
      process.stderr.write(
        formatProfile(
          `the mean of ${profiles.length} submissions`,
          meanProfile(profiles),
          walls.reduce((a, b) => a + b, 0) / walls.length,
        ),
      );
    for (const note of res.sandboxNotes) process.stderr.write(`note: ${note}\n`);
    for (const f of res.failures) process.stderr.write(`grader error on ${f.student}: ${f.error}\n`);
    const s = res.summary;
    process.stdout.write(
      `${shard ? `shard ${shardLabel(shard)}: ` : ''}${s.students} graded (${res.graded} run, ${res.skipped} unchanged) in ${duration((Date.now() - started) / 1000)}: mean ${s.mean}/${s.maxTotal}, median ${s.median}; ${res.configuration}; reports in ${res.outDir} (gradebook.csv, summary.txt, junit.xml, <student>/feedback.html${shard ? `, ${MANIFEST}` : ''})\n`,
    );
    return res.failures.length ? 1 : 0;
  } catch (e) {
    const err = e as Error;
    if (debug) process.stderr.write(`${err.stack ?? err.message}\n`);
    else
      process.stderr.write(
        `grade: ${err.message.split('\n')[0]}${e instanceof GraderError ? '' : ' (run with --debug for the stack)'}\n`,
      );
    if (e instanceof UsageError && err.message.includes('\n'))
      process.stderr.write(err.message.split('\n').slice(1).join('\n') + '\n');
    return e instanceof UsageError ? 2 : 1;
  }
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => process.exit(code));
}
