/** Runs assignment notebooks headlessly in a child process for the notebook tests. */
import * as path from 'path';
import { spawn } from 'child_process';
import type { NotebookSummary } from '../../scripts/notebooks/run';
import { notebookName, notebookSources } from '../../scripts/notebooks/build';
import { hasFashionMnist, defaultFashionMnistDir } from '../../datasets';
import { TESTS_DIR } from './paths';

export const REPO = path.resolve(TESTS_DIR, '..');

/** The notebooks of assignment 1: one per source `solutions/assignment1/<name>.nb.ts`. */
export const NAMES: readonly string[] = notebookSources(path.join(REPO, 'solutions', 'assignment1')).map(notebookName);

/** `describe` when the offline data set is installed (the setup installs it); otherwise skipped, with a warning naming `file`. */
export function describeWithData(file: string): jest.Describe {
  if (hasFashionMnist(defaultFashionMnistDir())) return describe;
  console.warn(
    `${file}: Fashion-MNIST is not installed (/usr/share/datasets/fashion-mnist; npm run setup installs it); the notebook runs are skipped`,
  );
  return describe.skip;
}

/** Upper bound for one batch of notebook runs (a loaded 2-core CI box is slow). */
export const RUN_LIMIT_MS = 900_000;

/** Runs notebooks through scripts/notebooks/run.ts in a child process; one summary per notebook. */
export function runNotebooks(
  files: string[],
  quick = true,
  limitMs = RUN_LIMIT_MS,
  extraArgs: string[] = [],
): Promise<Map<string, NotebookSummary>> {
  return new Promise((resolve, reject) => {
    const tsx = path.join(REPO, 'node_modules', '.bin', 'tsx');
    const args = [
      path.join(REPO, 'scripts/notebooks/run.ts'),
      '--json',
      ...(quick ? ['--quick'] : []),
      ...extraArgs,
      ...files,
    ];
    const child = spawn(tsx, args, { cwd: REPO, env: { ...process.env, TS231N_QUICK: quick ? '1' : '' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), limitMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const out = new Map<string, NotebookSummary>();
      for (const line of stdout.split('\n')) {
        if (!line.startsWith('{')) continue;
        const s = JSON.parse(line) as NotebookSummary;
        out.set(path.basename(s.file, '.ipynb'), s);
      }
      if (out.size !== files.length) {
        reject(
          new Error(
            `notebook runner ended (code ${code}, signal ${signal}) with ${out.size} of ${files.length} summaries\n${stderr.slice(-2000)}`,
          ),
        );
      } else resolve(out);
    });
  });
}
