import { tf } from 'ts231n';

/** Shapes of a linear-classifier loss call: N examples of dimension D, C classes. */
export interface LossShapes {
  N: number;
  D: number;
  C: number;
}

/**
 * Check the arguments of a linear loss (W: (D, C), X: (N, D), y: (N,)) and return N, D, C.
 * Throws an error naming the function, the argument and the shapes seen.
 */
export function checkLossInputs(fn: string, W: tf.Tensor, X: tf.Tensor, y: tf.Tensor): LossShapes {
  if (W.rank !== 2) throw new Error(`${fn}: W must be 2-D (D, C), got shape [${W.shape}]`);
  if (X.rank !== 2) throw new Error(`${fn}: X must be 2-D (N, D), got shape [${X.shape}]`);
  const [N, D] = X.shape as [number, number];
  const C = W.shape[1] as number;
  if (W.shape[0] !== D) throw new Error(`${fn}: X is [${X.shape}] so W must have ${D} rows, got [${W.shape}]`);
  if (y.rank !== 1 || y.shape[0] !== N) throw new Error(`${fn}: y must have shape [${N}], got [${y.shape}]`);
  return { N, D, C };
}
