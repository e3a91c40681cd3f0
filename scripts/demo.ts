/**
 * `npm run demo`: grade the example submissions of every assignment (examples/submissions/<name>:
 * complete, partial, broken) in quick mode with the offline data set, and say where the reports are.
 *
 * For each assignment the same as `TS231N_QUICK=1 npm run grade -- --assignment <name> --submissions
 * examples/submissions/<name> --out demo-out/<name>`, plus a table of the results.
 * Re-running is fast: the reference and unchanged students are reused (pass --force to redo).
 */
import * as os from 'os';
import * as path from 'path';
import { gradeBatch } from '../grader/batch';
import { progressPrinter } from '../grader/cli';
import { GraderError } from '../grader/errors';
import { EXAMPLE_SETS, buildExamples, examplesDir, staleExamples } from './examples';
import { CommandLineError, parseCommandLine } from './commandLine';
import { firstCauseLine } from '../grader/report/causes';

const REPO = path.resolve(__dirname, '..');

async function main(argv: string[]): Promise<number> {
  const { values } = parseCommandLine(argv, { force: { type: 'boolean' } });
  if (process.env.TS231N_QUICK === undefined) process.env.TS231N_QUICK = '1';
  let failed = 0;
  for (const assignment of Object.keys(EXAMPLE_SETS)) failed += await demo(assignment, values.force ?? false);
  return failed ? 1 : 0;
}

/** Grades one assignment's examples and prints the table; returns the number of grader failures. */
async function demo(assignment: string, force: boolean): Promise<number> {
  const EXAMPLES_DIR = examplesDir(assignment);
  // The examples are built from solutions/, not committed: (re)build them when missing or stale.
  const stale = staleExamples(EXAMPLES_DIR, assignment);
  if (stale.length) {
    buildExamples(EXAMPLES_DIR, assignment);
    process.stderr.write(
      `built the example submissions from solutions/ into ${path.relative(REPO, EXAMPLES_DIR)} (scripts/examples.ts)\n`,
    );
  }
  const out = path.join(REPO, 'demo-out', assignment);
  process.stderr.write(
    `grading ${path.relative(REPO, EXAMPLES_DIR)} (${process.env.TS231N_QUICK === '1' ? 'quick' : 'full'} configuration); the first run computes the reference solution, which takes a few minutes…\n`,
  );
  const started = Date.now();
  const res = await gradeBatch({
    assignment,
    submissions: EXAMPLES_DIR,
    out,
    jobs: Math.min(3, os.cpus().length),
    force,
    onProgress: progressPrinter(),
    onReferenceTask: (what, i, n) => process.stderr.write(`  reference ${i + 1}/${n}: ${what}\n`),
  });
  // One line per student, then its first root cause whole (file and line first), never cut.
  const rows = res.results.map((r) => {
    const lost = r.items.filter((i) => !i.pendingManual && i.points < i.maxPoints);
    const head = `  ${r.student.padEnd(10)} ${String(r.total).padStart(6)} / ${r.maxTotal}  ${lost.length ? `${lost.length} item${lost.length > 1 ? 's' : ''} short` : 'full marks'}`;
    const cause = firstCauseLine(r) ?? (lost[0] ? `${lost[0].id}: ${lost[0].reason}` : null);
    return cause ? `${head}\n  ${' '.repeat(10)} first fix: ${cause}` : head;
  });
  process.stdout.write(`\n${rows.join('\n')}\n\n`);
  for (const n of res.sandboxNotes) process.stdout.write(`note: ${n}\n`);
  process.stdout.write(
    [
      `${assignment}: graded ${res.results.length} submissions in ${Math.round((Date.now() - started) / 1000)} s (${res.configuration}). Reports:`,
      `  ${path.join(out, 'gradebook.csv')}   one row per student, one column per item`,
      `  ${path.join(out, 'summary.txt')}     mean, median, histogram`,
      `  ${path.join(out, 'junit.xml')}       for CI`,
      ...res.results.map((r) => `  ${path.join(out, r.student, 'feedback.html')}`),
      '',
    ].join('\n'),
  );
  return res.failures.length;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e) => {
    if (e instanceof CommandLineError) {
      process.stderr.write(`demo: ${e.message}\nusage: npm run demo [-- --force]\n`);
      process.exit(2);
    }
    process.stderr.write(
      `demo: ${(e as Error).message.split('\n')[0]}${e instanceof GraderError ? '' : ` (${(e as Error).name})`}\n`,
    );
    process.exit(1);
  },
);
