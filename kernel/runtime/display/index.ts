/**
 * Display helpers for notebooks: every one emits a MIME bundle through `emit()` (a notebook
 * output, or its text/plain on stdout outside a notebook). See docs/runtime.md.
 */
export { Figure, svgToPng } from './figure';
export type { FigureFormat, FigureOptions } from './figure';
export { DisplayArgumentError } from './data';
export type { NumberSeries, GappedSeries } from './data';
export { showTensor, tensorToBundle } from './showTensor';
export type { TensorDisplayOptions } from './showTensor';
export { showImages } from './showImages';
export type { ShowImagesOptions } from './showImages';
export { visGrid, visualizeGrid } from './visGrid';
export type { VisGridOptions, VisGridShowOptions } from './visGrid';
export type { ImageInput, Normalize } from './pixels';
export { plotVegaLite, vegaLiteToSvg, vegaToSvg, PlotError } from './vega';
export type { PlotOptions, TopLevelSpec } from './vega';
export { plotLines } from './plotLines';
export type { LinePlot } from './plotLines';
export { plotScatter } from './plotScatter';
export type { ScatterPlot, ScatterPoint } from './plotScatter';
export { plotErrorBars } from './plotErrorBars';
export type { ErrorBarPlot } from './plotErrorBars';
export { plotBars } from './plotBars';
export type { BarPlot } from './plotBars';
export { progress, ProgressBar, formatDuration } from './progress';
export type {
  ProgressOptions,
  ProgressIterable,
  AsyncProgressIterable,
  ProgressState,
  ProgressControls,
} from './progress';
export { showTable, tableToBundle } from './showTable';
export type { TableInput, TableOptions } from './showTable';
export { mimeBundleOf, MIME_BUNDLE_OF_KEY } from './mimeBundleOf';
