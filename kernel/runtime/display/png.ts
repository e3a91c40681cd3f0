/** PNG encoding with pngjs (pure JS, no native build). */
import { PNG } from 'pngjs';

/** Encodes 8-bit RGBA pixels (row-major, 4 bytes per pixel) as PNG bytes. */
export function encodePng(rgba: Uint8Array, width: number, height: number): Buffer {
  const png = new PNG({ width, height });
  png.data = Buffer.from(rgba.buffer, rgba.byteOffset, rgba.byteLength);
  return PNG.sync.write(png);
}
