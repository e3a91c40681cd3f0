/**
 * Mean ± std per x with error bars, optionally over the raw points — the k-NN cross-validation
 * plot: each fold's accuracy as a dot, the mean as a line, ±1 std as a bar, for every k.
 */
import { Figure } from './figure';
import { DisplayArgumentError, finiteOrNull, NumberSeries, toNumbers } from './data';
import { baseSpec, plotVegaLite, PlotOptions, TopLevelSpec } from './vega';

export interface ErrorBarPlot extends PlotOptions {
  x: NumberSeries;
  mean: NumberSeries;
  std: NumberSeries;
  /** Raw observations per x (e.g. one accuracy per fold): `points[i]` belongs to `x[i]`. */
  points?: ArrayLike<number>[];
  logX?: boolean;
}

export function plotErrorBars(plot: ErrorBarPlot): Figure {
  const where = 'plotErrorBars';
  const x = toNumbers(plot.x, 'x', where);
  const mean = toNumbers(plot.mean, 'mean', where);
  const std = toNumbers(plot.std, 'std', where);
  if (mean.length !== x.length || std.length !== x.length) {
    throw new DisplayArgumentError(`${where}: x, mean and std must have the same length (got ${x.length}, ${mean.length}, ${std.length})`);
  }
  if (plot.points && plot.points.length !== x.length) {
    throw new DisplayArgumentError(`${where}: points must hold one array per x value (got ${plot.points.length} for ${x.length} x values)`);
  }
  const stats = x.map((xi, i) => ({ x: finiteOrNull(xi), mean: finiteOrNull(mean[i]), lo: finiteOrNull(mean[i] - std[i]), hi: finiteOrNull(mean[i] + std[i]) }));
  const raw = (plot.points ?? []).flatMap((ps, i) => Array.from(ps, (y) => ({ x: finiteOrNull(x[i]), y: finiteOrNull(y) })));
  const xEnc = { field: 'x', type: 'quantitative', title: plot.xLabel ?? 'x', scale: { type: plot.logX ? 'log' : 'linear', zero: false } };
  const yTitle = plot.yLabel ?? 'value';
  const layers: unknown[] = [];
  if (raw.length) {
    layers.push({
      data: { values: raw },
      mark: { type: 'point', filled: true, size: 30, color: '#9ecae9', opacity: 0.9 },
      encoding: { x: xEnc, y: { field: 'y', type: 'quantitative', title: yTitle, scale: { zero: false } } },
    });
  }
  layers.push(
    {
      data: { values: stats },
      mark: { type: 'rule', color: '#4c78a8', strokeWidth: 1.5 },
      encoding: { x: xEnc, y: { field: 'lo', type: 'quantitative', title: yTitle, scale: { zero: false } }, y2: { field: 'hi' } },
    },
    {
      data: { values: stats },
      mark: { type: 'line', color: '#4c78a8', point: { filled: true, size: 50, color: '#4c78a8' } },
      encoding: { x: xEnc, y: { field: 'mean', type: 'quantitative', title: yTitle } },
    },
  );
  const spec = { ...baseSpec(plot), layer: layers } as unknown as TopLevelSpec;
  return plotVegaLite(spec, plot);
}
