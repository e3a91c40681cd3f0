/**
 * showExamples: a column per class, perClass distinct images of that class down each column,
 * drawn with the kit's seeded generator, class names under the top row; typed one-line errors.
 */
import { PNG } from 'pngjs';
import { tf, seed, ready } from '../../../kernel/runtime';
import { showExamples, ShowExamplesError } from '../../../datasets';

const CLASSES = ['zero', 'one', 'two'];
const SIDE = 8;

/** 30 images of constant grey: image i has value 100 + i and class i % 3 (image 0 → class 0, …). */
function fixture() {
  const n = 30;
  const pixels = new Float32Array(n * SIDE * SIDE);
  for (let i = 0; i < n; i++) pixels.fill(100 + i, i * SIDE * SIDE, (i + 1) * SIDE * SIDE);
  const X = tf.tensor4d(pixels, [n, SIDE, SIDE, 1]);
  const y = tf.tensor1d(
    Array.from({ length: n }, (_, i) => i % 3),
    'int32',
  );
  return { X, y };
}

/** The grey value at the centre of grid cell (row, col) of the figure's embedded PNG. */
function cellValues(svg: string, rows: number, cols: number): number[][] {
  const b64 = /data:image\/png;base64,([A-Za-z0-9+/=]+)/.exec(svg)![1];
  const png = PNG.sync.read(Buffer.from(b64, 'base64'));
  const scale = 8; // showImages upscales 8×8 images to 64 px
  const gap = 4;
  const cellH = SIDE * scale + 16; // label line under each image
  const out: number[][] = [];
  for (let r = 0; r < rows; r++) {
    out.push([]);
    for (let c = 0; c < cols; c++) {
      const x = c * (SIDE * scale + gap) + 32;
      const yy = r * (cellH + gap) + 32;
      out[r].push(png.data[(yy * png.width + x) * 4]);
    }
  }
  return out;
}

describe('showExamples', () => {
  beforeAll(async () => {
    await ready();
  });

  it('draws perClass distinct images of each class in its column, named under the top row', () => {
    const { X, y } = fixture();
    const before = tf.memory().numTensors;
    seed(5);
    const fig = showExamples(X, y, CLASSES, 4, { show: false });
    const svg = fig.svg();
    for (const name of CLASSES) expect(svg).toContain(`>${name}<`);
    const cells = cellValues(svg, 4, 3);
    for (let c = 0; c < 3; c++) {
      const column = cells.map((row) => row[c] - 100);
      for (const i of column) expect(i % 3).toBe(c); // only images of class c
      expect(new Set(column).size).toBe(4); // without replacement
    }
    expect(tf.memory().numTensors).toBe(before);
    // the same seed draws the same images; another seed draws others
    seed(5);
    expect(cellValues(showExamples(X, y, CLASSES, 4, { show: false }).svg(), 4, 3)).toEqual(cells);
    seed(6);
    expect(cellValues(showExamples(X, y, CLASSES, 4, { show: false }).svg(), 4, 3)).not.toEqual(cells);
    tf.dispose([X, y]);
  });

  it('a class with fewer images than perClass shows blanks below them', () => {
    const { X, y } = fixture(); // 10 images per class
    const fig = showExamples(X, Array.from(y.dataSync()), CLASSES, 11, { show: false });
    const cells = cellValues(fig.svg(), 11, 3);
    expect(cells[10]).toEqual([0, 0, 0]);
    expect(cells[9].every((v) => v >= 100)).toBe(true);
    tf.dispose([X, y]);
  });

  it('bad arguments give one typed line that says what is wrong', () => {
    const { X, y } = fixture();
    const cases: Array<[() => unknown, RegExp]> = [
      [() => showExamples(X, [0, 1], CLASSES, 2, { show: false }), /X has 30 images but y has 2 labels/],
      [() => showExamples(X, y, ['a', 'b'], 2, { show: false }), /y\[2\] = 2 is not a class index 0\.\.1/],
      [() => showExamples(X, y, CLASSES, 0, { show: false }), /perClass must be a positive integer/],
      [() => showExamples(tf.zeros([3]), [0, 1, 2], CLASSES, 1, { show: false }), /X must be \[N, H, W, C\]/],
    ];
    for (const [call, message] of cases) {
      expect(call).toThrow(ShowExamplesError);
      expect(call).toThrow(message);
      try {
        call();
      } catch (e) {
        expect((e as Error).message).not.toContain('\n');
      }
    }
    tf.dispose([X, y]);
  });
});
