/**
 * The kit's commands parse their flags with Node's util.parseArgs (scripts/commandLine.ts): an
 * unknown flag, a missing value or an unexpected argument is one line naming the problem, then the
 * usage, and exit status 2 — never a stack.
 */
import * as path from 'path';
import { spawn } from 'child_process';
import { CommandLineError, parseCommandLine } from '../../../scripts/commandLine';
import { TESTS_DIR } from '../../helpers/paths';

const REPO = path.resolve(TESTS_DIR, '..');
const TSX = path.join(REPO, 'node_modules', '.bin', 'tsx');

function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error, got none');
}

describe('parseCommandLine', () => {
  const options = {
    out: { type: 'string' },
    check: { type: 'boolean' },
    format: { type: 'string', multiple: true },
  } as const;

  it('returns typed values and positionals', () => {
    const r = parseCommandLine(['--out', 'dir', '--check', 'a', '--format', 'x', '--format=y', 'b'], options, true);
    expect(r.values).toEqual({ out: 'dir', check: true, format: ['x', 'y'] });
    expect(r.positionals).toEqual(['a', 'b']);
  });

  it.each([
    [['--bogus'], 'unknown option --bogus'],
    [['-x'], 'unknown option -x'],
    [['--out'], '--out needs a value'],
    [['--out', '--check'], '--out needs a value; write a value that starts with "-" as --out=-…'],
    [['--check=yes'], '--check takes no value'],
    [['stray'], 'unexpected argument stray'],
  ])('%j is one line: %s', (args, message) => {
    const e = errorOf(() => parseCommandLine(args, options));
    expect(e).toBeInstanceOf(CommandLineError);
    expect(e.message).toBe(message);
  });
});

/** Runs a command with `args`; resolves with its exit status and stderr. */
function run(command: string, args: string[]): Promise<{ status: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: REPO, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (status) => resolve({ status, stderr }));
  });
}

describe('every command rejects an unknown flag with one line and exit 2', () => {
  const commands: Array<[string, string[], string]> = [
    ['grade', [TSX, 'grader/cli.ts'], 'grade: unknown option --bogus'],
    ['grade merge', [TSX, 'grader/cli.ts', 'merge'], 'grade: merge: unknown option --bogus'],
    ['build:starter', [TSX, 'scripts/starter/cli.ts'], 'build:starter: unknown option --bogus'],
    ['notebooks/build', [TSX, 'scripts/notebooks/build.ts'], 'notebooks/build: unknown option --bogus'],
    ['notebooks/run', [TSX, 'scripts/notebooks/run.ts'], 'run: unknown option --bogus'],
    ['engine cli', [TSX, 'kernel/engine/cli.ts'], 'unknown option --bogus'],
    ['engine bench', [TSX, 'kernel/engine/bench.ts'], 'bench failed: unknown option --bogus'],
    [
      'kernel',
      [TSX, 'kernel/jupyter/main.ts'],
      'ts231n kernel: unknown option --bogus; usage: kernel.js <connection_file>  (Jupyter passes {connection_file}; see docs/kernel.md)',
    ],
    ['datasets', [TSX, 'datasets/fetcher/cli.ts'], 'datasets: unknown option --bogus'],
    ['bench', [TSX, 'bench/index.ts'], 'bench: unknown option --bogus'],
    ['bench/datasetLoad', [TSX, 'bench/datasetLoad.ts'], 'datasetLoad: unknown option --bogus'],
    ['examples', [TSX, 'scripts/examples.ts'], 'examples: unknown option --bogus'],
    ['demo', [TSX, 'scripts/demo.ts'], 'demo: unknown option --bogus'],
    ['setup', [process.execPath, 'scripts/setup.js'], "[setup] Unknown option '--bogus'"],
  ];
  let results: Map<string, { status: number | null; stderr: string }>;

  beforeAll(async () => {
    results = new Map();
    // Two at a time: each starts a TypeScript toolchain.
    const queue = [...commands];
    const worker = async () => {
      for (let c = queue.shift(); c; c = queue.shift())
        results.set(c[0], await run(c[1][0], [...c[1].slice(1), '--bogus']));
    };
    await Promise.all([worker(), worker()]);
  }, 240_000);

  it.each(commands)('%s', (name, _argv, first) => {
    const r = results.get(name)!;
    expect({ status: r.status, first: r.stderr.split('\n')[0] }).toEqual({ status: 2, first });
    expect(r.stderr).not.toMatch(/^\s+at /m);
  });
});
