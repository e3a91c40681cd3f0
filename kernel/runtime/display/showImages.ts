/**
 * An image grid with optional labels under each image (examples per class, misclassified
 * images, class templates learned by a linear classifier).
 *
 * The pixels go into one PNG (pngjs, nearest-neighbour upscaling so 28×28 digits stay crisp);
 * the labels are SVG text around it, so the figure is an SVG that also rasterises to one PNG.
 */
import { Figure, FigureFormat } from './figure';
import { escapeHtml } from './html';
import { encodePng } from './png';
import { blit, ImageInput, Normalize, readImages, toBytes } from './pixels';
import { DisplayArgumentError } from './data';

export interface ShowImagesOptions {
  /** One label per image, drawn under it. */
  labels?: ArrayLike<string | number>;
  /** Images per row (default: up to 10). */
  cols?: number;
  /** Integer upscaling (default: the smallest that makes an image ≥ 64 px). */
  scale?: number;
  /** How values become pixels (default 'auto'; see `Normalize`). */
  normalize?: Normalize;
  /** The input is N×C×H×W. */
  channelsFirst?: boolean;
  /** At most this many images are shown (default 200). */
  maxImages?: number;
  title?: string;
  /** 'png' (default) or 'svg'. */
  format?: FigureFormat;
  show?: boolean;
}

const GAP = 4;
const LABEL_HEIGHT = 16;
const TITLE_HEIGHT = 22;
const CHAR_WIDTH = 6.2; // ≈ width of an 11 px sans-serif glyph; labels longer than a cell are cut

export function showImages(images: ImageInput, options: ShowImagesOptions = {}): Figure {
  const where = 'showImages';
  for (const k of ['cols', 'scale', 'maxImages'] as const) {
    const v = options[k];
    if (v !== undefined && !(typeof v === 'number' && v >= 1 && (Number.isFinite(v) || k === 'maxImages'))) {
      throw new DisplayArgumentError(`${where}: ${k} must be a number ≥ 1, got ${String(v)}`);
    }
  }
  const b = readImages(images, where, { channelsFirst: options.channelsFirst, maxImages: options.maxImages });
  const bytes = toBytes(b, options.normalize ?? 'auto');
  const scale = Math.max(1, Math.floor(options.scale ?? Math.ceil(64 / Math.max(b.h, b.w))));
  const cols = Math.max(1, Math.min(b.n, Math.floor(options.cols ?? 10)));
  const rows = Math.ceil(b.n / cols);
  const labels = options.labels ? Array.from(options.labels, String) : undefined;
  if (labels && labels.length !== b.total) {
    throw new DisplayArgumentError(
      `${where}: labels has ${labels.length} entries for ${b.total} images; pass one label per image`,
    );
  }
  const cellW = b.w * scale;
  const cellH = b.h * scale + (labels ? LABEL_HEIGHT : 0);
  const gridW = cols * cellW + (cols - 1) * GAP;
  const gridH = rows * cellH + (rows - 1) * GAP;
  const rgba = new Uint8Array(gridW * gridH * 4).fill(255);
  for (let i = 0; i < b.n; i++)
    blit(bytes, b, i, rgba, gridW, (i % cols) * (cellW + GAP), Math.floor(i / cols) * (cellH + GAP), scale);
  const png = encodePng(rgba, gridW, gridH);
  const top = options.title ? TITLE_HEIGHT : 0;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="${gridW}" height="${gridH + top}" viewBox="0 0 ${gridW} ${gridH + top}">`,
    `<rect width="${gridW}" height="${gridH + top}" fill="white"/>`,
  ];
  if (options.title)
    parts.push(
      `<text x="${gridW / 2}" y="16" text-anchor="middle" font-family="sans-serif" font-size="13">${escapeHtml(options.title)}</text>`,
    );
  parts.push(
    `<image x="0" y="${top}" width="${gridW}" height="${gridH}" xlink:href="data:image/png;base64,${png.toString('base64')}"/>`,
  );
  if (labels) {
    const maxChars = Math.max(3, Math.floor(cellW / CHAR_WIDTH));
    for (let i = 0; i < Math.min(b.n, labels.length); i++) {
      const text = labels[i].length > maxChars ? labels[i].slice(0, maxChars - 1) + '…' : labels[i];
      const x = (i % cols) * (cellW + GAP) + cellW / 2;
      const y = top + Math.floor(i / cols) * (cellH + GAP) + b.h * scale + 12;
      parts.push(
        `<text x="${x}" y="${y}" text-anchor="middle" font-family="sans-serif" font-size="11">${escapeHtml(text)}</text>`,
      );
    }
  }
  parts.push('</svg>');
  // without text the pixel PNG is the whole figure: no need to rasterise the SVG around it
  const plain = !labels && !options.title;
  const fig = new Figure(parts.join(''), {
    format: options.format ?? 'png',
    title: options.title ?? `${b.n} images`,
    pngScale: 1,
    png: plain ? png : undefined,
  });
  if (options.show !== false) fig.show();
  return fig;
}
