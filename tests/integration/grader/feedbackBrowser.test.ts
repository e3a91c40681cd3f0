/**
 * feedback.html in a real browser (Debian's chromium, headless) at a phone's and a desktop's width:
 * nothing is wider than the screen, and the screenshots are kept as test artefacts in
 * test-output/feedback/ (git-ignored) for a person to look at.
 */
import * as fs from 'fs';
import * as path from 'path';
import { spawnSync } from 'child_process';
import { PNG } from 'pngjs';
import { feedbackHtml } from '../../../grader/report/html';
import { loadSpec } from '../../../grader/spec';
import type { StudentResult } from '../../../grader/types';
import { TESTS_DIR } from '../../helpers/paths';

jest.setTimeout(180_000);

const REPO = path.resolve(TESTS_DIR, '..');
const OUT = path.join(REPO, 'test-output', 'feedback');
const A1 = loadSpec(path.join(REPO, 'grader', 'specs', 'assignment1'));
const WIDTHS = { phone: 390, desktop: 1280 };

function chromium(): string {
  for (const c of ['chromium', 'chromium-browser'])
    if (spawnSync('sh', ['-c', `command -v ${c}`]).status === 0) return c;
  throw new Error('chromium is not installed: run npm run setup (Debian package chromium)');
}

function browse(args: string[]): string {
  const r = spawnSync(
    chromium(),
    ['--headless', '--no-sandbox', '--disable-gpu', '--hide-scrollbars', '--no-first-run', ...args],
    { encoding: 'utf8', timeout: 60_000 },
  );
  if (r.status !== 0) throw new Error(`chromium failed (${r.status}): ${r.stderr.split('\n').slice(-3).join(' ')}`);
  return r.stdout;
}

/**
 * Headless chromium's window is at least 500 px wide, so the page is shown in an iframe of the
 * exact width (the wrapper copies what the page measured into its own DOM for --dump-dom).
 */
function wrapper(html: string, width: number, height: number): string {
  const srcdoc = html.replace(/&/g, '&amp;').replace(/"/g, '&quot;');
  return `<!doctype html><html><body style="margin:0"><iframe srcdoc="${srcdoc}" style="width:${width}px;height:${height}px;border:0;display:block"></iframe></body></html>`;
}

/** Elements that reach past the right edge of the viewport or whose content spills out of them, measured by the page itself after layout. */
const PROBE = `<script>addEventListener('load', () => {
  const spills = (e) => getComputedStyle(e).overflowX === 'visible' && e.scrollWidth > e.clientWidth + 1 && e.clientWidth > 0;
  const wide = [...document.querySelectorAll('body *')].filter((e) => e.getBoundingClientRect().right > innerWidth + 1 || spills(e)).map((e) => e.tagName.toLowerCase() + (e.className ? '.' + e.className : '')).slice(0, 5);
  parent.document.body.setAttribute('data-layout', JSON.stringify({ scrollWidth: document.documentElement.scrollWidth, innerWidth, wide }));
});</script>`;

function withManual(r: StudentResult): StudentResult {
  const manual = A1.items
    .filter((i) => i.kind === 'manual')
    .map((i) => ({
      id: i.id,
      title: i.title,
      group: i.group,
      kind: i.kind,
      points: 0,
      maxPoints: i.points,
      reason: 'graded by hand',
      pendingManual: true,
    }));
  return { ...r, items: [...r.items.filter((i) => !i.pendingManual), ...manual] };
}

beforeAll(() => fs.mkdirSync(OUT, { recursive: true }));

for (const name of ['broken', 'partial']) {
  describe(`feedback.html of the ${name} example`, () => {
    const r = withManual(
      JSON.parse(fs.readFileSync(path.join(TESTS_DIR, 'fixtures', 'grader', 'reports', `${name}.json`), 'utf8')),
    );
    const page = path.join(OUT, `${name}.html`);
    beforeAll(() => fs.writeFileSync(page, feedbackHtml(r, A1)));

    for (const [device, width] of Object.entries(WIDTHS)) {
      test(`${device} (${width} px): nothing wider than the screen; screenshot kept`, () => {
        const height = device === 'phone' ? 2400 : 1600;
        const html = fs.readFileSync(page, 'utf8');
        const frame = path.join(OUT, `${name}-${device}.frame.html`);
        fs.writeFileSync(frame, wrapper(html.replace('</body>', `${PROBE}</body>`), width, 900));
        const dom = browse([
          `--window-size=${Math.max(width, 500)},900`,
          '--virtual-time-budget=2000',
          '--dump-dom',
          `file://${frame}`,
        ]);
        const m = dom.match(/data-layout="([^"]*)"/);
        expect(m).not.toBeNull();
        const layout = JSON.parse(m![1].replace(/&quot;/g, '"'));
        expect(layout).toEqual({ scrollWidth: width, innerWidth: width, wide: [] });

        // The screenshot: the page at the device's width (cropped out of the wider window).
        const shotFrame = path.join(OUT, `${name}-${device}.shot.html`);
        fs.writeFileSync(shotFrame, wrapper(html, width, height));
        const raw = path.join(OUT, `${name}-${device}.raw.png`);
        fs.rmSync(raw, { force: true });
        browse([
          `--window-size=${Math.max(width, 500)},${height}`,
          '--virtual-time-budget=2000',
          `--screenshot=${raw}`,
          `file://${shotFrame}`,
        ]);
        const full = PNG.sync.read(fs.readFileSync(raw));
        const shot = new PNG({ width, height });
        PNG.bitblt(full, shot, 0, 0, width, height, 0, 0);
        fs.writeFileSync(path.join(OUT, `${name}-${device}.png`), PNG.sync.write(shot));
        for (const f of [frame, shotFrame, raw]) fs.rmSync(f, { force: true });
        expect(shot.width).toBe(width);
      });
    }
  });
}

test('the width check catches a page wider than a phone', () => {
  const frame = path.join(OUT, 'control.frame.html');
  fs.writeFileSync(
    frame,
    wrapper(
      `<!doctype html><html><body><pre style="white-space:pre">${'x'.repeat(400)}</pre>${PROBE}</body></html>`,
      WIDTHS.phone,
      300,
    ),
  );
  const m = browse(['--window-size=500,300', '--virtual-time-budget=2000', '--dump-dom', `file://${frame}`]).match(
    /data-layout="([^"]*)"/,
  );
  fs.rmSync(frame, { force: true });
  const layout = JSON.parse(m![1].replace(/&quot;/g, '"'));
  expect(layout.scrollWidth).toBeGreaterThan(WIDTHS.phone);
  expect(layout.wide).toContain('pre');
});
