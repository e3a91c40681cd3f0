/**
 * showTensor / tensorToBundle / mimeBundleOf and showTable: the MIME bundles, numpy-style
 * truncation, and no leaked tensors.
 */
import { tf, ready } from '../../../kernel/runtime/tensor';
import { setDisplaySink, MimeBundle } from '../../../kernel/runtime/output';
import {
  showTensor,
  tensorToBundle,
  mimeBundleOf,
  MIME_BUNDLE_OF_KEY,
  showTable,
  tableToBundle,
  plotBars,
  Figure,
  DisplayArgumentError,
} from '../../../kernel/runtime/display';
import { expectOneLineErrors } from '../../helpers/display';

beforeAll(async () => {
  await ready();
});

const count = (html: string, re: RegExp): number => (html.match(re) ?? []).length;
/** Rows and cells (td) of each <table> in an HTML string. */
function tables(html: string): Array<{ rows: number; cellsPerRow: number[] }> {
  return [...html.matchAll(/<table[^>]*>(.*?)<\/table>/g)].map((m) => {
    const rows = [...m[1].matchAll(/<tr>(.*?)<\/tr>/g)].map((r) => count(r[1], /<t[dh][ >]/g));
    return { rows: rows.length, cellsPerRow: rows };
  });
}

describe('tensorToBundle', () => {
  it('shows a 2-D tensor as a table with a shape/dtype header and a numpy-style text form', () => {
    const t = tf.tensor2d([
      [1, 2.5],
      [3, 4],
    ]);
    const b = tensorToBundle(t);
    expect(Object.keys(b).sort()).toEqual(['text/html', 'text/plain']);
    expect(b['text/plain']).toBe('Tensor float32 [2, 2]\n[[1.0, 2.5],\n [3.0, 4.0]]');
    const html = String(b['text/html']);
    expect(html).toContain('Tensor float32 [2, 2]');
    // a header row + 2 rows, each with an index cell + 2 values
    expect(tables(html)).toEqual([{ rows: 3, cellsPerRow: [3, 3, 3] }]);
    expect(html).not.toContain('truncated');
    t.dispose();
  });

  it('truncates large tensors to edge items around an ellipsis, like numpy', () => {
    const t = tf.tidy(() => tf.range(0, 100 * 60).reshape([100, 60]));
    const b = tensorToBundle(t);
    const [tab] = tables(String(b['text/html']));
    // 3 + ⋮ + 3 rows under the header; 3 + … + 3 columns after the index column
    expect(tab.rows).toBe(1 + 7);
    expect(tab.cellsPerRow.every((c) => c === 1 + 7)).toBe(true);
    expect(String(b['text/html'])).toContain('6000 elements, truncated');
    expect(String(b['text/html'])).toContain('⋱');
    const lines = String(b['text/plain']).split('\n');
    expect(lines[0]).toBe('Tensor float32 [100, 60]');
    expect(lines[1]).toBe('[[   0.,    1.,    2., ...,   57.,   58.,   59.],');
    expect(lines[4]).toBe(' ...,');
    expect(lines[7]).toBe(' [5940., 5941., 5942., ..., 5997., 5998., 5999.]]');
    // edge items come from the right places
    expect(String(b['text/html'])).toContain('>5999.<');
    t.dispose();
  });

  it('shows higher ranks as last-two-dims slices, truncating leading axes too', () => {
    const small = tf.tidy(() => tf.range(0, 2 * 3 * 2 * 2).reshape([2, 3, 2, 2]));
    const html = String(tensorToBundle(small)['text/html']);
    expect(tables(html)).toHaveLength(6);
    expect(html).toContain('[1, 2, :, :]');
    const big = tf.zeros([50, 10, 30, 30]);
    const bigHtml = String(tensorToBundle(big, { maxSlices: 8 })['text/html']);
    expect(tables(bigHtml)).toHaveLength(8);
    expect(bigHtml).toContain('[0, 0, :, :]');
    expect(bigHtml).toContain('[49, 9, :, :]');
    expect(bigHtml).toContain('⋮');
    small.dispose();
    big.dispose();
  });

  it('formats scalars, 1-D, int32, bool, exponents and non-finite values', () => {
    const cases: Array<[tf.Tensor, string]> = [
      [tf.scalar(3.14159), 'Tensor float32 []\n3.1416'],
      [tf.tensor1d([1, 2, 3], 'int32'), 'Tensor int32 [3]\n[1, 2, 3]'],
      [tf.tensor1d([1, 0], 'bool'), 'Tensor bool [2]\n[ true, false]'],
      [tf.tensor1d([1e-6, 1]), 'Tensor float32 [2]\n[1.0000e-6, 1.0000e+0]'],
      [tf.tensor1d([NaN, Infinity, 0.5]), 'Tensor float32 [3]\n[nan, inf, 0.5]'],
    ];
    for (const [t, text] of cases) {
      expect(tensorToBundle(t)['text/plain']).toBe(text);
      t.dispose();
    }
    const long = tf.range(0, 5000);
    const html = String(tensorToBundle(long)['text/html']);
    expect(tables(html)).toEqual([{ rows: 2, cellsPerRow: [8, 8] }]);
    long.dispose();
  });

  it('reads back only the shown entries and leaks no tensors', () => {
    const t = tf.zeros([2000, 3, 32, 32]);
    const before = tf.memory().numTensors;
    const b = tensorToBundle(t);
    expect(tf.memory().numTensors).toBe(before);
    expect(String(b['text/plain']).length).toBeLessThan(6000);
    t.dispose();
    expect(tensorToBundle(t)['text/plain']).toBe('Tensor (disposed)');
  });

  it('showTensor emits the bundle through the display sink', () => {
    const got: MimeBundle[] = [];
    setDisplaySink({ display: (bundle) => got.push(bundle) });
    try {
      const t = tf.ones([2]);
      showTensor(t, { title: 'b1' });
      t.dispose();
    } finally {
      setDisplaySink(null);
    }
    expect(got).toHaveLength(1);
    expect(got[0]['text/plain']).toBe('b1: Tensor float32 [2]\n[1., 1.]');
  });
});

describe('mimeBundleOf', () => {
  it('is registered on globalThis for the engine', () => {
    const fn = (globalThis as Record<symbol, unknown>)[Symbol.for('ts231n.mimeBundleOf')];
    expect(fn).toBe(mimeBundleOf);
    expect(MIME_BUNDLE_OF_KEY).toBe(Symbol.for('ts231n.mimeBundleOf'));
  });

  it('turns tensors into tables and figures into images, and leaves other values alone', () => {
    const t = tf.eye(3);
    expect(Object.keys(mimeBundleOf(t) ?? {}).sort()).toEqual(['text/html', 'text/plain']);
    t.dispose();
    const fig = plotBars({ labels: ['a', 'b'], values: [1, 2], show: false });
    expect(fig).toBeInstanceOf(Figure);
    expect(Object.keys(mimeBundleOf(fig) ?? {}).sort()).toEqual(['image/svg+xml', 'text/plain']);
    for (const v of [1, 'x', [1, 2], { a: 1 }, null, undefined]) expect(mimeBundleOf(v)).toBeUndefined();
  });

  it('gives only the text form of a figure that was already shown, so a cell ending in plotLines(...) draws once', () => {
    const got: MimeBundle[] = [];
    setDisplaySink({ display: (bundle) => got.push(bundle) });
    let fig: Figure;
    try {
      fig = plotBars({ labels: ['a'], values: [1], title: 'once' });
    } finally {
      setDisplaySink(null);
    }
    expect(got).toHaveLength(1);
    expect(fig.shown).toBe(true);
    expect(mimeBundleOf(fig)).toEqual({ 'text/plain': String(got[0]['text/plain']) });
    expect(String(fig)).toMatch(/^<Figure "once" \d+×\d+>$/);
    // a figure from another copy of the module is recognised by its fields
    const foreign = { shown: true, toBundle: () => ({ 'image/png': 'x' }), toString: () => '<Figure "f" 1×1>' };
    expect(mimeBundleOf(foreign)).toEqual({ 'text/plain': '<Figure "f" 1×1>' });
  });
});

describe('showTable', () => {
  it('renders row objects as an HTML table and an aligned text table', () => {
    const rows = [
      { lr: 1e-7, reg: 2.5e4, 'val acc': 0.381 },
      { lr: 5e-7, reg: 5e4, 'val acc': 0.3925, note: 'best' },
    ];
    const b = tableToBundle(rows, { title: 'search' });
    expect(tables(String(b['text/html']))).toEqual([{ rows: 3, cellsPerRow: [4, 4, 4] }]);
    expect(String(b['text/plain']).split('\n')).toEqual([
      'search',
      '       lr    reg  val acc  note',
      '---------  -----  -------  ----',
      '1.0000e-7  25000    0.381',
      '5.0000e-7  50000   0.3925  best',
    ]);
  });

  it('accepts { columns, rows }, elides long tables and escapes HTML', () => {
    const rows = Array.from({ length: 100 }, (_, i) => [i, `<b>${i}</b>`]);
    const b = tableToBundle({ columns: ['i', 'html'], rows }, { maxRows: 10 });
    const [tab] = tables(String(b['text/html']));
    expect(tab.rows).toBe(1 + 10 + 1);
    expect(String(b['text/html'])).toContain('90 more rows');
    expect(String(b['text/html'])).toContain('&lt;b&gt;99&lt;/b&gt;');
    expect(String(b['text/plain']).split('\n')).toHaveLength(2 + 10 + 1);
    expect(() => tableToBundle({ columns: ['a'], rows: [1] as unknown as unknown[][] })).toThrow(
      'showTable: rows[0] must be an array',
    );
    const got: MimeBundle[] = [];
    setDisplaySink({ display: (bundle) => got.push(bundle) });
    try {
      showTable([{ a: 1 }]);
    } finally {
      setDisplaySink(null);
    }
    expect(got[0]['text/plain']).toBe('a\n-\n1');
  });

  it('describes tensors in cells without leaking them', () => {
    const W = tf.randomNormal([3073, 10]);
    const before = tf.memory().numTensors;
    const b = tableToBundle([{ name: 'W', value: W }]);
    expect(tf.memory().numTensors).toBe(before);
    expect(String(b['text/plain'])).toContain('Tensor float32 [3073, 10]');
    W.dispose();
  });
});

describe('bad input', () => {
  it('is a one-line DisplayArgumentError that names the argument', () => {
    const cases: Array<[() => unknown, RegExp]> = [
      [
        () => showTensor([1, 2] as unknown as tf.Tensor),
        /showTensor: expected a tf\.Tensor, got an array \(wrap it with tf\.tensor\(\.\.\.\)\)/,
      ],
      [() => showTensor(null as unknown as tf.Tensor), /got null/],
      [() => tensorToBundle(tf.zeros([2]), { edgeItems: 0 }), /edgeItems must be a whole number in \[1, 1000\], got 0/],
      [
        () => tensorToBundle(tf.zeros([2]), { precision: 2.5 }),
        /precision must be a whole number in \[0, 20\], got 2\.5/,
      ],
      [
        () => tableToBundle([1, 2] as unknown as Record<string, unknown>[]),
        /showTable: row 0 must be an object of column → value/,
      ],
      [
        () => tableToBundle({ columns: ['k', 'acc'], rows: [[1, 0.2], [3]] }),
        /showTable: rows\[1\] has 1 values for 2 columns; pass one value per column/,
      ],
      [
        () => tableToBundle({ columns: 'a' } as unknown as { columns: string[]; rows: unknown[][] }),
        /showTable: pass an array of row objects or \{ columns: string\[\], rows: unknown\[\]\[\] \}/,
      ],
    ];
    expectOneLineErrors(cases, DisplayArgumentError);
  });
});
