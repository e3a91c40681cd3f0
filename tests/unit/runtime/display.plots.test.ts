/**
 * plotLines / plotScatter / plotErrorBars / plotBars / plotVegaLite: Vega-Lite rendered headless
 * to SVG (the data marks are counted in the SVG) and to PNG when asked; bad input is a
 * DisplayArgumentError; tensors passed in are read without leaking.
 */
import * as vega from 'vega';
import { compile } from 'vega-lite';
import { PNG } from 'pngjs';
import { tf, ready } from '../../../kernel/runtime/tensor';
import { setDisplaySink } from '../../../kernel/runtime/output';
import {
  plotLines,
  plotScatter,
  plotErrorBars,
  plotBars,
  plotVegaLite,
  vegaToSvg,
  DisplayArgumentError,
  PlotError,
  Figure,
  TopLevelSpec,
} from '../../../kernel/runtime/display';
import { pngFont } from '../../../kernel/runtime/display/fonts';
import { captureDisplays } from '../../helpers/display';

const shown = captureDisplays();

beforeAll(async () => {
  await ready();
});

/** How many data marks of each kind Vega drew (its SVG labels every mark item for screen readers). */
function marks(svg: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of svg.matchAll(/role="graphics-symbol" aria-roledescription="([^"]+)"/g))
    out[m[1]] = (out[m[1]] ?? 0) + 1;
  return out;
}
/** The aria-labels ("x: 1; y: 2; …") of the data marks of one kind. */
function markLabels(svg: string, kind: string): string[] {
  return [
    ...svg.matchAll(new RegExp(`aria-label="([^"]*)" role="graphics-symbol" aria-roledescription="${kind}"`, 'g')),
  ].map((m) => m[1]);
}
function errorOf(f: () => unknown): Error {
  try {
    f();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error');
}
function expectDisplayError(f: () => unknown, message: RegExp): void {
  const e = errorOf(f);
  expect(e).toBeInstanceOf(DisplayArgumentError);
  expect(e.message).toMatch(message);
  expect(e.message).not.toContain('\n');
}
const svgOf = (i = 0): string => String(shown[i].bundle['image/svg+xml']);

describe('plotLines', () => {
  it('draws one line per series and a point per value (≤ 50 values), as SVG through the display sink', () => {
    const fig = plotLines({
      series: { train: [0.1, 0.3, 0.5, 0.6], val: [0.1, 0.25, 0.4, 0.42] },
      title: 'Accuracy',
      xLabel: 'epoch',
    });
    expect(fig).toBeInstanceOf(Figure);
    expect(shown).toHaveLength(1);
    expect(Object.keys(shown[0].bundle).sort()).toEqual(['image/svg+xml', 'text/plain']);
    expect(shown[0].bundle['text/plain']).toMatch(/^<Figure "Accuracy" \d+×\d+>$/);
    const svg = svgOf();
    expect(svg.startsWith('<svg')).toBe(true);
    expect(marks(svg)).toMatchObject({ 'line mark': 2, point: 8, legend: 1 });
    expect(markLabels(svg, 'point')).toContain('epoch: 3; value: 0.42; series: val');
    expect(svg).toContain('>Accuracy</text>');
    // each line has 4 vertices: M + 3 L
    const paths = [...svg.matchAll(/aria-roledescription="line mark" d="([^"]+)"/g)].map((m) => m[1]);
    expect(paths.map((d) => (d.match(/[ML]/g) ?? []).join(''))).toEqual(['MLLL', 'MLLL']);
  });

  it('reads tensors and typed arrays, hides points on long series, and breaks the line at null', () => {
    const loss = tf.linspace(2.3, 0.5, 200);
    const before = tf.memory().numTensors;
    plotLines({ series: { loss } });
    expect(tf.memory().numTensors).toBe(before);
    expect(marks(svgOf())).toEqual({ axis: 2, 'line mark': 1 });
    expect(svgOf()).toContain('>iteration</text>');
    loss.dispose();

    plotLines({ x: new Float32Array([1, 2, 3, 4, 5]), series: { a: [1, 2, null, 4, 5] } });
    const d = /aria-roledescription="line mark" d="([^"]+)"/.exec(svgOf(1))?.[1] ?? '';
    expect((d.match(/[ML]/g) ?? []).join('')).toBe('MLML'); // two pieces, no vertex for the gap
    expect(marks(svgOf(1)).point).toBe(4);
  });

  it('uses log axes when asked', () => {
    plotLines({ x: [1, 10, 100, 1000], series: { contrast: [10, 3, 1.6, 1.2] }, logX: true, logY: true });
    expect(svgOf()).toContain('for a log scale');
    const xs = [...svgOf().matchAll(/aria-roledescription="point" transform="translate\(([\d.]+),/g)].map((m) =>
      Number(m[1]),
    );
    // evenly spaced on a log axis
    expect(xs[1] - xs[0]).toBeCloseTo(xs[2] - xs[1], 3);
  });

  it('rejects NaN, mismatched lengths, empty and non-positive-on-log input', () => {
    expectDisplayError(
      () => plotLines({ series: { loss: [2.3, 1.9, NaN, NaN] } }),
      /plotLines: series\.loss\[2\] is NaN; pass null for a gap/,
    );
    expectDisplayError(() => plotLines({ series: { loss: [1, Infinity] } }), /series\.loss\[1\] is Infinity/);
    expectDisplayError(
      () => plotLines({ x: [0, 1, 2], series: { train: [1, 2, 3], val: [1, 2] } }),
      /series\.val has 2 values but x has 3; pass one value per x/,
    );
    expectDisplayError(() => plotLines({ x: [0, NaN], series: { a: [1, 2] } }), /x\[1\] is NaN/);
    expectDisplayError(() => plotLines({ series: {} }), /series must name at least one series/);
    expectDisplayError(() => plotLines({ series: { a: [] } }), /every series is empty/);
    expectDisplayError(() => plotLines({ series: { a: [null, null] } }), /series\.a has no values to draw/);
    expectDisplayError(
      () => plotLines({ series: { a: [1, 0, 2] }, logY: true }),
      /series\.a\[1\] = 0 cannot be drawn on a log y axis/,
    );
    expectDisplayError(
      () => plotLines({ series: { a: 'abc' as unknown as number[] } }),
      /series\.a must be an array of numbers or a tensor/,
    );
    expectDisplayError(
      () => plotLines({ series: { a: [1, '2' as unknown as number] } }),
      /series\.a\[1\] is "2" \(not a number\)/,
    );
    const t = tf.zeros([3]);
    t.dispose();
    expectDisplayError(() => plotLines({ series: { a: t } }), /series\.a is a disposed tensor/);
    expect(shown).toHaveLength(0);
  });
});

describe('plotScatter', () => {
  it('draws every point of a 10-class scatter, coloured by group with a 10-entry legend', () => {
    const points = Array.from({ length: 500 }, (_, i) => ({
      x: Math.cos(i) * (i % 10),
      y: Math.sin(i) * (i % 10),
      group: `class ${i % 10}`,
    }));
    plotScatter({ points, title: 'embedding', colorLabel: 'class' });
    const svg = svgOf();
    expect(marks(svg).circle).toBe(500);
    expect(svg).toContain("Symbol legend titled 'class' for fill color with 10 values");
    const fills = new Set(
      [...svg.matchAll(/aria-roledescription="circle" transform="[^"]+" d="[^"]+" fill="([^"]+)"/g)].map((m) => m[1]),
    );
    expect(fills.size).toBe(10);
  });

  it('maps a numeric colour to a continuous scale (hyper-parameter search), on log axes if asked', () => {
    const trials = [
      { lr: 1e-7, reg: 2.5e4, acc: 0.35 },
      { lr: 1e-6, reg: 5e4, acc: 0.39 },
      { lr: 1e-5, reg: 1e3, acc: 0.2 },
    ];
    plotScatter({
      points: trials.map((t) => ({ x: t.lr, y: t.reg, color: t.acc })),
      logX: true,
      logY: true,
      colorLabel: 'val accuracy',
    });
    const svg = svgOf();
    expect(marks(svg).circle).toBe(3);
    expect(svg).toContain("legend titled 'val accuracy' for fill color with values from 0.20 to 0.39");
    expect(svg).toContain('for a log scale');
  });

  it('renders PNG when asked: 2× pixels, shown at the SVG size through metadata', () => {
    const fig = plotScatter({
      points: [
        { x: 0, y: 0 },
        { x: 0.5, y: 0.5 },
        { x: 1, y: 1 },
      ],
      format: 'png',
      width: 200,
      height: 120,
    });
    const { bundle, options } = shown[0];
    expect(Object.keys(bundle).sort()).toEqual(['image/png', 'text/plain']);
    const png = PNG.sync.read(Buffer.from(String(bundle['image/png']), 'base64'));
    expect([png.width, png.height]).toEqual([Math.ceil(fig.width * 2), Math.ceil(fig.height * 2)]);
    expect(options.metadata).toEqual({ 'image/png': { width: Math.round(fig.width), height: Math.round(fig.height) } });
    // the plot area is at least 200 px wide (plus axes)
    expect(fig.width).toBeGreaterThan(200);
    // the points are drawn in the default blue #4c78a8 at opacity 0.85 over white; the middle
    // one alone is a disc of radius √(60/π)·2 ≈ 8.7 px ≈ 240 px²
    const [r, g, b] = [0x4c, 0x78, 0xa8].map((c) => 0.85 * c + 0.15 * 255);
    let blue = 0;
    for (let i = 0; i < png.data.length; i += 4)
      if (Math.abs(png.data[i] - r) < 8 && Math.abs(png.data[i + 1] - g) < 8 && Math.abs(png.data[i + 2] - b) < 8)
        blue++;
    expect(blue).toBeGreaterThan(200);
    // axis labels and titles (black text) become pixels only when resvg has a font
    let dark = 0;
    for (let i = 0; i < png.data.length; i += 4)
      if (png.data[i] < 60 && png.data[i + 1] < 60 && png.data[i + 2] < 60) dark++;
    if (pngFont().files.length > 0) expect(dark).toBeGreaterThan(50);
    else expect(dark).toBe(0);
  });

  it('rejects NaN coordinates, a missing colour, empty input and ≤ 0 on a log axis', () => {
    expectDisplayError(
      () =>
        plotScatter({
          points: [
            { x: 1, y: 2 },
            { x: NaN, y: 1 },
          ],
        }),
      /plotScatter: points\[1\]\.x is NaN/,
    );
    expectDisplayError(
      () =>
        plotScatter({
          points: [
            { x: 1, y: 2, color: 0.3 },
            { x: 2, y: 1 },
          ],
        }),
      /points\[1\]\.color is missing/,
    );
    expectDisplayError(() => plotScatter({ points: [] }), /points is empty/);
    expectDisplayError(
      () => plotScatter({ points: [{ x: 0, y: 1 }], logX: true }),
      /points x\[0\] = 0 cannot be drawn on a log x axis/,
    );
    expectDisplayError(() => plotScatter({ points: 'x' as unknown as [] }), /points must be an array/);
    expectDisplayError(
      () => plotScatter({ points: [null as unknown as { x: number; y: number }] }),
      /points\[0\] must be an object/,
    );
  });
});

describe('plotErrorBars (k-NN cross-validation)', () => {
  const ks = [1, 3, 5, 8, 10, 12, 15, 20, 50, 100];
  const folds = ks.map((k, i) => Array.from({ length: 5 }, (_, f) => 0.25 + 0.01 * Math.sin(i + f) + 0.002 * i));
  const mean = folds.map((a) => a.reduce((s, v) => s + v, 0) / a.length);
  const std = folds.map((a, i) => Math.sqrt(a.reduce((s, v) => s + (v - mean[i]) ** 2, 0) / a.length));

  it('draws each fold as a point, ±std as a rule and the means as a line with points', () => {
    plotErrorBars({ x: ks, mean, std, points: folds, xLabel: 'k', yLabel: 'accuracy' });
    const m = marks(svgOf());
    expect(m).toMatchObject({ point: 50 + 10, 'rule mark': 10, 'line mark': 1 });
    // the rule for k = 100 spans mean ± std
    const rule = markLabels(svgOf(), 'rule mark').find((l) => l.startsWith('k: 100;')) ?? '';
    const [, lo, hi] = /accuracy: ([\d.]+); hi: ([\d.]+)/.exec(rule) ?? [];
    // the mark's label uses the axis format: 6 significant digits in plain decimals
    expect(Number(lo)).toBeCloseTo(mean[9] - std[9], 5);
    expect(Number(hi)).toBeCloseTo(mean[9] + std[9], 5);
  });

  it('accepts the raw points as a flat list of { x, y }, and tensors for x/mean/std', () => {
    const [tx, tm, ts] = [tf.tensor1d(ks), tf.tensor1d(mean), tf.tensor1d(std)];
    const before = tf.memory().numTensors;
    plotErrorBars({
      x: tx,
      mean: tm,
      std: ts,
      points: ks.flatMap((k, i) => folds[i].map((y) => ({ x: k, y }))),
      logX: true,
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(marks(svgOf())).toMatchObject({ point: 60, 'rule mark': 10 });
    tf.dispose([tx, tm, ts]);
  });

  it('rejects mismatched lengths, negative std, NaN and malformed points', () => {
    expectDisplayError(
      () => plotErrorBars({ x: ks, mean: mean.slice(1), std }),
      /x, mean and std must have the same length \(got 10, 9, 10\)/,
    );
    expectDisplayError(
      () => plotErrorBars({ x: [1, 2], mean: [0.1, 0.2], std: [0.01, -0.01] }),
      /std\[1\] = -0\.01 is negative/,
    );
    expectDisplayError(() => plotErrorBars({ x: [1, 2], mean: [0.1, NaN], std: [0, 0] }), /mean\[1\] is NaN/);
    expectDisplayError(
      () => plotErrorBars({ x: [1, 2], mean: [0.1, 0.2], std: [0, 0], points: [[0.1]] }),
      /one array per x value \(got 1 for 2 x values\)/,
    );
    expectDisplayError(
      () => plotErrorBars({ x: [1, 2], mean: [0.1, 0.2], std: [0, 0], points: [{ x: 1, y: NaN }] }),
      /points\[0\]\.y is NaN/,
    );
    expectDisplayError(() => plotErrorBars({ x: [], mean: [], std: [] }), /x is empty/);
    expectDisplayError(
      () => plotErrorBars({ x: [0, 1], mean: [1, 1], std: [0, 0], logX: true }),
      /x\[0\] = 0 cannot be drawn on a log x axis/,
    );
  });
});

describe('plotBars', () => {
  it('draws one bar per label with its value printed above, in the given order', () => {
    plotBars({ labels: ['two loops', 'one loop', 'no loops'], values: [31200, 1520, 38.5], logY: true, yLabel: 'ms' });
    const svg = svgOf();
    expect(marks(svg)).toMatchObject({ bar: 3, 'text mark': 3 });
    expect(markLabels(svg, 'bar')).toEqual([
      'label: two loops; ms: 31200',
      'label: one loop; ms: 1520',
      'label: no loops; ms: 38.5',
    ]);
    expect(svg).toContain('>38.5</text>');
    plotBars({ labels: ['a', 'b'], values: tf.tensor1d([1, 2]), showValues: false });
    expect(marks(svgOf(1))).toMatchObject({ bar: 2 });
    expect(marks(svgOf(1))['text mark']).toBeUndefined();
  });

  it('prints values and linear tick labels in plain decimals (5,470 ms), never 5.47e+3', () => {
    plotBars({ labels: ['two loops', 'no loops'], values: [5470, 12.5], yLabel: 'time (ms)' });
    const bars = svgOf();
    expect(bars).toContain('>5,470</text>');
    expect(bars).toContain('>12.5</text>');
    expect(bars).toContain('time (ms)');
    plotLines({ series: { loss: [12000, 8000, 4500] }, yLabel: 'loss' });
    const lines = svgOf(1);
    expect(lines).toMatch(/>1[02],000<\/text>/);
    for (const svg of [bars, lines]) expect(svg).not.toMatch(/>[\d.]+e[+-]\d+<\/text>/);
  });

  it('rejects mismatched labels, duplicates, NaN and ≤ 0 on a log axis', () => {
    expectDisplayError(
      () => plotBars({ labels: ['a'], values: [1, 2] }),
      /labels and values must have the same length \(got 1 and 2\)/,
    );
    expectDisplayError(() => plotBars({ labels: ['a', 'a'], values: [1, 2] }), /label "a" appears twice/);
    expectDisplayError(() => plotBars({ labels: ['a', 'b'], values: [1, NaN] }), /values\[1\] is NaN/);
    expectDisplayError(
      () => plotBars({ labels: ['a'], values: [0], logY: true }),
      /values\[0\] = 0 cannot be drawn on a log y axis/,
    );
    expectDisplayError(() => plotBars({ labels: [], values: [] }), /values is empty/);
  });
});

describe('plotVegaLite and the headless renderer', () => {
  it("renders any Vega-Lite spec; an invalid one is a PlotError with Vega's message", () => {
    const fig = plotVegaLite({
      data: {
        values: [
          { a: 'x', b: 1 },
          { a: 'y', b: 3 },
        ],
      },
      mark: 'area',
      encoding: { x: { field: 'a', type: 'nominal' }, y: { field: 'b', type: 'quantitative' } },
      title: 'custom',
    });
    expect(fig.title).toBe('custom');
    expect(marks(svgOf())).toMatchObject({ 'area mark': 1 });
    const e = errorOf(() => plotVegaLite({ mark: 'nonsense' } as unknown as TopLevelSpec, { show: false }));
    expect(e).toBeInstanceOf(PlotError);
    expect(e.message).toMatch(/^invalid Vega-Lite spec: /);
  });

  it("the synchronous SVG equals what Vega's own async view.toSVG() renders (guards a vega upgrade)", async () => {
    const spec = compile({
      data: { values: Array.from({ length: 20 }, (_, i) => ({ x: i, y: Math.sqrt(i) })) },
      mark: { type: 'line', point: true },
      encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' } },
      title: 'sqrt',
    } as TopLevelSpec).spec as vega.Spec;
    const ours = vegaToSvg(spec);
    const view = new vega.View(vega.parse(spec), { renderer: 'none' });
    const theirs = await view.toSVG();
    view.finalize();
    expect(ours).toBe(theirs);
  });

  it('prints the text form on stdout when no sink is installed, and leaves no tensors behind', () => {
    setDisplaySink(null);
    const writes: string[] = [];
    const spy = jest
      .spyOn(process.stdout, 'write')
      .mockImplementation((s: string | Uint8Array) => (writes.push(String(s)), true));
    const y = tf.tensor1d([3, 2, 1]);
    const before = tf.memory().numTensors;
    try {
      plotLines({ series: { loss: y }, title: 'loss' });
      plotScatter({ points: [{ x: 1, y: 1 }] });
      plotBars({ labels: ['a'], values: new Float64Array([1]) });
    } finally {
      spy.mockRestore();
    }
    expect(tf.memory().numTensors).toBe(before);
    y.dispose();
    expect(writes).toHaveLength(3);
    expect(writes[0]).toMatch(/^<Figure "loss" \d+×\d+>\n$/);
    expect(writes[1]).toMatch(/^<Figure "figure" \d+×\d+>\n$/);
  });
});
