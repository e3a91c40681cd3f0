/**
 * Engine timings: `npx tsx kernel/engine/bench.ts [cwd]` prints one JSON line.
 *  - startMs: new Engine() (loads tslab's TypeScript and builds the first program)
 *  - firstCellMs: the first, trivial cell (type checker warm-up)
 *  - runtimeImportMs: a cell importing ../../kernel/runtime (loads tfjs)
 *  - perCell: distribution over 20 trivial cells that read earlier state (the per-cell overhead)
 */
import * as os from 'os';
import * as path from 'path';
import { Engine } from './index';

async function main(): Promise<void> {
  const cwd = path.resolve(process.argv[2] ?? path.join(__dirname, '..', '..', 'solutions', 'assignment1'));
  const t0 = performance.now();
  const engine = new Engine({ cwd });
  const startMs = performance.now() - t0;
  let t = performance.now();
  const first = await engine.execute('const a = 1;\na + 1');
  const firstCellMs = performance.now() - t;
  t = performance.now();
  const rt = path.relative(cwd, path.join(__dirname, '..', 'runtime')).split(path.sep).join('/');
  const imp = await engine.execute(`import { tf } from '${rt.startsWith('.') ? rt : './' + rt}';\ntf.ones([2]).shape`);
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
  process.exit(1);
});
