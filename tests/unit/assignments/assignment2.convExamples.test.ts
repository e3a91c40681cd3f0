/**
 * The ConvNet example submissions (scripts/examplesConv.ts) are buggy in exactly the way they
 * claim: the edits apply to the current solution, the stride-2 student is right for stride 1 and
 * wrong for stride 2 (and still passes a gradient check), and the no-reg student is right at
 * reg = 0 and wrong at reg > 0. Values come from the float64 oracle (conv_oracle.json).
 */
import * as fs from 'fs';
import * as path from 'path';
import { tf, ready, seed, randn, checkGradient } from '../../../kernel/runtime';
import { CONV_EXAMPLES } from '../../../scripts/examplesConv';
import { convOracle } from '../../helpers/convOracle';
import { t, labels, scaledError } from '../../helpers/oracle2';
import { TESTS_DIR } from '../../helpers/paths';

type ConvLayers = typeof import('../../../solutions/assignment2/cs231n/layers');
type Cnn = typeof import('../../../solutions/assignment2/cs231n/classifiers/cnn');

const REPO = path.resolve(TESTS_DIR, '..');
const SOLUTION = path.join(REPO, 'solutions', 'assignment2');
// <repo>/.scratch/<folder>/cs231n/… keeps the solution's relative imports (../../../kernel) working.
const SCRATCH = path.join(REPO, '.scratch');
const built: string[] = [];

/** Builds one example under SCRATCH (a copy of the solution's cs231n/ with the edits) and returns its folder. */
function build(name: string): string {
  const dir = path.join(SCRATCH, `conv-example-${process.pid}-${name}`);
  built.push(dir);
  fs.cpSync(path.join(SOLUTION, 'cs231n'), path.join(dir, 'cs231n'), { recursive: true });
  for (const e of CONV_EXAMPLES[name]) {
    const file = path.join(dir, e.file);
    fs.writeFileSync(file, e.apply(fs.readFileSync(file, 'utf8')));
  }
  return dir;
}

beforeAll(async () => {
  await ready();
});

afterAll(() => {
  for (const dir of built) fs.rmSync(dir, { recursive: true, force: true });
});

describe('ConvNet example submissions', () => {
  it('conv-stride2: naive conv right for every stride-1 case, wrong for every stride-2 case, and its gradient check still passes', () => {
    const { convForwardNaive, convBackwardNaive } = require(
      path.join(build('conv-stride2'), 'cs231n', 'layers'),
    ) as ConvLayers;
    for (const c of convOracle().conv) {
      const [out, cache] = convForwardNaive(t(c.x), t(c.w), t(c.b), { stride: c.stride, pad: c.pad });
      const [dx] = convBackwardNaive(t(c.dout), cache);
      if (c.stride === 1) {
        expect(scaledError(out, c.out)).toBeLessThan(1e-6);
        expect(scaledError(dx, c.dx)).toBeLessThan(1e-6);
      } else {
        expect(scaledError(out, c.out)).toBeGreaterThan(0.1);
      }
    }
    seed(21);
    const x = randn([1, 2, 7, 7]);
    const w = randn([2, 2, 3, 3]);
    const b = randn([2]);
    const cp = { stride: 2, pad: 1 };
    const [out, cache] = convForwardNaive(x, w, b, cp);
    const dout = randn(out.shape);
    const [dx] = convBackwardNaive(dout, cache);
    const verdict = checkGradient((v) => tf.tidy(() => convForwardNaive(v, w, b, cp)[0].mul(dout).sum()), x, dx);
    expect(verdict.passed).toBe(true);
  });

  it('convnet-no-reg: ThreeLayerConvNet right at reg = 0, loss and weight gradients wrong at reg > 0', () => {
    const { ThreeLayerConvNet } = require(path.join(build('convnet-no-reg'), 'cs231n', 'classifiers', 'cnn')) as Cnn;
    const o = convOracle().convNet;
    const net = new ThreeLayerConvNet({
      inputDim: o.inputDim,
      numFilters: o.numFilters,
      filterSize: o.filterSize,
      hiddenDim: o.hiddenDim,
      numClasses: o.numClasses,
    });
    net.dispose();
    for (const c of o.cases) {
      net.params = Object.fromEntries(Object.entries(o.params).map(([k, v]) => [k, t(v)]));
      net.reg = c.reg;
      const [loss, grads] = net.loss(t(o.X), labels(o.y));
      const lossRight = Math.abs(loss - c.loss) / c.loss < 1e-5;
      const w1Right = scaledError(grads.W1, c.grads.W1) < 1e-5;
      expect({ reg: c.reg, lossRight, w1Right }).toEqual({ reg: c.reg, lossRight: c.reg === 0, w1Right: c.reg === 0 });
      expect(scaledError(grads.b1, c.grads.b1)).toBeLessThan(1e-5);
    }
  });
});
