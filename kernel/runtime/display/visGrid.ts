/**
 * CS231n's `visualize_grid`: N images of H×W×C tiled into one square grid, each image min–max
 * scaled to [0, ubound], with `padding` pixels of 0 between them — for first-layer weights.
 */
import { tf } from '../tensor';
import { Figure, FigureFormat } from './figure';
import { encodePng } from './png';
import { blit, ImageInput, readImages, toBytes } from './pixels';

export interface VisGridOptions {
  /** Upper bound of the scaled values (default 255). */
  ubound?: number;
  /** Pixels between images (default 1). */
  padding?: number;
  /** The input is N×C×H×W (conv weights F×C×HH×WW). */
  channelsFirst?: boolean;
}

/**
 * The grid as a tensor, exactly like the course's `visualize_grid(Xs, ubound, padding)`:
 * shape [G·H + (G−1)·padding, G·W + (G−1)·padding, C] with G = ceil(√N); each image becomes
 * ubound·(img − min)/(max − min); gaps and unused cells are 0. The caller owns the tensor.
 */
export function visualizeGrid(x: ImageInput, options: VisGridOptions = {}): tf.Tensor3D {
  const ubound = options.ubound ?? 255;
  const padding = options.padding ?? 1;
  const b = readImages(x, 'visualizeGrid', { channelsFirst: options.channelsFirst, maxImages: Infinity });
  const g = Math.ceil(Math.sqrt(b.n));
  const gh = g * b.h + (g - 1) * padding;
  const gw = g * b.w + (g - 1) * padding;
  const out = new Float32Array(gh * gw * b.c);
  const per = b.h * b.w * b.c;
  for (let i = 0; i < b.n; i++) {
    let lo = Infinity;
    let hi = -Infinity;
    for (let j = i * per; j < (i + 1) * per; j++) {
      lo = Math.min(lo, b.data[j]);
      hi = Math.max(hi, b.data[j]);
    }
    const y0 = Math.floor(i / g) * (b.h + padding);
    const x0 = (i % g) * (b.w + padding);
    for (let y = 0; y < b.h; y++) {
      for (let xx = 0; xx < b.w; xx++) {
        for (let c = 0; c < b.c; c++) {
          const v = b.data[i * per + (y * b.w + xx) * b.c + c];
          // the course divides by (high - low) unguarded; a constant image gives 0 here instead of NaN
          out[((y0 + y) * gw + x0 + xx) * b.c + c] = hi > lo ? (ubound * (v - lo)) / (hi - lo) : 0;
        }
      }
    }
  }
  return tf.tensor3d(out, [gh, gw, b.c]);
}

export interface VisGridShowOptions extends VisGridOptions {
  /** Integer upscaling (default: the smallest that makes the grid ≥ 256 px wide). */
  scale?: number;
  /** Names the figure in its text/plain form. */
  title?: string;
  /** 'png' (default) or 'svg'. */
  format?: FigureFormat;
  show?: boolean;
}

/** Shows `visualizeGrid(x)` as an image (values mapped from [0, ubound] to 0–255). */
export function visGrid(x: ImageInput, options: VisGridShowOptions = {}): Figure {
  const grid = visualizeGrid(x, options);
  const [gh, gw, c] = grid.shape;
  const data = grid.dataSync() as Float32Array;
  grid.dispose();
  const ubound = options.ubound ?? 255;
  const batch = { n: 1, total: 1, h: gh, w: gw, c: c as 1 | 3, data: data.map((v) => (v * 255) / ubound) };
  const bytes = toBytes(batch, 'none');
  const scale = Math.max(1, Math.floor(options.scale ?? Math.ceil(256 / gw)));
  const rgba = new Uint8Array(gw * scale * gh * scale * 4);
  blit(bytes, batch, 0, rgba, gw * scale, 0, 0, scale);
  const png = encodePng(rgba, gw * scale, gh * scale);
  const w = gw * scale;
  const h = gh * scale;
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}">` +
    `<image x="0" y="0" width="${w}" height="${h}" xlink:href="data:image/png;base64,${png.toString('base64')}"/></svg>`;
  const fig = new Figure(svg, { format: options.format ?? 'png', title: options.title ?? 'grid', pngScale: 1, png });
  if (options.show !== false) fig.show();
  return fig;
}
