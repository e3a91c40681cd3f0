/**
 * Mean ± std per x with error bars, optionally over the raw points — the k-NN cross-validation
 * plot: each fold's accuracy as a dot, the mean as a line, ±1 std as a bar, for every k.
 */
import { Figure } from './figure';
import { DisplayArgumentError, finiteNumber, NumberSeries, requirePositive, toNumbers } from './data';
import { axisScale, baseSpec, numberAxis, plotVegaLite, PlotOptions, TopLevelSpec } from './vega';

export interface ErrorBarPlot extends PlotOptions {
  x: NumberSeries;
  mean: NumberSeries;
  std: NumberSeries;
  /**
   * Raw observations (e.g. one accuracy per fold), either one array per x value (`points[i]`
   * belongs to `x[i]`) or a flat list of `{ x, y }`.
   */
  points?: ArrayLike<number>[] | Array<{ x: number; y: number }>;
  logX?: boolean;
}

function rawPoints(
  points: NonNullable<ErrorBarPlot['points']>,
  x: number[],
  where: string,
): Array<{ x: number; y: number }> {
  if (!Array.isArray(points))
    throw new DisplayArgumentError(`${where}: points must be an array (one array per x value, or { x, y } objects)`);
  const list: unknown[] = points;
  const flat =
    list.length > 0 &&
    list.every(
      (p) => typeof p === 'object' && p !== null && 'x' in p && 'y' in p && !Array.isArray(p) && !ArrayBuffer.isView(p),
    );
  if (flat) {
    return (points as Array<{ x: number; y: number }>).map((p, i) => ({
      x: finiteNumber(p.x, `points[${i}].x`, where),
      y: finiteNumber(p.y, `points[${i}].y`, where),
    }));
  }
  if (points.length !== x.length) {
    throw new DisplayArgumentError(
      `${where}: points must hold one array per x value (got ${points.length} for ${x.length} x values) or be a list of { x, y }`,
    );
  }
  return (points as ArrayLike<number>[]).flatMap((ps, i) =>
    toNumbers(ps, `points[${i}]`, where).map((y) => ({ x: x[i], y })),
  );
}

export function plotErrorBars(plot: ErrorBarPlot): Figure {
  const where = 'plotErrorBars';
  const x = toNumbers(plot.x, 'x', where);
  const mean = toNumbers(plot.mean, 'mean', where);
  const std = toNumbers(plot.std, 'std', where);
  if (mean.length !== x.length || std.length !== x.length) {
    throw new DisplayArgumentError(
      `${where}: x, mean and std must have the same length (got ${x.length}, ${mean.length}, ${std.length})`,
    );
  }
  if (x.length === 0) throw new DisplayArgumentError(`${where}: x is empty; there is nothing to draw`);
  const negative = std.findIndex((s) => s < 0);
  if (negative >= 0)
    throw new DisplayArgumentError(
      `${where}: std[${negative}] = ${std[negative]} is negative; pass standard deviations (≥ 0)`,
    );
  const raw = plot.points ? rawPoints(plot.points, x, where) : [];
  if (plot.logX) {
    requirePositive(x, 'x', 'x', where);
    requirePositive(
      raw.map((p) => p.x),
      'points x',
      'x',
      where,
    );
  }
  const stats = x.map((xi, i) => ({ x: xi, mean: mean[i], lo: mean[i] - std[i], hi: mean[i] + std[i] }));
  const xEnc = {
    field: 'x',
    type: 'quantitative',
    title: plot.xLabel ?? 'x',
    scale: axisScale(plot.logX),
    axis: numberAxis(plot.logX),
  };
  const yTitle = plot.yLabel ?? 'value';
  const layers: unknown[] = [];
  if (raw.length) {
    layers.push({
      data: { values: raw },
      mark: { type: 'point', filled: true, size: 30, color: '#9ecae9', opacity: 0.9 },
      encoding: {
        x: xEnc,
        y: { field: 'y', type: 'quantitative', title: yTitle, scale: { zero: false }, axis: numberAxis() },
      },
    });
  }
  layers.push(
    {
      data: { values: stats },
      mark: { type: 'rule', color: '#4c78a8', strokeWidth: 1.5 },
      encoding: {
        x: xEnc,
        y: { field: 'lo', type: 'quantitative', title: yTitle, scale: { zero: false }, axis: numberAxis() },
        y2: { field: 'hi' },
      },
    },
    {
      data: { values: stats },
      mark: { type: 'line', color: '#4c78a8', point: { filled: true, size: 50, color: '#4c78a8' } },
      encoding: { x: xEnc, y: { field: 'mean', type: 'quantitative', title: yTitle, axis: numberAxis() } },
    },
  );
  const spec = { ...baseSpec(plot), layer: layers } as unknown as TopLevelSpec;
  return plotVegaLite(spec, plot);
}
