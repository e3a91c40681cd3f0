/**
 * Pages in a real browser (Debian's chromium, headless) at a given width: the layout as the page
 * measured it, scripts that ran (a hostile figure's), and screenshots kept for a person to look at.
 *
 * Headless chromium's window is at least 500 px wide, so the page is shown in an iframe of the
 * exact width. The measuring script runs in the wrapper, not in the page: feedback.html's
 * Content-Security-Policy allows no script, and the probe must not need one.
 */
import * as fs from 'fs';
import * as path from 'path';
import { spawnSync } from 'child_process';
import { PNG } from 'pngjs';

export function chromium(): string {
  for (const c of ['chromium', 'chromium-browser'])
    if (spawnSync('sh', ['-c', `command -v ${c}`]).status === 0) return c;
  throw new Error('chromium is not installed: run npm run setup (Debian package chromium)');
}

export function browse(args: string[]): string {
  const r = spawnSync(
    chromium(),
    ['--headless', '--no-sandbox', '--disable-gpu', '--hide-scrollbars', '--no-first-run', ...args],
    { encoding: 'utf8', timeout: 60_000 },
  );
  if (r.status !== 0) throw new Error(`chromium failed (${r.status}): ${r.stderr.split('\n').slice(-3).join(' ')}`);
  return r.stdout;
}

/** Measures the framed page once it has loaded (images included) and writes the result on the wrapper's body. */
const PROBE = `<script>function probe(f) {
  const d = f.contentDocument, w = f.contentWindow;
  const spills = (e) => w.getComputedStyle(e).overflowX === 'visible' && e.scrollWidth > e.clientWidth + 1 && e.clientWidth > 0;
  const wide = [...d.querySelectorAll('body *')].filter((e) => e.getBoundingClientRect().right > w.innerWidth + 1 || spills(e)).map((e) => e.tagName.toLowerCase() + (e.className ? '.' + e.className : '')).slice(0, 5);
  document.body.setAttribute('data-layout', JSON.stringify({ scrollWidth: d.documentElement.scrollWidth, innerWidth: w.innerWidth, wide }));
}</script>`;

function wrapper(html: string, width: number, height: number, measure: boolean): string {
  const srcdoc = html.replace(/&/g, '&amp;').replace(/"/g, '&quot;');
  return `<!doctype html><html><body style="margin:0">${measure ? PROBE : ''}<iframe${measure ? ' onload="probe(this)"' : ''} srcdoc="${srcdoc}" style="width:${width}px;height:${height}px;border:0;display:block"></iframe></body></html>`;
}

export interface Layout {
  scrollWidth: number;
  innerWidth: number;
  /** Elements past the right edge or spilling out of their box (tag.class, at most 5). */
  wide: string[];
}

/**
 * Lays `html` out at `width` and returns what it measured, and the wrapper's body attributes
 * (`attributes`: a hostile page's script that reached `parent.document.body` would show there).
 */
export function layout(html: string, width: number, scratch: string): { layout: Layout; attributes: string } {
  const frame = path.join(scratch, `layout-${process.pid}-${width}.frame.html`);
  fs.writeFileSync(frame, wrapper(html, width, 900, true));
  try {
    const dom = browse([
      `--window-size=${Math.max(width, 500)},900`,
      '--virtual-time-budget=3000',
      '--dump-dom',
      `file://${frame}`,
    ]);
    const body = dom.match(/<body([^>]*)>/)?.[1] ?? '';
    const m = body.match(/data-layout="([^"]*)"/);
    if (!m) throw new Error(`the page was not measured (body: ${body.slice(0, 200)})`);
    return { layout: JSON.parse(m[1].replace(/&quot;/g, '"')) as Layout, attributes: body };
  } finally {
    fs.rmSync(frame, { force: true });
  }
}

/** A screenshot of the page at `width` × `height` CSS pixels, written to `file` (PNG). */
export function screenshot(html: string, width: number, height: number, file: string): PNG {
  const shotFrame = `${file}.frame.html`;
  const raw = `${file}.raw.png`;
  fs.writeFileSync(shotFrame, wrapper(html, width, height, false));
  fs.rmSync(raw, { force: true });
  try {
    browse([
      `--window-size=${Math.max(width, 500)},${height}`,
      '--virtual-time-budget=3000',
      `--screenshot=${raw}`,
      `file://${shotFrame}`,
    ]);
    const full = PNG.sync.read(fs.readFileSync(raw));
    const shot = new PNG({ width, height });
    PNG.bitblt(full, shot, 0, 0, width, height, 0, 0);
    fs.writeFileSync(file, PNG.sync.write(shot));
    return shot;
  } finally {
    for (const f of [shotFrame, raw]) fs.rmSync(f, { force: true });
  }
}
