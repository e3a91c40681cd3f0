/**
 * Line plot of one or more series against a shared x (loss curves, train/val accuracy per
 * epoch). Non-finite values (a diverged loss) leave a gap instead of breaking the plot.
 */
import { Figure } from './figure';
import { DisplayArgumentError, finiteOrNull, NumberSeries, toNumbers } from './data';
import { baseSpec, plotVegaLite, PlotOptions, TopLevelSpec } from './vega';

export interface LinePlot extends PlotOptions {
  /** Shared x values; defaults to 0, 1, 2, … (the iteration). */
  x?: NumberSeries;
  /** Series by name, e.g. `{ train: trainAcc, val: valAcc }`; legend order is this order. */
  series: Record<string, NumberSeries>;
  logX?: boolean;
  logY?: boolean;
  /** Draw a dot at each point (default: only when every series has ≤ 50 points). */
  points?: boolean;
}

export function plotLines(plot: LinePlot): Figure {
  const where = 'plotLines';
  const names = Object.keys(plot.series ?? {});
  if (names.length === 0) throw new DisplayArgumentError(`${where}: series must name at least one series, e.g. { series: { loss: lossHistory } }`);
  const ys = names.map((n) => toNumbers(plot.series[n], `series.${n}`, where));
  const longest = Math.max(...ys.map((y) => y.length));
  const x = plot.x === undefined ? Array.from({ length: longest }, (_, i) => i) : toNumbers(plot.x, 'x', where);
  ys.forEach((y, i) => {
    if (y.length > x.length) throw new DisplayArgumentError(`${where}: series.${names[i]} has ${y.length} values but x has ${x.length}`);
  });
  const values = names.flatMap((name, s) => ys[s].map((y, i) => ({ x: finiteOrNull(x[i]), y: finiteOrNull(y), series: name })));
  // log scales cannot show values ≤ 0: drop them like non-finite ones
  const kept = values.filter((v) => v.x !== null && v.y !== null && (!plot.logX || v.x > 0) && (!plot.logY || v.y > 0));
  const points = plot.points ?? longest <= 50;
  const spec = {
    ...baseSpec(plot),
    data: { values: kept },
    mark: { type: 'line', point: points },
    encoding: {
      x: { field: 'x', type: 'quantitative', title: plot.xLabel ?? (plot.x === undefined ? 'iteration' : 'x'), scale: { type: plot.logX ? 'log' : 'linear', zero: false } },
      y: { field: 'y', type: 'quantitative', title: plot.yLabel ?? (names.length === 1 ? names[0] : 'value'), scale: { type: plot.logY ? 'log' : 'linear', zero: false } },
      color: { field: 'series', type: 'nominal', sort: names, title: null, legend: names.length > 1 ? {} : null },
    },
  } as unknown as TopLevelSpec;
  return plotVegaLite(spec, plot);
}
