/**
 * Example submissions for the ConvNet part of assignment 2, as edits of the solution tree (the
 * same shape as the edits in scripts/examples.ts, which builds and checks the example folders):
 *
 * - `conv-stride2`: the naive convolution steps its windows by one pixel whatever the stride
 *   (forward and backward alike). Everything with stride 1 is right; every stride-2 value is
 *   wrong, yet the numeric gradient check still passes, because the backward pass is the exact
 *   gradient of the (wrong) forward pass. The fixed-input check (stride 2) and the hidden tests
 *   with stride 2 catch it.
 * - `convnet-no-reg`: ThreeLayerConvNet leaves the ½·reg·ΣW² term out of the loss and reg·W out of
 *   the gradients. The loss at init with reg = 0.5 and the hidden loss test with reg > 0 catch it;
 *   everything at reg = 0 is right.
 *
 * Each edit replaces text that must occur exactly `count` times, so a change to the solution that
 * makes an edit stale fails the build instead of shipping a correct "buggy" example.
 */
import { replaceCode } from './sourceEdit';

export interface ConvExampleEdit {
  file: string;
  /** What the edit does, in the words of a grader's feedback. */
  why: string;
  apply(text: string): string;
}

export const CONV_EXAMPLES: Record<string, ConvExampleEdit[]> = {
  'conv-stride2': [
    {
      file: 'cs231n/layers.ts',
      why: 'naive conv forward and backward ignore the stride when placing a window (rows)',
      apply: replaceCode('const h = i * stride - pad + kh;', 'const h = i - pad + kh;', 2),
    },
    {
      file: 'cs231n/layers.ts',
      why: 'naive conv forward and backward ignore the stride when placing a window (columns)',
      apply: replaceCode('const col = j * stride - pad + kw;', 'const col = j - pad + kw;', 2),
    },
  ],
  'convnet-no-reg': [
    {
      file: 'cs231n/classifiers/cnn.ts',
      why: 'ThreeLayerConvNet loss without the regularization term',
      apply: replaceCode(
        'loss = dataLoss + 0.5 * reg * tf.addN([W1.square().sum(), W2.square().sum(), W3.square().sum()]).dataSync()[0];',
        'loss = dataLoss;',
        1,
      ),
    },
    {
      file: 'cs231n/classifiers/cnn.ts',
      why: 'ThreeLayerConvNet weight gradients without reg·W',
      apply: replaceCode(
        'grads = { W1: dW1.add(W1.mul(reg)), b1: db1, W2: dW2.add(W2.mul(reg)), b2: db2, W3: dW3.add(W3.mul(reg)), b3: db3 };',
        'grads = { W1: dW1, b1: db1, W2: dW2, b2: db2, W3: dW3, b3: db3 };',
        1,
      ),
    },
  ],
};
