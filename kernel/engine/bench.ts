/**
 * Engine timings: `npx tsx kernel/engine/bench.ts [cwd]` prints one JSON line.
 *  - startMs: new Engine() (loads tslab's TypeScript and builds the first program)
 *  - firstCellMs: the first, trivial cell (type checker warm-up)
 *  - runtimeImportMs: a cell importing the runtime as `ts231n` (loads tfjs)
 *  - perCell: distribution over 20 trivial cells that read earlier state (the per-cell overhead)
 */
import * as os from 'os';
import * as path from 'path';
import { Engine } from './index';
import { CommandLineError, parseCommandLine } from '../../scripts/commandLine';

async function main(): Promise<void> {
  const { positionals } = parseCommandLine(process.argv.slice(2), {}, true);
  if (positionals.length > 1) throw new CommandLineError(`one folder at most, got ${positionals.join(' ')}`);
  const cwd = path.resolve(positionals[0] ?? path.join(__dirname, '..', '..', 'solutions', 'assignment1'));
  const t0 = performance.now();
  const engine = new Engine({ cwd });
  const startMs = performance.now() - t0;
  let t = performance.now();
  const first = await engine.execute('const a = 1;\na + 1');
  const firstCellMs = performance.now() - t;
  t = performance.now();
  const imp = await engine.execute("import { tf } from 'ts231n';\ntf.ones([2]).shape");
  const runtimeImportMs = performance.now() - t;
  const per: number[] = [];
  for (let i = 0; i < 20; i++) {
    t = performance.now();
    await engine.execute(`const v${i} = a + ${i};\nv${i} * 2`);
    per.push(performance.now() - t);
  }
  engine.dispose();
  per.sort((x, y) => x - y);
  const r = (x: number) => Math.round(x);
  console.log(
    JSON.stringify({
      ok: first.status === 'ok' && imp.status === 'ok',
      startMs: r(startMs),
      firstCellMs: r(firstCellMs),
      startToFirstResultMs: r(startMs + firstCellMs),
      runtimeImportMs: r(runtimeImportMs),
      perCell: { min: r(per[0]), median: r(per[10]), max: r(per[19]) },
      loadAverage: os.loadavg().map((x) => Math.round(x * 10) / 10),
      cpus: os.cpus().length,
    }),
  );
}

main().catch((e) => {
  console.error(`bench failed: ${e?.message ?? e}`);
  process.exit(e instanceof CommandLineError ? 2 : 1);
});
