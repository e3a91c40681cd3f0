/**
 * Line plot of one or more series against a shared x (loss curves, train/val accuracy per
 * epoch). A `null` value leaves a gap in its line; NaN or ±Infinity (a diverged loss) is a
 * DisplayArgumentError that says so, because drawing it would hide the divergence.
 */
import { Figure } from './figure';
import { DisplayArgumentError, GappedSeries, NumberSeries, requirePositive, toNumbers } from './data';
import { axisScale, baseSpec, numberAxis, plotVegaLite, PlotOptions, TopLevelSpec } from './vega';

export interface LinePlot extends PlotOptions {
  /** Shared x values; defaults to 0, 1, 2, … (the iteration). When given, every series has one value per x. */
  x?: NumberSeries;
  /** Series by name, e.g. `{ train: trainAcc, val: valAcc }`; legend order is this order. `null` entries are gaps. */
  series: Record<string, GappedSeries>;
  logX?: boolean;
  logY?: boolean;
  /** Draw a dot at each point (default: only when every series has ≤ 50 points). */
  points?: boolean;
}

export function plotLines(plot: LinePlot): Figure {
  const where = 'plotLines';
  const names = typeof plot.series === 'object' && plot.series !== null ? Object.keys(plot.series) : [];
  if (names.length === 0)
    throw new DisplayArgumentError(
      `${where}: series must name at least one series, e.g. { series: { loss: lossHistory } }`,
    );
  const ys = names.map((n) => toNumbers(plot.series[n], `series.${n}`, where, { allowNull: true }));
  const longest = Math.max(...ys.map((y) => y.length));
  if (longest === 0) throw new DisplayArgumentError(`${where}: every series is empty; there is nothing to draw`);
  const x = plot.x === undefined ? Array.from({ length: longest }, (_, i) => i) : toNumbers(plot.x, 'x', where);
  ys.forEach((y, i) => {
    if (plot.x !== undefined && y.length !== x.length)
      throw new DisplayArgumentError(
        `${where}: series.${names[i]} has ${y.length} values but x has ${x.length}; pass one value per x`,
      );
    if (y.length > 0 && y.every((v) => v === null))
      throw new DisplayArgumentError(`${where}: series.${names[i]} has no values to draw (all null)`);
    if (plot.logY) requirePositive(y, `series.${names[i]}`, 'y', where);
  });
  if (plot.logX) requirePositive(x, 'x', 'x', where);
  const values = names.flatMap((name, s) => ys[s].map((y, i) => ({ x: x[i], y, series: name })));
  const points = plot.points ?? longest <= 50;
  const spec = {
    ...baseSpec(plot),
    data: { values },
    // break paths at null values instead of bridging the gap (Vega-Lite's default for lines)
    mark: { type: 'line', point: points, invalid: 'break-paths-filter-domains' },
    encoding: {
      x: {
        field: 'x',
        type: 'quantitative',
        title: plot.xLabel ?? (plot.x === undefined ? 'iteration' : 'x'),
        scale: axisScale(plot.logX),
        axis: numberAxis(plot.logX),
      },
      y: {
        field: 'y',
        type: 'quantitative',
        title: plot.yLabel ?? (names.length === 1 ? names[0] : 'value'),
        scale: axisScale(plot.logY),
        axis: numberAxis(plot.logY),
      },
      color: { field: 'series', type: 'nominal', sort: names, title: null, legend: names.length > 1 ? {} : null },
    },
  } as unknown as TopLevelSpec;
  return plotVegaLite(spec, plot);
}
