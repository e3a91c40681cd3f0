/**
 * Assignment 1's kNN notebook used in a real browser: the classic notebook server (Debian's
 * notebook 6.4 on /usr/bin/python3) in headless chromium, driven through chromedriver by
 * tests/python/notebook_browser.py. It picks the ts231n kernel, runs the first cells (an image grid
 * of the data set), the plot cell, stops `while (true) {}` with the ■ button, runs a cell after it,
 * restarts the kernel and runs cells again. Screenshots of each stage are kept in
 * test-output/browser/notebook/ (git-ignored) for a person to look at.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { TESTS_DIR } from '../../helpers/paths';

const REPO = path.resolve(TESTS_DIR, '..');
const OUT = path.join(REPO, 'test-output', 'browser', 'notebook');
const DRIVER_LIMIT_MS = 200_000;

jest.setTimeout(DRIVER_LIMIT_MS + 20_000);

interface CellSeen {
  prompt: string;
  errors: string[];
  stdout?: string;
  text?: string;
  drawn?: { mime: string[]; svg: number; raster_images: number; drawn_lines: number; texts: string[] };
}

interface BrowserRun {
  error?: string;
  server_log?: string;
  failure_screenshot?: string;
  kernel_name: string;
  kernel_spec: string;
  change_kernel_menu: string[];
  import_cell: CellSeen;
  data_cell: CellSeen;
  plot_cell: CellSeen;
  interrupt: CellSeen & { seconds: number };
  after_interrupt: CellSeen;
  restart_dialog: string;
  restart_seconds: number;
  after_restart: CellSeen;
  old_variable: CellSeen;
  screenshots: string[];
  seconds: number;
  kernel_ready_s: number;
}

function drive(): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const p = spawn('/usr/bin/python3', [path.join(TESTS_DIR, 'python', 'notebook_browser.py'), REPO, OUT], {
      cwd: REPO,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (err += d));
    const t = setTimeout(() => p.kill('SIGTERM'), DRIVER_LIMIT_MS);
    p.on('close', (code) => {
      clearTimeout(t);
      resolve({ code, out, err });
    });
  });
}

let run: BrowserRun;

beforeAll(async () => {
  fs.rmSync(OUT, { recursive: true, force: true });
  fs.mkdirSync(OUT, { recursive: true });
  const { code, out, err } = await drive();
  const last = out.trim().split('\n').pop() ?? '';
  let seen: BrowserRun;
  try {
    seen = JSON.parse(last) as BrowserRun;
  } catch {
    const why = /No module named '?selenium/.test(err)
      ? 'selenium is not installed for /usr/bin/python3: run `npm run setup` (Debian python3-selenium, chromium-driver)'
      : `it printed no result (exit ${code}, killed after ${DRIVER_LIMIT_MS / 1000} s?): ${err.trim().split('\n').pop()}`;
    throw new Error(`browser test: ${why}`);
  }
  if (code !== 0 || seen.error) {
    const shot = seen.failure_screenshot ? ` (screenshot: ${path.relative(REPO, seen.failure_screenshot)})` : '';
    throw new Error(`browser test failed: ${seen.error ?? `exit ${code}`}${shot}`);
  }
  run = seen;
  process.stdout.write(
    `browser: ${run.seconds} s in all; kernel ready ${run.kernel_ready_s} s, restart ${run.restart_seconds} s\n`,
  );
});

test('the notebook opens on the ts231n kernel, and Kernel > Change kernel offers it', () => {
  expect(run.kernel_name).toBe('TypeScript (ts231n)');
  expect(run.kernel_spec).toBe('ts231n');
  expect(run.change_kernel_menu).toContain('TypeScript (ts231n)');
});

test('the import cell runs, and the data cell draws a grid of training images', () => {
  expect(run.import_cell).toMatchObject({ prompt: 'In [1]:', errors: [] });
  expect(run.data_cell).toMatchObject({ prompt: 'In [2]:', errors: [] });
  expect(run.data_cell.stdout).toMatch(/data set: \S+\ntraining images: \[\d+, /);
  // The grid is one raster picture (PNG), shown as a loaded <img> or an <image> inside an SVG.
  expect(run.data_cell.drawn!.mime.length).toBeGreaterThanOrEqual(1);
  expect(run.data_cell.drawn!.raster_images).toBeGreaterThanOrEqual(1);
});

test('the plot cell draws a line plot as SVG with its axis label', () => {
  expect(run.plot_cell).toMatchObject({ prompt: 'In [3]:', errors: [] });
  expect(run.plot_cell.drawn!.mime).toEqual(['image/svg+xml']);
  expect(run.plot_cell.drawn!.svg).toBe(1);
  expect(run.plot_cell.drawn!.drawn_lines).toBeGreaterThan(10);
  expect(run.plot_cell.drawn!.texts).toContain('dimension d');
});

test('the ■ button stops while (true) {} and the next cell sees the earlier variables', () => {
  expect(run.interrupt.prompt).toBe('In [4]:');
  expect(run.interrupt.errors).toEqual([expect.stringMatching(/^InterruptError: /)]);
  expect(run.after_interrupt).toMatchObject({ prompt: 'In [5]:', errors: [] });
  expect(run.after_interrupt.stdout).toBe('after the interrupt: NUM_TRAIN = 500');
});

test('restart (toolbar ⟳ and its dialog) gives a fresh kernel: count back to 1, old variables gone', () => {
  expect(run.restart_dialog).toBe('Restart kernel?');
  expect(run.after_restart).toMatchObject({ prompt: 'In [1]:', errors: [] });
  expect(run.after_restart.text).toMatch(/after the restart\s*Out\[1\]:\s*42/);
  expect(run.old_variable.prompt).toBe('In [2]:');
  expect(run.old_variable.errors).toEqual([expect.stringMatching(/^TSError: .*Cannot find name 'NUM_TRAIN'/)]);
});

test('a screenshot of each stage is kept for a person to look at', () => {
  const names = run.screenshots.map((p) => path.basename(p));
  expect(names).toEqual(['1-image-grid.png', '2-plot.png', '3-interrupted.png', '4-restarted.png']);
  for (const p of run.screenshots) {
    const head = fs.readFileSync(p).subarray(0, 8);
    expect([path.basename(p), head.toString('hex')]).toEqual([path.basename(p), '89504e470d0a1a0a']);
    expect(fs.statSync(p).size).toBeGreaterThan(20_000);
  }
});
