/**
 * Figures end to end, on a copy of the mini fixture whose stats.ipynb plots a loss curve in a cell
 * the spec names (`figures.show`, at most 6 figures per submission):
 * - `good` plots a draft, clears it (clearOutput, as a live plot does) and plots its own curve:
 *   feedback.html shows that one beside the reference's, with cell labels, and the score is the
 *   solution's;
 * - `hostile` displays an SVG with a <script> and an onload handler, an "image/png" that is not a
 *   PNG, 20 PNGs (over the cap) in that cell, and a PNG in a cell the spec does not name: the cap and
 *   the refusal are noted, the other cell's image is not kept, the score is the solution's, and the
 *   page's markup has no script; in headless chromium the SVG's script does not run (a control page
 *   with the same SVG inline does run it), nothing is wider than a phone or a desktop, and
 *   screenshots of both pages at both widths are kept in test-output/feedback/.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { gradeBatch, type BatchResult } from '../../../grader/batch';
import { copyTree } from '../../../grader/workspace';
import type { StudentResult } from '../../../grader/types';
import { TESTS_DIR } from '../../helpers/paths';
import { HOSTILE_SVG, tinyPng } from '../../helpers/figures';
import { layout, screenshot } from '../../helpers/browser';
import { MINI, MINI_LIMITS } from '../../helpers/miniGrader';

jest.setTimeout(600_000);

const OUT = path.join(TESTS_DIR, '..', 'test-output', 'feedback');
const LIMITS = { ...MINI_LIMITS, cellTimeoutS: 60, notebookTimeoutS: 300, startupTimeoutS: 180 };
const WIDTHS = { phone: 390, desktop: 1280 };

const lossCell = (values: number[]) =>
  `import { plotLines } from 'ts231n';\nplotLines({ series: { loss: ${JSON.stringify(values)} }, title: 'Training loss', xLabel: 'iteration', yLabel: 'loss' });`;

const hostileCell = `import { emit } from 'ts231n';
emit({ 'image/svg+xml': ${JSON.stringify(HOSTILE_SVG)}, 'text/plain': '"><script>alert(1)</script>' });
emit({ 'image/png': Buffer.from('<html><script>alert(1)</script></html>').toString('base64'), 'text/plain': 'not a png' });
for (let i = 0; i < 20; i++) emit({ 'image/png': ${JSON.stringify(tinyPng(8, 6))}, 'text/plain': 'flood ' + i });`;

/** stats.ipynb with an extra code cell (id `fig`, or another id) holding `source`. */
function withCell(dir: string, source: string, id = 'fig'): void {
  const file = path.join(dir, 'stats.ipynb');
  const nb = JSON.parse(fs.readFileSync(file, 'utf8'));
  nb.cells.push({ cell_type: 'code', id, metadata: {}, source, outputs: [], execution_count: null });
  fs.writeFileSync(file, JSON.stringify(nb, null, 1));
}

let tmp: string;
let batch: BatchResult;
const result = (s: string): StudentResult => batch.results.find((r) => r.student === s)!;
const page = (s: string) => fs.readFileSync(path.join(tmp, 'out', s, 'feedback.html'), 'utf8');

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'grader-figures-'));
  const spec = path.join(tmp, 'spec');
  const solution = path.join(tmp, 'solution');
  copyTree(path.join(MINI, 'spec'), spec);
  const specJson = JSON.parse(fs.readFileSync(path.join(spec, 'spec.json'), 'utf8'));
  specJson.figures = { show: [{ notebook: 'stats.ipynb', cell: 'fig', caption: 'Loss curve' }], maxCount: 6 };
  fs.writeFileSync(path.join(spec, 'spec.json'), JSON.stringify(specJson, null, 1));
  copyTree(path.join(MINI, 'solution'), solution);
  withCell(solution, lossCell([2.3, 1.7, 1.2, 0.9, 0.75, 0.7]));
  const subs = path.join(tmp, 'subs');
  copyTree(path.join(MINI, 'solution'), path.join(subs, 'good'));
  // Redrawn in place (clearOutput, as a live plot does): only the last drawing is the cell's figure.
  withCell(
    path.join(subs, 'good'),
    `import { clearOutput } from 'ts231n';\n${lossCell([9, 9]).replace("'Training loss'", "'Draft'")}\nclearOutput({ wait: true });\n${lossCell([2.3, 2.4, 2.2, 2.5, 2.3, 2.6]).replace(/^import .*\n/, '')}`,
  );
  copyTree(path.join(MINI, 'solution'), path.join(subs, 'hostile'));
  withCell(path.join(subs, 'hostile'), hostileCell);
  withCell(
    path.join(subs, 'hostile'),
    `import { emit } from 'ts231n';\nemit({ 'image/png': ${JSON.stringify(tinyPng())}, 'text/plain': 'unnamed cell' });`,
    'other',
  );
  batch = await gradeBatch({
    assignment: 'mini',
    submissions: subs,
    out: path.join(tmp, 'out'),
    specDir: spec,
    solutionDir: solution,
    jobs: 1,
    runLimits: LIMITS,
  });
  fs.mkdirSync(OUT, { recursive: true });
});
afterAll(() => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

it('scores do not change: both submissions get the solution’s full marks', () => {
  expect(batch.failures).toEqual([]);
  expect(batch.results.map((r) => [r.student, r.total])).toEqual([
    ['good', 10],
    ['hostile', 10],
  ]);
});

it('the reference’s figure is cached with the reference', () => {
  const cache = path.join(tmp, 'out', '.cache');
  const [file] = fs.readdirSync(cache).filter((f) => /^reference-.*\.json$/.test(f));
  const ref = JSON.parse(fs.readFileSync(path.join(cache, file), 'utf8'));
  expect(ref.figures).toEqual([
    expect.objectContaining({
      notebook: 'stats.ipynb',
      cell: 6,
      cellId: 'fig',
      mime: 'image/svg+xml',
      title: 'Training loss',
    }),
  ]);
});

it('good: its own loss curve beside the reference’s, labelled with the cell', () => {
  const figs = result('good').figures!;
  expect(figs).toHaveLength(1);
  expect(figs[0].caption).toBe('Loss curve');
  expect(figs[0].student).toMatchObject({ notebook: 'stats.ipynb', cell: 6, mime: 'image/svg+xml', index: 0 });
  expect(figs[0].student!.title).toBe('Training loss'); // the draft was cleared
  expect(figs[0].reference).toMatchObject({ notebook: 'stats.ipynb', cell: 6 });
  expect(figs[0].student!.data).not.toBe(figs[0].reference!.data); // the student's own curve
  const html = page('good');
  expect(html).toContain('Yours · <code>stats.ipynb cell 6</code>');
  expect(html).toContain('Reference · <code>stats.ipynb cell 6</code>');
  expect(html).toContain(`src="data:image/svg+xml;base64,${figs[0].student!.data}"`);
  expect(html).toContain(`src="data:image/svg+xml;base64,${figs[0].reference!.data}"`);
});

it('hostile: capped, the non-image refused, the unnamed cell left out, each with a note', () => {
  const r = result('hostile');
  // The child counted the refused "PNG" against its cap of 6: the SVG and 4 of the 20 PNGs came back.
  expect(r.figures!.map((f) => f.student?.mime)).toEqual(['image/svg+xml', ...Array(4).fill('image/png')]);
  expect(r.figures![0].reference).toBeDefined();
  expect(r.figures!.every((f) => f.student!.cellId === 'fig')).toBe(true);
  expect(r.figureNotes).toEqual([
    '16 figures beyond the cap of 6 figures, 8 MB per submission not kept (from stats.ipynb cell 6 on)',
    '1 displayed image left out, not a PNG or SVG figure (first: stats.ipynb cell 6: image/png that is not a PNG)',
  ]);
  const html = page('hostile');
  expect(html).not.toMatch(/<script|<svg|\sonload=|\sonerror=/i);
  expect(html).toContain('16 figures beyond the cap of 6 figures');
});

describe('in headless chromium', () => {
  it('the hostile SVG runs no script from the page (a control page with it inline does)', () => {
    const control = layout(`<!doctype html><html><body>${HOSTILE_SVG}</body></html>`, WIDTHS.desktop, OUT);
    expect(control.attributes).toMatch(/data-pwned="(script|onload)"/);
    const html = page('hostile');
    expect(layout(html, WIDTHS.desktop, OUT).attributes).not.toContain('data-pwned');
    // The <img> alone already keeps the script from running, without the page's CSP.
    const noCsp = html.replace(/<meta http-equiv="Content-Security-Policy"[^>]*>/, '');
    expect(noCsp).not.toContain('Content-Security-Policy');
    expect(layout(noCsp, WIDTHS.desktop, OUT).attributes).not.toContain('data-pwned');
  });

  for (const student of ['good', 'hostile'])
    for (const [device, width] of Object.entries(WIDTHS))
      it(`${student} at ${device} width (${width} px): nothing wider than the screen; screenshot kept`, () => {
        const html = page(student);
        expect(layout(html, width, OUT).layout).toEqual({ scrollWidth: width, innerWidth: width, wide: [] });
        // Scrolled to the figures: the page without the parts above them.
        const figures = html.replace(/<\/header>[\s\S]*?(<section id="figures">)/, '</header>$1');
        const shot = screenshot(
          figures,
          width,
          device === 'phone' ? 1400 : 900,
          path.join(OUT, `figures-${student}-${device}.png`),
        );
        expect(shot.width).toBe(width);
      });
});
