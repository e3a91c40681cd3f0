/**
 * A rendered figure: an SVG document that can also be rasterised to PNG (with resvg) and shown
 * as a notebook output. Plot helpers return one and display it unless `{ show: false }`.
 */
import { Resvg } from '@resvg/resvg-js';
import { displayedResult, emit, MimeBundle } from '../output';
import { NO_FONT_HINT, pngFont } from './fonts';

export type FigureFormat = 'svg' | 'png';

export interface FigureOptions {
  /** What `toBundle()` (and so the notebook) shows. Default 'svg'. */
  format?: FigureFormat;
  /** For text/plain and alt text. */
  title?: string;
  /** Pixel density of PNG output (1 = the SVG's own size). Default 2, sharp on high-DPI screens. */
  pngScale?: number;
  /** PNG bytes already rendered (pixel images), used instead of rasterising the SVG. */
  png?: Buffer;
}

let warnedNoFont = false;

/** Rasterises an SVG document to PNG bytes. `scale` multiplies the SVG's width and height. */
export function svgToPng(svg: string, scale = 1): Buffer {
  const font = pngFont();
  if (font.files.length === 0 && !warnedNoFont && /<text/.test(svg)) {
    warnedNoFont = true;
    process.stderr.write(`[ts231n] ${NO_FONT_HINT}\n`);
  }
  const resvg = new Resvg(svg, {
    fitTo: scale === 1 ? { mode: 'original' } : { mode: 'zoom', value: scale },
    font: {
      loadSystemFonts: font.files.length === 0,
      fontFiles: font.files,
      defaultFontFamily: font.family,
      sansSerifFamily: font.family,
    },
    background: 'white',
  });
  return resvg.render().asPng();
}

function svgSize(svg: string): { width: number; height: number } {
  const m = /<svg[^>]*?\swidth="([\d.]+)"[^>]*?\sheight="([\d.]+)"/.exec(svg);
  return m ? { width: Number(m[1]), height: Number(m[2]) } : { width: 0, height: 0 };
}

export class Figure {
  readonly format: FigureFormat;
  readonly title: string;
  readonly width: number;
  readonly height: number;
  private readonly pngScale: number;
  private pngCache?: Buffer;
  private readonly pngGiven: boolean;
  private displayed = false;

  constructor(
    private readonly svgText: string,
    options: FigureOptions = {},
  ) {
    this.format = options.format ?? 'svg';
    this.title = options.title ?? 'figure';
    this.pngScale = options.pngScale ?? 2;
    this.pngCache = options.png;
    this.pngGiven = options.png !== undefined;
    const size = svgSize(svgText);
    this.width = size.width;
    this.height = size.height;
  }

  /** The SVG document. */
  svg(): string {
    return this.svgText;
  }

  /** PNG bytes (rendered once, then cached). */
  png(): Buffer {
    if (!this.pngCache) this.pngCache = svgToPng(this.svgText, this.pngScale);
    return this.pngCache;
  }

  /** Whether `show()` has displayed it (plot helpers do unless `show: false`). */
  get shown(): boolean {
    return this.displayed;
  }

  /** `<Figure "title" 480×300>`, the text form. */
  toString(): string {
    return `<Figure "${this.title}" ${Math.round(this.width)}×${Math.round(this.height)}>`;
  }

  /** The MIME bundle for a notebook: image/svg+xml or image/png (base64), plus text/plain. */
  toBundle(): MimeBundle {
    const text = this.toString();
    if (this.format === 'png') return { 'image/png': this.png().toString('base64'), 'text/plain': text };
    return { 'image/svg+xml': this.svgText, 'text/plain': text };
  }

  /** nbformat metadata so a 2× PNG is shown at its natural size. */
  metadata(): Record<string, unknown> | undefined {
    if (this.format !== 'png') return undefined;
    if (this.pngScale === 1 || this.pngGiven) return undefined;
    return { 'image/png': { width: Math.round(this.width), height: Math.round(this.height) } };
  }

  /** Displays the figure now. */
  show(): this {
    emit(this.toBundle(), { metadata: this.metadata() });
    this.displayed = true;
    return displayedResult(this);
  }
}
