/**
 * Kernel section of `npm run bench`: how fast a loop runs in a notebook cell, through the cell
 * engine (kernel/engine) exactly as the Jupyter kernel runs it.
 *
 * The same loop, `s += i % 7` for N iterations, in four places: over a top-level `let` of the
 * cell, over a `let` in a function the cell defines and calls, over a `let` in a `{ }` block, and
 * over a top-level `let` of an earlier cell. Each cell times its own loop with performance.now(),
 * so compiling the cell is not counted. The variants run in turn, `reps` times; medians are shown
 * with the ratio to the function. docs/kernel-engine.md quotes the figures.
 *
 *   npx tsx bench/kernelLoop.ts [--quick] [--json]     # on its own
 *   npm run bench                                       # calls kernelLoopSection() in a child process
 */
import { spawnSync } from 'child_process';
import * as path from 'path';

export interface KernelLoopResult {
  iterations: number;
  reps: number;
  /** median ms per variant */
  medianMs: Record<Variant, number>;
  /** every measured ms, in run order */
  samples: Record<Variant, number[]>;
}

type Variant = 'top-level let' | 'function' | 'block' | 'earlier cell';
const VARIANTS: Variant[] = ['top-level let', 'function', 'block', 'earlier cell'];

function cellFor(v: Variant, n: number): string {
  const loop = (name: string) => `for (let i = 0; i < ${n}; i++) ${name} += i % 7;`;
  switch (v) {
    case 'top-level let':
      return `const t0 = performance.now();\nlet s = 0;\n${loop('s')}\nperformance.now() - t0`;
    case 'function':
      return `function loopInFunction() {\n  let s = 0;\n  ${loop('s')}\n  return s;\n}\nconst t0 = performance.now();\nloopInFunction();\nperformance.now() - t0`;
    case 'block':
      return `const t0 = performance.now();\n{\n  let s = 0;\n  ${loop('s')}\n}\nperformance.now() - t0`;
    case 'earlier cell':
      return `const t0 = performance.now();\n${loop('earlier')}\nperformance.now() - t0`;
  }
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** Runs the measurement in this process (it starts a cell engine). */
export async function measureKernelLoop(quick: boolean): Promise<KernelLoopResult> {
  const { Engine } = await import('../kernel/engine');
  const iterations = quick ? 2_000_000 : 20_000_000;
  const reps = quick ? 3 : 7;
  const engine = new Engine({ cwd: __dirname });
  const samples = Object.fromEntries(VARIANTS.map((v) => [v, [] as number[]])) as Record<Variant, number[]>;
  try {
    const setup = await engine.execute('let earlier = 0;');
    if (setup.status !== 'ok') throw new Error(`the setup cell failed: ${setup.error?.evalue}`);
    for (let r = 0; r < reps; r++) {
      for (const v of VARIANTS) {
        const reply = await engine.execute(cellFor(v, iterations));
        const ms = Number(reply.result?.['text/plain']);
        if (reply.status !== 'ok' || !Number.isFinite(ms))
          throw new Error(`the ${v} cell failed: ${reply.error?.evalue ?? 'no time'}`);
        samples[v].push(ms);
      }
    }
  } finally {
    engine.dispose();
  }
  const medianMs = Object.fromEntries(VARIANTS.map((v) => [v, median(samples[v])])) as Record<Variant, number>;
  return { iterations, reps, medianMs, samples };
}

/** The report lines of the kernel section; measured in a child process (the engine needs its own). */
export function kernelLoopSection(quick: boolean): string[] {
  process.stderr.write('[bench] kernel: loops in cells …\n');
  const args = [...process.execArgv, __filename, '--json', ...(quick ? ['--quick'] : [])];
  const r = spawnSync(process.execPath, args, {
    cwd: path.resolve(__dirname, '..'),
    encoding: 'utf8',
    maxBuffer: 1 << 24,
  });
  const line = (r.stdout ?? '')
    .trim()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .pop();
  if (r.status !== 0 || !line)
    return [
      '',
      `## kernel: loops in cells: did not run: ${(r.stderr || r.stdout || `exit ${r.status}`).trim().split('\n').pop()}`,
    ];
  return formatKernelLoop(JSON.parse(line) as KernelLoopResult);
}

export function formatKernelLoop(res: KernelLoopResult): string[] {
  const fn = res.medianMs.function;
  const lines = [
    '',
    `## kernel: a loop of ${res.iterations.toLocaleString('en-US')} iterations in a notebook cell (median of ${res.reps})`,
  ];
  lines.push(`${'where the loop variable lives'.padEnd(40)} ${'ms'.padStart(8)} ${'÷ function'.padStart(11)}`);
  for (const v of VARIANTS)
    lines.push(
      `${v.padEnd(40)} ${res.medianMs[v].toFixed(1).padStart(8)} ${(res.medianMs[v] / fn).toFixed(2).padStart(11)}`,
    );
  return lines;
}

if (require.main === module) {
  const quick = process.argv.includes('--quick');
  measureKernelLoop(quick).then(
    (res) => {
      process.stdout.write(
        process.argv.includes('--json') ? `${JSON.stringify(res)}\n` : `${formatKernelLoop(res).join('\n')}\n`,
      );
      process.exit(0);
    },
    (e) => {
      process.stderr.write(`bench/kernelLoop: ${(e as Error).message}\n`);
      process.exit(1);
    },
  );
}
