/**
 * Helpers for the tensor-core tests: seeded host-side inputs and "same computation on two
 * backends" comparisons. Inputs are generated on the host (mulberry32 + Box–Muller) so both
 * backends see bit-identical data, with negative values included.
 */
import { tf, useBackend, BackendName } from '../../kernel/runtime/tensor';

/** Deterministic N(0, 1) samples (mulberry32 + Box–Muller). */
export function normals(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const uniform = (): number => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = new Float32Array(n);
  for (let i = 0; i < n; i += 2) {
    const r = Math.sqrt(-2 * Math.log(1 - uniform()));
    const a = 2 * Math.PI * uniform();
    out[i] = r * Math.cos(a);
    if (i + 1 < n) out[i + 1] = r * Math.sin(a);
  }
  return out;
}

export function size(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** A float32 tensor of seeded N(0, 1) values on the active backend. */
export function randn(shape: number[], seed: number): tf.Tensor {
  return tf.tensor(normals(size(shape), seed), shape, 'float32');
}

/** The padding argument of tf.maxPool / tf.conv2d as the tests use it. */
export type Pad = 'same' | 'valid' | number;

/** dx of Σ maxPool(x)·dy, dy seeded N(0, 1): what the course's max-pool backward computes. */
export function maxPoolGrad(x: tf.Tensor, k: number, s: number, pad: Pad, dySeed: number): tf.Tensor {
  const dy = randn(tf.maxPool(x as tf.Tensor4D, k, s, pad).shape, dySeed);
  return tf.grad((t: tf.Tensor) =>
    tf
      .maxPool(t as tf.Tensor4D, k, s, pad)
      .mul(dy)
      .sum(),
  )(x);
}

export interface Comparison {
  /** max |wasm − cpu| over all outputs. */
  maxAbs: number;
  /** max |cpu| over all outputs (the scale the error is measured against). */
  scale: number;
  /** maxAbs / max(1, scale). */
  rel: number;
}

/** Run `f` (which builds its own inputs) on a backend and read every output back. */
export async function runOn(backend: BackendName, f: () => tf.Tensor | tf.Tensor[]): Promise<Float32Array[]> {
  await useBackend(backend);
  const outs = tf.tidy(f);
  const list = Array.isArray(outs) ? outs : [outs];
  const data = await Promise.all(list.map((t) => t.data() as Promise<Float32Array>));
  tf.dispose(list);
  return data;
}

/** Compare `f` on wasm against cpu (the reference). */
export async function compareWasmToCpu(f: () => tf.Tensor | tf.Tensor[]): Promise<Comparison> {
  const ref = await runOn('cpu', f);
  const got = await runOn('wasm', f);
  expect(got.length).toBe(ref.length);
  let maxAbs = 0;
  let scale = 0;
  ref.forEach((r, k) => {
    expect(got[k].length).toBe(r.length);
    for (let i = 0; i < r.length; i++) {
      maxAbs = Math.max(maxAbs, Math.abs(r[i] - got[k][i]));
      scale = Math.max(scale, Math.abs(r[i]));
      if (Number.isNaN(got[k][i]) !== Number.isNaN(r[i])) maxAbs = Infinity;
    }
  });
  return { maxAbs, scale, rel: maxAbs / Math.max(1, scale) };
}

/**
 * float32 agreement bound between wasm and cpu: |Δ| ≤ 1e-5 · max(1, max|ref|).
 * Measured: ≤ 6e-7 relative for every case in tests/unit/runtime/tensorWasm.test.ts (sums of up to ~7,000
 * products accumulated in different orders); 1e-5 leaves ~15× headroom and is still ~10⁴×
 * smaller than any of the defects (which are O(1) wrong).
 */
export const WASM_CPU_RTOL = 1e-5;
