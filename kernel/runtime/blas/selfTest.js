// The start-up self-test of an OpenBLAS core type: products of odd sizes, every transpose, a
// batch and a non-zero beta, against a float64 reference. Plain CommonJS: ./probe.js runs it in
// a child process (a wrong core type may crash, so it is tried there first) and ./openblas.ts
// runs it again in the process that keeps the library.
'use strict';

/** Deterministic uniforms in [-1, 1) (an LCG: the values only need to be generic). */
function fill(n, seed) {
  const a = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    a[i] = s / 2147483648 - 1;
  }
  return a;
}

// [M, N, K, transA, transB, batch]: sizes on both sides of OpenBLAS's blocking (which changes
// with the core type), vector-width remainders, and K = 1
const SHAPES = [
  [1, 1, 1, false, false, 1],
  [7, 5, 3, false, true, 2],
  [33, 17, 65, true, false, 1],
  [129, 67, 257, false, false, 1],
  [67, 129, 31, true, true, 3],
  [260, 300, 1, false, false, 1],
  [16, 48, 512, false, true, 1],
];

// The re-test in the process that keeps the library (the probe ran SHAPES in a child already):
// every transpose, a batch, beta, one product past the smallest blocking, ~10× less work.
const QUICK_SHAPES = [
  [7, 5, 3, false, true, 2],
  [33, 17, 65, true, false, 1],
  [67, 41, 31, true, true, 2],
  [260, 300, 1, false, false, 1],
];

/** Returns the largest error relative to Σ|a·b| over the shapes; throws if a call throws. */
function selfTest(blas, shapes = SHAPES) {
  let worst = 0;
  shapes.forEach(([M, N, K, ta, tb, batch], s) => {
    const A = fill(batch * M * K, 2 * s + 1);
    const B = fill(batch * K * N, 2 * s + 2);
    const C = fill(batch * M * N, 2 * s + 3);
    const C0 = C.slice();
    const alpha = 0.75;
    const beta = s % 2 ? 0.5 : 0;
    blas.sgemm(ta, tb, M, N, K, alpha, A, 0, ta ? M : K, M * K, B, 0, tb ? K : N, K * N, beta, C, 0, N, M * N, batch);
    for (let b = 0; b < batch; b++) {
      for (let i = 0; i < M; i++) {
        for (let j = 0; j < N; j++) {
          let sum = 0;
          let mag = 0;
          for (let k = 0; k < K; k++) {
            const x = A[b * M * K + (ta ? k * M + i : i * K + k)];
            const y = B[b * K * N + (tb ? j * K + k : k * N + j)];
            sum += x * y;
            mag += Math.abs(x * y);
          }
          const o = b * M * N + i * N + j;
          const want = alpha * sum + beta * C0[o];
          const err = Math.abs(C[o] - want) / (alpha * mag + Math.abs(beta * C0[o]) + 1e-30);
          if (!(err <= worst)) worst = Number.isNaN(err) ? Infinity : Math.max(worst, err);
        }
      }
    }
  });
  return worst;
}

/**
 * The same product on 1 and on `threads` threads; returns the largest difference relative to
 * Σ|a·b| ≤ K. The addon splits a product over threads only from 2^24 flops on (ts231n_blas.c);
 * this one is too large for SHAPES' float64 reference to be quick, so the threaded result is held to the
 * single-thread one, which SHAPES vouch for. The two differ only by where K is blocked (3.3e-8
 * measured with SkylakeX kernels); a thread that computes wrongly is O(1) off.
 */
function threadedSelfTest(blas, threads) {
  const [M, N, K] = [512, 520, 515]; // 2·M·N·K = 2.74e8 ≥ 2^24, none a multiple of the blocking
  const A = fill(M * K, 101);
  const B = fill(K * N, 102);
  const one = new Float32Array(M * N);
  const many = new Float32Array(M * N);
  blas.setThreads(1);
  blas.sgemm(false, true, M, N, K, 1, A, 0, K, 0, B, 0, K, 0, 0, one, 0, N, 0, 1);
  blas.setThreads(threads);
  blas.sgemm(false, true, M, N, K, 1, A, 0, K, 0, B, 0, K, 0, 0, many, 0, N, 0, 1);
  let worst = 0;
  for (let i = 0; i < one.length; i++) {
    const err = Math.abs(many[i] - one[i]) / K;
    if (!(err <= worst)) worst = Number.isNaN(err) ? Infinity : Math.max(worst, err);
  }
  return worst;
}

/** float32 accumulation over K ≤ 515 terms stays far below this; a wrong kernel is O(1). */
const SELF_TEST_TOLERANCE = 1e-4;

module.exports = { selfTest, threadedSelfTest, SELF_TEST_TOLERANCE, QUICK_SHAPES };
