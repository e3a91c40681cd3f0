/**
 * Runs notebooks headlessly through the engine:
 *
 *   npx tsx kernel/engine/cli.ts [--quick] [--timeout <s>] [--out <file.ipynb>] <notebook.ipynb>…
 *
 * Prints one line per failing cell and a summary per notebook; `--out` (one notebook only) writes
 * the notebook with its outputs and execution counts, as `jupyter nbconvert --execute` would.
 * Exits 1 when a cell failed, 2 on bad arguments.
 */
import * as fs from 'fs';
import * as path from 'path';
import { executeNotebook, executedNotebook } from './notebook';
import { CommandLineError, parseCommandLine } from '../../scripts/commandLine';

interface Args {
  files: string[];
  quick: boolean;
  timeoutS?: number;
  out?: string;
}

function usage(problem: string): never {
  process.stderr.write(
    `${problem}\nusage: npx tsx kernel/engine/cli.ts [--quick] [--timeout <seconds>] [--out <file.ipynb>] <notebook.ipynb>…\n`,
  );
  process.exit(2);
}

function parse(argv: string[]): Args {
  let parsed;
  try {
    parsed = parseCommandLine(
      argv,
      { quick: { type: 'boolean' }, timeout: { type: 'string' }, out: { type: 'string' } },
      true,
    );
  } catch (e) {
    if (e instanceof CommandLineError) usage(e.message);
    throw e;
  }
  const { values, positionals } = parsed;
  const a: Args = { files: positionals, quick: values.quick ?? false, out: values.out };
  if (values.timeout !== undefined) {
    const s = Number(values.timeout);
    if (!(s > 0)) usage(`--timeout needs a positive number of seconds, got ${values.timeout}`);
    a.timeoutS = s;
  }
  if (a.out === '') usage('--out needs a file name');
  if (!a.files.length) usage('no notebook given');
  if (a.out && a.files.length !== 1) usage('--out works with one notebook at a time');
  return a;
}

async function main(): Promise<void> {
  const args = parse(process.argv.slice(2));
  let failed = 0;
  for (const file of args.files) {
    const t0 = Date.now();
    const run = await executeNotebook(file, {
      env: args.quick ? { TS231N_QUICK: '1' } : {},
      cellTimeoutMs: args.timeoutS ? args.timeoutS * 1000 : undefined,
      // Progress only on a terminal: in logs a line per cell is noise.
      onCell: process.stderr.isTTY
        ? (i, n) => process.stderr.write(`\r${path.basename(file)}: cell ${i + 1}/${n}`)
        : undefined,
    });
    if (process.stderr.isTTY) process.stderr.write('\n');
    const bad = run.cells.filter((c) => c.reply.status !== 'ok');
    for (const c of bad)
      process.stdout.write(
        `${file} cell ${c.index + 1}: ${c.reply.error?.ename}: ${c.reply.error?.evalue.split('\n')[0]}\n`,
      );
    failed += bad.length;
    process.stdout.write(
      `${file}: ${run.cells.length} code cells, ${bad.length} failed, ${Object.keys(run.records).length} records, ${((Date.now() - t0) / 1000).toFixed(1)} s\n`,
    );
    if (args.out) fs.writeFileSync(args.out, JSON.stringify(executedNotebook(path.resolve(file), run), null, 1) + '\n');
  }
  process.exit(failed ? 1 : 0);
}

if (require.main === module) {
  main().catch((e: unknown) => {
    process.stderr.write(`${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}\n`);
    process.exit(2);
  });
}
