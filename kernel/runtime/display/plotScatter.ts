/**
 * Scatter plot. Points are coloured by a number (`color`, a continuous scale with a legend —
 * e.g. validation accuracy over log learning rate × log regularisation in a hyper-parameter
 * search) or by a category (`group`).
 */
import { Figure } from './figure';
import { DisplayArgumentError, finiteNumber, requirePositive } from './data';
import { axisScale, baseSpec, numberAxis, plotVegaLite, PlotOptions, TopLevelSpec } from './vega';

export interface ScatterPoint {
  x: number;
  y: number;
  /** A category; points of one group share a colour. */
  group?: string | number;
  /** A value mapped to a continuous colour scale. */
  color?: number;
}

export interface ScatterPlot extends PlotOptions {
  points: ScatterPoint[];
  logX?: boolean;
  logY?: boolean;
  /** Legend title for `color` / `group`. */
  colorLabel?: string;
  /** Point area in square pixels (default 60). */
  size?: number;
}

export function plotScatter(plot: ScatterPlot): Figure {
  const where = 'plotScatter';
  if (!Array.isArray(plot.points))
    throw new DisplayArgumentError(`${where}: points must be an array of { x, y, color? | group? }`);
  if (plot.points.length === 0) throw new DisplayArgumentError(`${where}: points is empty; there is nothing to draw`);
  const hasColor = plot.points.some((p) => typeof p === 'object' && p !== null && p.color !== undefined);
  const hasGroup = !hasColor && plot.points.some((p) => typeof p === 'object' && p !== null && p.group !== undefined);
  const values = plot.points.map((p, i) => {
    if (typeof p !== 'object' || p === null)
      throw new DisplayArgumentError(`${where}: points[${i}] must be an object { x, y, color? | group? }`);
    return {
      x: finiteNumber(p.x, `points[${i}].x`, where),
      y: finiteNumber(p.y, `points[${i}].y`, where),
      // every point needs a colour value once one has it, or it would be drawn in no colour
      color: hasColor ? finiteNumber(p.color, `points[${i}].color`, where) : null,
      group: p.group === undefined ? null : String(p.group),
    };
  });
  if (plot.logX)
    requirePositive(
      values.map((v) => v.x),
      'points x',
      'x',
      where,
    );
  if (plot.logY)
    requirePositive(
      values.map((v) => v.y),
      'points y',
      'y',
      where,
    );
  const colour = hasColor
    ? { field: 'color', type: 'quantitative', title: plot.colorLabel ?? 'value', scale: { scheme: 'viridis' } }
    : hasGroup
      ? { field: 'group', type: 'nominal', title: plot.colorLabel ?? 'group' }
      : { value: '#4c78a8' };
  const spec = {
    ...baseSpec(plot),
    data: { values },
    mark: { type: 'circle', size: plot.size ?? 60, opacity: 0.85 },
    encoding: {
      x: {
        field: 'x',
        type: 'quantitative',
        title: plot.xLabel ?? 'x',
        scale: axisScale(plot.logX),
        axis: numberAxis(plot.logX),
      },
      y: {
        field: 'y',
        type: 'quantitative',
        title: plot.yLabel ?? 'y',
        scale: axisScale(plot.logY),
        axis: numberAxis(plot.logY),
      },
      color: colour,
    },
  } as unknown as TopLevelSpec;
  return plotVegaLite(spec, plot);
}
