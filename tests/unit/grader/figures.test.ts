/**
 * Figures (grader/figures.ts, report/html.ts): the grader's check of what a child sends as a figure
 * (every byte comes from the submission), the caps per submission, which figures the page pairs,
 * and the page's markup for a hostile SVG — no grading run (tests/integration/grader/figures.test.ts
 * grades and opens the page in chromium).
 */
import * as fs from 'fs';
import * as path from 'path';
import { checkFigure, FigureCollector, figureRequest, figuresShown, FIGURE_LIMITS } from '../../../grader/figures';
import { feedbackHtml } from '../../../grader/report/html';
import { reportJson } from '../../../grader/report';
import type { CellFigure, Spec, StudentResult } from '../../../grader/types';
import type { ChildMessage } from '../../../grader/sandbox/protocol';
import { TESTS_DIR } from '../../helpers/paths';
import { HOSTILE_SVG, tinyPng } from '../../helpers/figures';

type Msg = Extract<ChildMessage, { t: 'figure' }>;

const NOTEBOOKS = ['stats.ipynb', 'ops.ipynb'];

const msg = (over: Partial<Msg>): Msg => ({
  t: 'figure',
  notebook: 'stats.ipynb',
  cell: 6,
  cellId: 'c5',
  index: 0,
  mime: 'image/png',
  data: tinyPng(),
  ...over,
});

describe('checkFigure: only PNG data and SVG text from a graded notebook', () => {
  it('keeps a PNG (base64 normalised, decoded size counted) and the title of its text form', () => {
    const r = checkFigure(msg({ title: '<Figure "Training loss" 480×300>', width: 480, height: 300 }), NOTEBOOKS);
    expect('figure' in r).toBe(true);
    if (!('figure' in r)) return;
    expect(r.figure).toMatchObject({ notebook: 'stats.ipynb', cell: 6, cellId: 'c5', title: 'Training loss' });
    expect(r.figure).toMatchObject({ width: 480, height: 300 });
    expect(r.bytes).toBe(Buffer.from(tinyPng(), 'base64').length);
  });

  it('keeps an SVG as base64 of its text (never as markup)', () => {
    const r = checkFigure(msg({ mime: 'image/svg+xml', data: HOSTILE_SVG }), NOTEBOOKS);
    expect('figure' in r && Buffer.from(r.figure.data, 'base64').toString('utf8')).toBe(HOSTILE_SVG);
    expect('figure' in r && r.figure.data).toMatch(/^[A-Za-z0-9+/]*={0,2}$/);
  });

  it.each([
    ['text that is not base64', { data: '"><script>alert(1)</script>' }, 'image/png that is not base64'],
    ['base64 of a GIF', { data: Buffer.from('GIF89a......').toString('base64') }, 'image/png that is not a PNG'],
    ['an SVG without <svg>', { mime: 'image/svg+xml', data: '<html><script>1</script></html>' }, 'without an <svg>'],
    ['another type', { mime: 'text/html' }, 'an image of type text/html'],
    ['a notebook the spec does not grade', { notebook: '../../etc/passwd' }, 'not from a graded notebook'],
    ['no cell position', { cell: 0 }, 'no cell position'],
    ['data that is not a string', { data: { length: 3 } as unknown as string }, 'no image data'],
  ])('refuses %s', (_what, over, problem) => {
    const r = checkFigure(msg(over as Partial<Msg>), NOTEBOOKS);
    expect('problem' in r && r.problem).toContain(problem);
  });

  it('drops a display size that is not sensible, and control characters in titles', () => {
    const r = checkFigure(msg({ width: 1e9, height: -1, title: 'a\nb\u0000c' }), NOTEBOOKS);
    expect('figure' in r && [r.figure.width, r.figure.height, r.figure.title]).toEqual([undefined, undefined, 'a b c']);
  });
});

describe('FigureCollector: caps per submission, with a note', () => {
  it('keeps at most maxCount figures and says how many were not kept, from where', () => {
    const c = new FigureCollector({ maxCount: 2, maxBytes: 1 << 20 }, NOTEBOOKS);
    for (let k = 0; k < 5; k++) c.add(msg({ index: k }));
    c.dropped('stats.ipynb cell 7', 10); // what a child did not send
    expect(c.figures).toHaveLength(2);
    expect(c.notes()).toEqual([
      '13 figures beyond the cap of 2 figures, 1 MB per submission not kept (from stats.ipynb cell 6 on)',
    ]);
    expect(c.remaining()).toMatchObject({ maxCount: 0 });
  });

  it('keeps figures while their bytes fit, and counts images that are not figures apart', () => {
    const one = Buffer.from(tinyPng(), 'base64').length;
    const c = new FigureCollector({ maxCount: 40, maxBytes: one * 2 + 1 }, NOTEBOOKS);
    for (let k = 0; k < 3; k++) c.add(msg({ index: k }));
    c.add(msg({ mime: 'image/png', data: 'bm90IGEgcG5n', cell: 9 }));
    expect(c.figures).toHaveLength(2);
    expect(c.remaining().maxBytes).toBe(1);
    expect(c.notes()[1]).toBe(
      '1 displayed image left out, not a PNG or SVG figure (first: stats.ipynb cell 9: image/png that is not a PNG)',
    );
  });

  it('a cell that clears its output loses its figures so far, and their room under the caps', () => {
    const c = new FigureCollector({ maxCount: 2, maxBytes: 1 << 20 }, NOTEBOOKS);
    c.add(msg({ cell: 3 }));
    c.add(msg({ cell: 6 }));
    c.clearCell('stats.ipynb', 6);
    c.add(msg({ cell: 6, title: 'redrawn' }));
    expect(c.figures.map((f) => [f.cell, f.title])).toEqual([
      [3, undefined],
      [6, 'redrawn'],
    ]);
    expect(c.notes()).toEqual([]);
  });

  it('puts a figure sent in pieces back together; pieces past the cap or of an unfinished child are dropped', () => {
    const png = tinyPng(40, 30);
    const c = new FigureCollector({ maxCount: 40, maxBytes: 1 << 20 }, NOTEBOOKS);
    for (let k = 0; k < png.length - 10; k += 10) c.part(png.slice(k, k + 10));
    c.add(msg({ data: png.slice(Math.floor((png.length - 11) / 10) * 10 + 10) }));
    expect(c.figures.map((f) => f.data)).toEqual([png]);
    c.part(png.slice(0, 10));
    c.newChild();
    c.add(msg({ data: png }));
    expect(c.figures.map((f) => f.data)).toEqual([png, png]);
    const small = new FigureCollector({ maxCount: 40, maxBytes: 30 }, NOTEBOOKS);
    small.part('A'.repeat(30));
    small.part('A'.repeat(30));
    small.add(msg({ data: '' }));
    expect(small.figures).toEqual([]);
    expect(small.notes()[0]).toMatch(/^1 figure beyond the cap/);
  });

  it('asks the child for the cells the spec names, with the default caps', () => {
    expect(figureRequest({})).toEqual(FIGURE_LIMITS);
    expect(
      figureRequest({
        figures: {
          show: [
            { notebook: 'a.ipynb', cell: 'x' },
            { notebook: 'a.ipynb', cell: 'y' },
          ],
          maxCount: 3,
        },
      }),
    ).toEqual({ cells: { 'a.ipynb': ['x', 'y'] }, maxCount: 3, maxBytes: FIGURE_LIMITS.maxBytes });
  });
});

describe('figuresShown: the student figure beside the reference one of the same cell', () => {
  const fig = (over: Partial<CellFigure>): CellFigure => ({
    notebook: 'stats.ipynb',
    cell: 6,
    cellId: 'c5',
    index: 0,
    mime: 'image/png',
    data: tinyPng(),
    ...over,
  });

  it('without figures.show: every student figure, paired by cell id and position, else by title', () => {
    const mine = [fig({ cell: 7 }), fig({ cell: 7, index: 1, title: 'B' }), fig({ cellId: 'zz', title: 'C', cell: 9 })];
    const ref = [fig({}), fig({ index: 1, title: 'B' }), fig({ cellId: 'c8', title: 'C', cell: 8 })];
    const shown = figuresShown({}, mine, ref, new Set(['stats.ipynb']));
    expect(shown.map((s) => [s.student?.cell, s.reference?.cell, s.reference?.index])).toEqual([
      [7, 6, 0],
      [7, 6, 1],
      [9, 8, 0],
    ]);
    expect(shown[1].caption).toBe('B');
  });

  it('with figures.show: the named cells in order, captions, compare: false, the reference alone only where the notebook ran', () => {
    const spec: Pick<Spec, 'figures'> = {
      figures: {
        show: [
          { notebook: 'ops.ipynb', cell: 'o1', caption: 'Loss' },
          { notebook: 'stats.ipynb', cell: 'c5', compare: false },
        ],
      },
    };
    const ref = [fig({}), fig({ notebook: 'ops.ipynb', cellId: 'o1', cell: 2 })];
    const mine = [fig({ cell: 7, title: 'Mine' }), fig({ cellId: 'other' })];
    const ran = figuresShown(spec, mine, ref, new Set(NOTEBOOKS));
    expect(ran).toEqual([
      { caption: 'Loss', reference: ref[1] },
      { caption: 'Mine', student: mine[0] },
    ]);
    expect(figuresShown(spec, mine, ref, new Set(['stats.ipynb']))).toEqual([{ caption: 'Mine', student: mine[0] }]);
  });
});

describe('feedback.html with figures', () => {
  const base: StudentResult = JSON.parse(
    fs.readFileSync(path.join(TESTS_DIR, 'fixtures', 'grader', 'reports', 'partial.json'), 'utf8'),
  );
  const hostile = checkFigure(
    msg({ mime: 'image/svg+xml', data: HOSTILE_SVG, title: '"><script>alert(1)</script>' }),
    NOTEBOOKS,
  );
  const mine = checkFigure(msg({ cell: 7 }), NOTEBOOKS);
  if (!('figure' in hostile) || !('figure' in mine)) throw new Error('fixture figures refused');
  const r: StudentResult = {
    ...base,
    figures: [
      { caption: 'Training loss', student: mine.figure, reference: { ...mine.figure, cell: 6 } },
      { caption: 'hostile', student: hostile.figure },
      { caption: 'Weights', reference: mine.figure },
    ],
    figureNotes: ['3 figures beyond the cap of 40 figures, 8 MB per submission not kept (from svm.ipynb cell 3 on)'],
  };
  const spec = { title: 'T', groups: [{ id: 'svm', title: 'SVM', points: 25 }], items: [] };
  const html = feedbackHtml(r, spec);

  it('shows each figure as a data: image with its cell, the reference beside it', () => {
    const figures = html.slice(html.indexOf('<section id="figures">'));
    expect(figures).toContain('Yours · <code>stats.ipynb cell 7</code>');
    expect(figures).toContain('Reference · <code>stats.ipynb cell 6</code>');
    expect(figures).toContain(`<img src="data:image/png;base64,${mine.figure.data}"`);
    expect(figures).toContain('Your notebook showed no figure in this cell');
    expect(figures).toContain('3 figures beyond the cap of 40 figures');
  });

  it('a hostile SVG is base64 inside an <img>; the page has no script and no event handler, and allows none', () => {
    expect(html).toContain(`<img src="data:image/svg+xml;base64,${hostile.figure.data}"`);
    expect(html).toContain(`content="default-src 'none'; img-src data:; style-src 'unsafe-inline'"`);
    expect(html).not.toMatch(/<script|<svg|\sonload=|\sonerror=/i);
    expect(html).toContain('alt="Yours: &quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('report.json (its schema) takes the figures', () => {
    expect(() => reportJson(r)).not.toThrow();
    const bad = { ...r, figures: [{ caption: 'x', student: { ...mine.figure, data: '"><b>' } }] };
    expect(() => reportJson(bad)).toThrow(/report.schema.json/);
  });
});
