/**
 * Kernel fixes for @tensorflow/tfjs-backend-wasm 4.22, registered over (or beside) the stock
 * kernels. Each is proven against the cpu backend in tests/tensorWasm.test.ts.
 *
 * | kernel               | stock wasm defect                               | fix                               |
 * |----------------------|-------------------------------------------------|-----------------------------------|
 * | Conv2DBackpropFilter | not registered: conv weight gradients throw     | a conv of xᵀ with dyᵀ (XNNPACK)   |
 * | MaxPoolGrad          | zero gradient where the window max is ≤ 0       | exact first-argmax scatter        |
 * | BatchMatMul          | transposeA/B leave XNNPACK (~8× slower)         | transpose first, then fast path   |
 * | _FusedMatMul         | same as BatchMatMul                             | same                              |
 * | Conv2DBackpropInput  | stride 1 ~3× slower than the equivalent conv    | conv with the flipped filter      |
 */
import * as tf from '@tensorflow/tfjs';
import { transposeFirst } from './batchMatMul';
import { conv2dBackpropFilter } from './conv2dBackpropFilter';
import { flippedFilterConv } from './conv2dBackpropInput';
import { maxPoolGrad } from './maxPoolGrad';

const BACKEND = 'wasm';
const MARK = Symbol.for('ts231n.wasmFixes');

/** Names of the kernels this module (re)registers for the wasm backend. */
export const FIXED_KERNELS = [tf.Conv2DBackpropFilter, tf.MaxPoolGrad, tf.BatchMatMul, tf._FusedMatMul, tf.Conv2DBackpropInput];

function replace(name: string, make: (stock: tf.KernelFunc | undefined) => tf.KernelFunc): void {
  const stock = tf.getKernel(name, BACKEND);
  if (stock) tf.unregisterKernel(name, BACKEND);
  // Keep the stock setupFunc: it binds the C++ entry point the stock kernelFunc calls.
  tf.registerKernel({ kernelName: name, backendName: BACKEND, setupFunc: stock?.setupFunc, kernelFunc: make(stock?.kernelFunc) });
}

function need(stock: tf.KernelFunc | undefined, name: string): tf.KernelFunc {
  if (!stock) throw new Error(`tfjs-backend-wasm registers no ${name} kernel; is @tensorflow/tfjs-backend-wasm 4.22 installed?`);
  return stock;
}

/**
 * Register the fixes. Call after `require('@tensorflow/tfjs-backend-wasm')` (which registers
 * the stock kernels) and before `tf.setBackend('wasm')`. Idempotent.
 */
export function registerWasmFixes(): void {
  const g = globalThis as unknown as Record<symbol, boolean>;
  if (g[MARK]) return;
  replace(tf.Conv2DBackpropFilter, () => conv2dBackpropFilter);
  replace(tf.MaxPoolGrad, () => maxPoolGrad);
  replace(tf.BatchMatMul, (stock) => transposeFirst(need(stock, tf.BatchMatMul)));
  replace(tf._FusedMatMul, (stock) => transposeFirst(need(stock, tf._FusedMatMul)));
  replace(tf.Conv2DBackpropInput, (stock) => flippedFilterConv(need(stock, tf.Conv2DBackpropInput)));
  g[MARK] = true;
}

/** The stock kernel functions, kept for tests and benchmarks that compare against them. */
export { transposeFirst, conv2dBackpropFilter, flippedFilterConv, maxPoolGrad };
