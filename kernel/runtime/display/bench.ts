/**
 * Render times of the display helpers, for docs/runtime.md:
 *
 *   npx tsx kernel/runtime/display/bench.ts
 *
 * Prints the first (cold) call and the median of the warm calls for: a 10-class scatter of 500
 * points as SVG and as PNG (2× pixels), and a grid of 100 labelled 32×32×3 images (PNG) and the
 * same 100 images through visGrid. Nothing is displayed (`show: false`).
 */
import { tf, ready } from '../tensor';
import { seed, randn } from '../random';
import { plotScatter } from './plotScatter';
import { showImages } from './showImages';
import { visGrid } from './visGrid';

interface Timing {
  coldMs: number;
  medianMs: number;
  /** CPU time of the process (user + system): unlike wall time, it does not grow when other processes share the cores. */
  cpuMedianMs: number;
}

const cpuNow = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e3;
};
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1];

function timeIt(run: () => void, reps: number): Timing {
  const t0 = performance.now();
  run();
  const coldMs = performance.now() - t0;
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < reps; i++) {
    const s = performance.now();
    const c = cpuNow();
    run();
    wall.push(performance.now() - s);
    cpu.push(cpuNow() - c);
  }
  return { coldMs, medianMs: median(wall), cpuMedianMs: median(cpu) };
}

async function main(): Promise<void> {
  await ready();
  seed(0);
  const xy = randn([500, 2]).arraySync() as number[][];
  const points = xy.map(([x, y], i) => ({ x: x + (i % 10), y: y + ((i * 7) % 10), group: `class ${i % 10}` }));
  const images = tf.tidy(() => randn([100, 32, 32, 3]).mul(40).add(128).clipByValue(0, 255));
  const labels = Array.from({ length: 100 }, (_, i) => `class ${i % 10}`);
  const rows: Array<[string, Timing]> = [
    ['scatter, 10 classes × 50 points, SVG', timeIt(() => plotScatter({ points, show: false }).svg(), 10)],
    [
      'scatter, 10 classes × 50 points, PNG (2×)',
      timeIt(() => plotScatter({ points, format: 'png', show: false }).png(), 10),
    ],
    ['showImages, 100 × 32×32×3 with labels, PNG', timeIt(() => showImages(images, { labels, show: false }).png(), 10)],
    ['visGrid, 100 × 32×32×3, PNG', timeIt(() => visGrid(images, { show: false }).png(), 10)],
  ];
  images.dispose();
  console.log(`node ${process.version}, tfjs backend ${tf.getBackend()}`);
  console.log('| render | first call, wall (ms) | warm median of 10, wall (ms) | warm median, CPU (ms) |');
  console.log('|---|---:|---:|---:|');
  for (const [name, t] of rows)
    console.log(`| ${name} | ${t.coldMs.toFixed(0)} | ${t.medianMs.toFixed(0)} | ${t.cpuMedianMs.toFixed(0)} |`);
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
