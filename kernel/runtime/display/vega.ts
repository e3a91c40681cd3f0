/**
 * Vega-Lite → Vega → SVG, synchronously and headless (no canvas, no DOM).
 *
 * `view.toSVG()` is async only because it awaits the dataflow; with inline data the dataflow
 * runs synchronously inside `view.run()`, so we render the scenegraph with Vega's own
 * `SVGStringRenderer` right after. This reads the view's laid-out size from the fields
 * Vega's `renderHeadless` uses; a test compares the result with `await view.toSVG()` so a Vega
 * upgrade that changes them fails loudly (vega is pinned in package.json).
 */
import * as vega from 'vega';
import { compile, TopLevelSpec } from 'vega-lite';
import { Figure, FigureFormat } from './figure';

export type { TopLevelSpec };

/** Options shared by every plot helper. */
export interface PlotOptions {
  title?: string;
  xLabel?: string;
  yLabel?: string;
  /** Plot area in pixels. Defaults 420 × 260. */
  width?: number;
  height?: number;
  /** 'svg' (default) or 'png'. */
  format?: FigureFormat;
  /** Display the figure immediately (default true). */
  show?: boolean;
}

export const PLOT_DEFAULTS = { width: 420, height: 260 } as const;

/** A Vega spec could not be rendered; the message is Vega's. */
export class PlotError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PlotError';
  }
}

interface ViewInternals {
  _viewWidth: number;
  _viewHeight: number;
  _origin: [number, number];
}

/** vega-scenegraph's headless SVG renderer (exported by vega, missing from its typings). */
type SvgStringRendererClass = new (loader: unknown) => {
  initialize(el: null, width: number, height: number, origin: number[], scaleFactor: number): unknown;
  background(color: unknown): unknown;
  render(scene: unknown): unknown;
  svg(): string;
};

/** Renders a Vega (not Vega-Lite) spec to an SVG string, synchronously. */
export function vegaToSvg(spec: vega.Spec): string {
  let view: vega.View | undefined;
  try {
    view = new vega.View(vega.parse(spec), { renderer: 'none', logLevel: vega.Error });
    view.run();
    const internals = view as unknown as ViewInternals;
    if (typeof internals._viewWidth !== 'number' || !Array.isArray(internals._origin)) {
      throw new PlotError('this vega version lays out views differently; update kernel/runtime/display/vega.ts');
    }
    const pad = view.padding() as { left: number; right: number; top: number; bottom: number };
    const width = Math.max(0, internals._viewWidth + pad.left + pad.right);
    const height = Math.max(0, internals._viewHeight + pad.top + pad.bottom);
    const origin = [pad.left + internals._origin[0], pad.top + internals._origin[1]];
    const Renderer = (vega as unknown as { SVGStringRenderer: SvgStringRendererClass }).SVGStringRenderer;
    const renderer = new Renderer(view.loader());
    renderer.initialize(null, width, height, origin, 1);
    renderer.background(view.background());
    renderer.render((view.scenegraph() as unknown as { root: unknown }).root);
    return renderer.svg();
  } catch (e) {
    if (e instanceof PlotError) throw e;
    throw new PlotError(`could not render the plot: ${(e as Error).message}`);
  } finally {
    view?.finalize();
  }
}

/** Compiles a Vega-Lite spec and renders it to SVG, synchronously. */
export function vegaLiteToSvg(spec: TopLevelSpec): string {
  let compiled: vega.Spec;
  try {
    // Vega-Lite's warnings (e.g. a dropped scale property) go to console.warn; a notebook only
    // wants errors, and those throw
    compiled = compile(spec, { logger: vega.logger(vega.Error) }).spec as vega.Spec;
  } catch (e) {
    throw new PlotError(`invalid Vega-Lite spec: ${(e as Error).message}`);
  }
  return vegaToSvg(compiled);
}

/**
 * Renders any Vega-Lite spec as a Figure and (unless `show: false`) displays it: the escape
 * hatch for plots the helpers do not cover.
 */
export function plotVegaLite(spec: TopLevelSpec, options: Pick<PlotOptions, 'format' | 'show' | 'title'> = {}): Figure {
  const withDefaults = { background: 'white', config: { font: 'sans-serif' }, ...spec } as TopLevelSpec;
  const title =
    options.title ??
    (typeof (spec as { title?: unknown }).title === 'string' ? (spec as { title: string }).title : undefined);
  const fig = new Figure(vegaLiteToSvg(withDefaults), { format: options.format, title });
  if (options.show !== false) fig.show();
  return fig;
}

/** The parts of a Vega-Lite spec every helper sets from PlotOptions. */
export function baseSpec(options: PlotOptions): Record<string, unknown> {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    ...(options.title ? { title: options.title } : {}),
    width: options.width ?? PLOT_DEFAULTS.width,
    height: options.height ?? PLOT_DEFAULTS.height,
  };
}

/**
 * Tick labels of a quantitative axis in plain decimals (`5,470`, `0.35`), never `5.47e+3`; a log
 * axis keeps Vega's labels (powers of ten).
 */
export function numberAxis(log?: boolean): Record<string, unknown> {
  return log ? {} : { format: NUMBER_FORMAT };
}

/** d3-format for numbers printed on a plot: decimal notation, thousands separated, trailing zeros trimmed. */
export const NUMBER_FORMAT = ',~r';

/** A quantitative axis: log, or linear without forcing 0 into the domain (a loss curve's detail). */
export function axisScale(log?: boolean): Record<string, unknown> {
  return log ? { type: 'log' } : { type: 'linear', zero: false };
}
