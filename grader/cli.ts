/**
 * `npm run grade -- --assignment assignment1 --submissions DIR --out DIR [--jobs N]
 *   [--cell-timeout S] [--notebook-timeout S] [--memory MB] [--force] [--student NAME]
 *   [--format gradescope] [--cache-dir DIR] [--debug]`
 *
 * Exit 0 when every submission was graded, whatever the scores; 1 when the grader itself could
 * not run (one line saying why; the stack only with --debug); 2 for a usage error.
 */
import * as os from 'os';
import { gradeBatch, type GradeOptions, type Progress } from './batch';
import { GraderError, UsageError } from './errors';
import type { ReportFormat } from './report';

const USAGE = 'usage: npm run grade -- --assignment NAME --submissions DIR --out DIR [--jobs N] [--cell-timeout S] [--notebook-timeout S] [--memory MB] [--force] [--student NAME] [--format gradescope] [--cache-dir DIR] [--debug]';

export interface CliArgs extends GradeOptions {
  debug: boolean;
}

export function parseArgs(argv: string[]): CliArgs {
  const a: Partial<CliArgs> & { debug: boolean; formats: ReportFormat[] } = { debug: false, formats: [] };
  const num = (flag: string, v: string | undefined) => {
    const n = Number(v);
    if (!v || !Number.isFinite(n) || n <= 0) throw new UsageError(`${flag} needs a positive number, got ${v ?? 'nothing'}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const val = () => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new UsageError(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--assignment': a.assignment = val(); break;
      case '--submissions': a.submissions = val(); break;
      case '--out': a.out = val(); break;
      case '--jobs': a.jobs = Math.floor(num(flag, argv[++i])); break;
      case '--cell-timeout': a.cellTimeoutS = num(flag, argv[++i]); break;
      case '--notebook-timeout': a.notebookTimeoutS = num(flag, argv[++i]); break;
      case '--memory': a.memoryMb = num(flag, argv[++i]); break;
      case '--force': a.force = true; break;
      case '--student': a.student = val(); break;
      case '--spec-dir': a.specDir = val(); break;
      case '--solution-dir': a.solutionDir = val(); break;
      case '--cache-dir': a.cacheDir = val(); break;
      case '--format': {
        const f = val();
        if (f !== 'gradescope') throw new UsageError(`unknown --format ${f} (known: gradescope)`);
        a.formats.push(f);
        break;
      }
      case '--debug': a.debug = true; break;
      case '--help': case '-h': throw new UsageError(USAGE);
      default: throw new UsageError(`unknown option ${flag}\n${USAGE}`);
    }
  }
  for (const k of ['assignment', 'submissions', 'out'] as const) if (!a[k]) throw new UsageError(`--${k} is required\n${USAGE}`);
  return a as CliArgs;
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
      stream.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${p.done}/${p.total} graded (${p.skipped} unchanged, ${p.running} running)${eta}   `);
      if (p.done === p.total) stream.write('\n');
    } else if (p.last) {
      const eta = p.etaS === null ? '' : `, ETA ${duration(p.etaS)}`;
      stream.write(`[${p.done}/${p.total}] ${p.last.student}: ${p.last.total}/${p.last.maxTotal}${p.last.skipped ? ' (unchanged, skipped)' : ''}${eta}\n`);
    }
  };
}

export async function main(argv: string[]): Promise<number> {
  let args: CliArgs | null = null;
  try {
    args = parseArgs(argv);
    const started = Date.now();
    const res = await gradeBatch({
      ...args,
      jobs: args.jobs ?? os.cpus().length,
      onReferenceStart: () => process.stderr.write('reference solution: from the cache, or computed now (minutes; cached for the next run)\n'),
      onReferenceTask: (what, i, n) => process.stderr.write(`  reference ${i + 1}/${n}: ${what}\n`),
      onProgress: progressPrinter(),
    });
    for (const note of res.sandboxNotes) process.stderr.write(`note: ${note}\n`);
    for (const f of res.failures) process.stderr.write(`grader error on ${f.student}: ${f.error}\n`);
    const s = res.summary;
    process.stdout.write(
      `${s.students} graded (${res.graded} run, ${res.skipped} unchanged) in ${duration((Date.now() - started) / 1000)}: mean ${s.mean}/${s.maxTotal}, median ${s.median}; ${res.configuration}; reports in ${res.outDir} (gradebook.csv, summary.txt, junit.xml, <student>/feedback.html)\n`,
    );
    return res.failures.length ? 1 : 0;
  } catch (e) {
    const err = e as Error;
    if (args?.debug) process.stderr.write(`${err.stack ?? err.message}\n`);
    else process.stderr.write(`grade: ${err.message.split('\n')[0]}${e instanceof GraderError ? '' : ' (run with --debug for the stack)'}\n`);
    if (e instanceof UsageError && err.message.includes('\n')) process.stderr.write(err.message.split('\n').slice(1).join('\n') + '\n');
    return e instanceof UsageError ? 2 : 1;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}
