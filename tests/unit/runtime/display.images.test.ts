/**
 * showImages and visGrid: the PNG in the MIME bundle decodes to the right size and the right
 * pixel values, labels land in the SVG, bad input is a DisplayArgumentError, no tensor leaks.
 */
import { PNG } from 'pngjs';
import { tf, ready } from '../../../kernel/runtime/tensor';
import { showImages, visGrid, visualizeGrid, DisplayArgumentError, Figure } from '../../../kernel/runtime/display';
import { pngFont } from '../../../kernel/runtime/display/fonts';
import { captureDisplays, expectOneLineErrors } from '../../helpers/display';

const shown = captureDisplays();

beforeAll(async () => {
  await ready();
});

function decode(b64: unknown): PNG {
  expect(typeof b64).toBe('string');
  return PNG.sync.read(Buffer.from(b64 as string, 'base64'));
}
const rgbAt = (png: PNG, x: number, y: number): number[] =>
  Array.from(png.data.subarray((y * png.width + x) * 4, (y * png.width + x) * 4 + 3));

/** N images of H×W×3 with distinct integer values 0–255. */
function testImages(n: number, h: number, w: number): { t: tf.Tensor4D; data: number[] } {
  const data = Array.from({ length: n * h * w * 3 }, (_, i) => (i * 37 + 11) % 256);
  return { t: tf.tensor4d(data, [n, h, w, 3]), data };
}

describe('showImages', () => {
  it('shows N×H×W×C images with labels as one PNG of the right size with the exact pixels', () => {
    const { t, data } = testImages(3, 2, 3);
    const before = tf.memory().numTensors;
    showImages(t, { labels: ['cat', 'dog', 'ship'], scale: 4 });
    expect(tf.memory().numTensors).toBe(before);
    expect(shown).toHaveLength(1);
    const { bundle } = shown[0];
    expect(Object.keys(bundle).sort()).toEqual(['image/png', 'text/plain']);
    expect(bundle['text/plain']).toBe('<Figure "3 images" 44×24>');
    const png = decode(bundle['image/png']);
    // 3 cells of 3·4 px with 4 px gaps; 2·4 px of pixels + 16 px label row
    expect([png.width, png.height]).toEqual([3 * 12 + 2 * 4, 8 + 16]);
    for (let i = 0; i < 3; i++) {
      for (let y = 0; y < 2; y++) {
        for (let x = 0; x < 3; x++) {
          const want = data.slice(((i * 2 + y) * 3 + x) * 3, ((i * 2 + y) * 3 + x) * 3 + 3);
          // every pixel of the 4×4 block is the source pixel (nearest-neighbour upscaling)
          for (const [dx, dy] of [
            [0, 0],
            [3, 0],
            [0, 3],
            [3, 3],
            [1, 2],
          ])
            expect(rgbAt(png, i * 16 + x * 4 + dx, y * 4 + dy)).toEqual(want);
        }
      }
    }
    // the gap between images is white
    expect(rgbAt(png, 13, 2)).toEqual([255, 255, 255]);
    t.dispose();
  });

  it('draws the labels as SVG text under each image (and into the PNG when a font exists)', () => {
    const { t } = testImages(2, 4, 4);
    const fig = showImages(t, { labels: ['airplane', 7], scale: 16, format: 'svg', title: 'two <images>' });
    const svg = String(shown[0].bundle['image/svg+xml']);
    const texts = [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
    expect(texts).toEqual(['two &lt;images&gt;', 'airplane', '7']);
    // a label wider than its 32 px cell is cut with an ellipsis
    const narrow = showImages(t, { labels: ['airplane', 'automobile'], scale: 8, format: 'svg', show: false }).svg();
    expect([...narrow.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1])).toEqual(['airp…', 'auto…']);
    expect(svg).toMatch(/<image [^>]*xlink:href="data:image\/png;base64,/);
    expect(fig.title).toBe('two <images>');
    // the PNG of the same figure: label row below image 0 has dark (text) pixels iff a font exists
    const png = PNG.sync.read(fig.png());
    let dark = 0;
    for (let y = 22 + 64; y < 22 + 64 + 16; y++) for (let x = 0; x < 64; x++) if (rgbAt(png, x, y)[0] < 128) dark++;
    if (pngFont().files.length > 0) expect(dark).toBeGreaterThan(5);
    else expect(dark).toBe(0);
    t.dispose();
  });

  it('maps values to pixels: 0–1 floats ×255, other ranges min–max per image, grayscale N×H×W', () => {
    const unit = tf.tensor4d([0, 0.5, 1, 0.25], [1, 2, 2, 1]);
    const png1 = decode(showImages(unit, { scale: 1, show: false }).toBundle()['image/png']);
    expect([png1.width, png1.height]).toEqual([2, 2]);
    expect([rgbAt(png1, 0, 0)[0], rgbAt(png1, 1, 0)[0], rgbAt(png1, 0, 1)[0], rgbAt(png1, 1, 1)[0]]).toEqual([
      0, 128, 255, 64,
    ]);
    expect(rgbAt(png1, 1, 0)).toEqual([128, 128, 128]); // grayscale fills R, G and B

    // two N×H×W images with negative values (mean-subtracted): each is stretched to 0–255
    const centred = tf.tensor3d([-2, 0, 2, 0, -10, 10, 0, 0], [2, 2, 2]);
    const png2 = decode(showImages(centred, { scale: 1, cols: 2, show: false }).toBundle()['image/png']);
    expect([png2.width, png2.height]).toEqual([2 + 4 + 2, 2]);
    expect([rgbAt(png2, 0, 0)[0], rgbAt(png2, 1, 0)[0], rgbAt(png2, 0, 1)[0]]).toEqual([0, 128, 255]);
    expect([rgbAt(png2, 6, 0)[0], rgbAt(png2, 7, 0)[0]]).toEqual([0, 255]);

    // normalize: 'global' keeps the images' relative contrast
    const png3 = decode(
      showImages(centred, { scale: 1, cols: 2, normalize: 'global', show: false }).toBundle()['image/png'],
    );
    expect([rgbAt(png3, 0, 0)[0], rgbAt(png3, 6, 0)[0], rgbAt(png3, 7, 0)[0]]).toEqual([102, 0, 255]);
    unit.dispose();
    centred.dispose();
  });

  it('reads N×C×H×W with channelsFirst, wraps rows at cols, and caps at maxImages', () => {
    const { t, data } = testImages(5, 2, 2);
    const nchw = t.transpose([0, 3, 1, 2]);
    const png = decode(
      showImages(nchw, { channelsFirst: true, scale: 1, cols: 2, show: false }).toBundle()['image/png'],
    );
    // 2 columns × 3 rows of 2×2 images with 4 px gaps
    expect([png.width, png.height]).toEqual([2 + 4 + 2, 3 * 2 + 2 * 4]);
    // image 3 sits in row 1, column 1; its pixel (1, 0)
    expect(rgbAt(png, 6 + 1, 6 + 0)).toEqual(data.slice(((3 * 2 + 0) * 2 + 1) * 3, ((3 * 2 + 0) * 2 + 1) * 3 + 3));
    const capped = decode(showImages(t, { scale: 1, maxImages: 2, show: false }).toBundle()['image/png']);
    expect(capped.width).toBe(2 + 4 + 2);
    t.dispose();
    nchw.dispose();
  });

  it('rejects bad input with a DisplayArgumentError that says what to do', () => {
    const { t } = testImages(3, 2, 2);
    const cases: Array<[() => unknown, RegExp]> = [
      [() => showImages(tf.zeros([4]) as tf.Tensor), /showImages: expected N×H×W×C images, got shape \[4\]/],
      [() => showImages(tf.zeros([1, 2, 2, 2, 3])), /got shape \[1, 2, 2, 2, 3\]/],
      [() => showImages(tf.zeros([2, 4, 4, 5])), /1 or 3 channels, got shape \[2, 4, 4, 5\].*channelsFirst/],
      [() => showImages(t, { labels: ['a', 'b'] }), /labels has 2 entries for 3 images; pass one label per image/],
      [
        () => showImages(tf.tensor4d([0, NaN, 1, 2], [1, 2, 2, 1])),
        /image 0 contains NaN \(1 non-finite values in all\).*diverge/,
      ],
      [() => showImages(tf.zeros([0, 4, 4, 3])), /no pixels to show/],
      [() => showImages([]), /the image array is empty/],
      [() => showImages([tf.zeros([2, 2]), tf.zeros([3, 3])]), /same shape, got 2×2, 3×3/],
      [() => showImages(t, { cols: 0 }), /cols must be a number ≥ 1, got 0/],
      [() => showImages([1, 2, 3] as unknown as tf.Tensor), /images\[0\] must be a tensor/],
    ];
    const before = tf.memory().numTensors;
    expectOneLineErrors(cases, DisplayArgumentError);
    // the tensors made inline above (zeros/tensor4d) are the only new ones: nothing inside leaked
    const made = 1 + 1 + 1 + 1 + 1 + 2;
    expect(tf.memory().numTensors).toBe(before + made);
    expect(shown).toHaveLength(0);
    t.dispose();
  });

  it('a disposed tensor is named, not drawn', () => {
    const x = tf.zeros([1, 2, 2, 1]);
    x.dispose();
    expect(() => showImages(x)).toThrow(/showImages: images is a disposed tensor/);
  });
});

describe('visualizeGrid / visGrid (CS231n visualize_grid)', () => {
  it('tiles N images into a ceil(√N) grid, each min–max scaled to [0, ubound], padding 0', () => {
    // 5 images of 2×2×1 → G = 3, grid 3·2 + 2·1 = 8 square
    const imgs = tf.tensor4d(
      Array.from({ length: 5 * 4 }, (_, i) => i),
      [5, 2, 2, 1],
    );
    const grid = visualizeGrid(imgs, { ubound: 1, padding: 1 });
    expect(grid.shape).toEqual([8, 8, 1]);
    const g = grid.arraySync() as number[][][];
    // image 0 occupies [0..1]×[0..1]: values 0,1,2,3 → 0, 1/3, 2/3, 1
    expect([g[0][0][0], g[0][1][0], g[1][0][0], g[1][1][0]].map((v) => +v.toFixed(4))).toEqual([0, 0.3333, 0.6667, 1]);
    // image 4 is at grid row 1, column 1 → pixel origin (3, 3); same scaling (its own min–max)
    expect([g[3][3][0], g[4][4][0]]).toEqual([0, 1]);
    // padding and the 4 unused cells are 0
    expect(g[2].every((px) => px[0] === 0)).toBe(true);
    expect(g[7][7][0]).toBe(0);
    grid.dispose();
    imgs.dispose();
  });

  it('shows conv weights F×C×HH×WW (channelsFirst) as a PNG at an integer scale, no tensor left behind', () => {
    const w = tf.tidy(() => tf.range(0, 4 * 3 * 3 * 3).reshape([4, 3, 3, 3]));
    const before = tf.memory().numTensors;
    const fig = visGrid(w, { channelsFirst: true, padding: 1, title: 'conv1' });
    expect(tf.memory().numTensors).toBe(before);
    expect(fig).toBeInstanceOf(Figure);
    expect(shown).toHaveLength(1);
    const { bundle, options } = shown[0];
    expect(bundle['text/plain']).toMatch(/^<Figure "conv1" \d+×\d+>$/);
    // grid is 2·3 + 1 = 7 px; default scale makes it ≥ 256 px wide → ceil(256/7) = 37
    const png = decode(bundle['image/png']);
    expect([png.width, png.height]).toEqual([7 * 37, 7 * 37]);
    expect(options.metadata).toBeUndefined(); // shown at its natural size
    // image 0 holds 0..26, channel c at pixel (y, x) = 9c + 3y + x; the course scales by the
    // whole image's min–max, so pixel (0, 0) is (0, 9, 18)/26 · 255
    const scaled = (vs: number[]): number[] => vs.map((v) => Math.round((v / 26) * 255));
    expect(rgbAt(png, 0, 0)).toEqual(scaled([0, 9, 18]));
    // the padding column is black
    expect(rgbAt(png, 3 * 37 + 5, 5)).toEqual([0, 0, 0]);
    expect(rgbAt(png, 2 * 37 + 5, 2 * 37 + 5)).toEqual(scaled([8, 17, 26]));
    // as SVG: one embedded image of the same size
    const svg = visGrid(w, { channelsFirst: true, format: 'svg', scale: 2, show: false }).svg();
    expect(svg).toMatch(/<svg [^>]*width="14" height="14"/);
    w.dispose();
  });

  it('rejects non-images with a DisplayArgumentError', () => {
    const bad = tf.zeros([3, 4]);
    expect(() => visGrid(tf.zeros([2, 2, 2, 2]))).toThrow(DisplayArgumentError);
    expect(() => visGrid([bad, tf.zeros([2, 3, 4])])).toThrow(/same shape/);
    expect(() => visualizeGrid(tf.tensor4d([Infinity, 0, 0, 0], [1, 2, 2, 1]))).toThrow(/image 0 contains Infinity/);
    bad.dispose();
  });
});
