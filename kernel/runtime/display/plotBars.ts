/** Bar chart of one value per label (e.g. the run time of the two-, one- and no-loop distances). */
import { Figure } from './figure';
import { DisplayArgumentError, NumberSeries, requirePositive, toNumbers } from './data';
import { baseSpec, numberAxis, plotVegaLite, PlotOptions, TopLevelSpec } from './vega';

export interface BarPlot extends PlotOptions {
  labels: string[];
  values: NumberSeries;
  logY?: boolean;
  /** Print each value above its bar (default true). */
  showValues?: boolean;
}

export function plotBars(plot: BarPlot): Figure {
  const where = 'plotBars';
  const values = toNumbers(plot.values, 'values', where);
  if (!Array.isArray(plot.labels) || plot.labels.length !== values.length) {
    throw new DisplayArgumentError(
      `${where}: labels and values must have the same length (got ${plot.labels?.length ?? 'no labels'} and ${values.length})`,
    );
  }
  const dup = plot.labels.findIndex((l, i) => plot.labels.indexOf(l) !== i);
  if (dup >= 0)
    throw new DisplayArgumentError(`${where}: label "${plot.labels[dup]}" appears twice; bar labels must be unique`);
  if (values.length === 0) throw new DisplayArgumentError(`${where}: values is empty; there is nothing to draw`);
  if (plot.logY) requirePositive(values, 'values', 'y', where);
  const rows = plot.labels.map((label, i) => ({ label: String(label), value: values[i] }));
  const x = { field: 'label', type: 'nominal', sort: null, title: plot.xLabel ?? null, axis: { labelAngle: 0 } };
  const y = {
    field: 'value',
    type: 'quantitative',
    title: plot.yLabel ?? 'value',
    scale: { type: plot.logY ? 'log' : 'linear' },
    axis: numberAxis(plot.logY),
  };
  const layers: unknown[] = [{ mark: { type: 'bar', color: '#4c78a8' }, encoding: { x, y } }];
  if (plot.showValues !== false) {
    layers.push({
      mark: { type: 'text', dy: -6, fontSize: 11 },
      encoding: { x, y, text: { field: 'value', type: 'quantitative', format: ',.3~r' } },
    });
  }
  const spec = { ...baseSpec(plot), data: { values: rows }, layer: layers } as unknown as TopLevelSpec;
  return plotVegaLite(spec, plot);
}
