"""The original assignment's naive conv and max-pool layers, timed in Python (numpy), for comparison
with the TypeScript naive layers of assignment 2 (bench/naiveLayers.ts runs this and prints ratios).

    /usr/bin/python3 bench/naiveLoops.py [--quick]

What is timed is the usual loop implementation of CS231n's `conv_forward_naive`,
`conv_backward_naive`, `max_pool_forward_naive` and `max_pool_backward_naive`: one Python loop per
output coordinate (n, f, i, j) or (n, c, i, j), with a numpy operation on each window (a product
and sum for the convolution, a max / argmax for pooling), in float64 as the course's code runs.
The shapes are the notebook's timing shapes: x (100, 3, 31, 31), w (25, 3, 3, 3), stride 2, pad 1;
max pool x (100, 3, 32, 32), 2×2, stride 2. Prints one JSON line of best-of-N milliseconds.
"""
import json
import sys
import time

import numpy as np

QUICK = "--quick" in sys.argv


def conv_forward_naive(x, w, b, stride, pad):
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    Ho, Wo = 1 + (H + 2 * pad - HH) // stride, 1 + (W + 2 * pad - WW) // stride
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)), mode="constant")
    out = np.zeros((N, F, Ho, Wo))
    for n in range(N):
        for f in range(F):
            for i in range(Ho):
                for j in range(Wo):
                    out[n, f, i, j] = np.sum(xp[n, :, i * stride:i * stride + HH, j * stride:j * stride + WW] * w[f]) + b[f]
    return out


def conv_backward_naive(dout, x, w, stride, pad):
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    _, _, Ho, Wo = dout.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)), mode="constant")
    dxp = np.zeros_like(xp)
    dw = np.zeros_like(w)
    db = np.sum(dout, axis=(0, 2, 3))
    for n in range(N):
        for f in range(F):
            for i in range(Ho):
                for j in range(Wo):
                    hs, ws = i * stride, j * stride
                    dw[f] += xp[n, :, hs:hs + HH, ws:ws + WW] * dout[n, f, i, j]
                    dxp[n, :, hs:hs + HH, ws:ws + WW] += w[f] * dout[n, f, i, j]
    return dxp[:, :, pad:pad + H, pad:pad + W], dw, db


def max_pool_forward_naive(x, ph, pw, stride):
    N, C, H, W = x.shape
    Ho, Wo = 1 + (H - ph) // stride, 1 + (W - pw) // stride
    out = np.zeros((N, C, Ho, Wo))
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    out[n, c, i, j] = np.max(x[n, c, i * stride:i * stride + ph, j * stride:j * stride + pw])
    return out


def max_pool_backward_naive(dout, x, ph, pw, stride):
    N, C, H, W = x.shape
    _, _, Ho, Wo = dout.shape
    dx = np.zeros_like(x)
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    win = x[n, c, i * stride:i * stride + ph, j * stride:j * stride + pw]
                    a, b = np.unravel_index(np.argmax(win), win.shape)
                    dx[n, c, i * stride + a, j * stride + b] += dout[n, c, i, j]
    return dx


def best_ms(fn, reps):
    best = float("inf")
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        best = min(best, (time.perf_counter() - t0) * 1e3)
    return best


def main():
    rng = np.random.RandomState(231)
    reps = 1 if QUICK else 3
    x = rng.randn(100, 3, 31, 31)
    w = rng.randn(25, 3, 3, 3)
    b = rng.randn(25)
    dout = rng.randn(100, 25, 16, 16)
    xp = rng.randn(100, 3, 32, 32)
    dpool = rng.randn(100, 3, 16, 16)
    results = {
        "numpy": np.__version__,
        "python": sys.version.split()[0],
        "convForward": best_ms(lambda: conv_forward_naive(x, w, b, 2, 1), reps),
        "convBackward": best_ms(lambda: conv_backward_naive(dout, x, w, 2, 1), reps),
        "poolForward": best_ms(lambda: max_pool_forward_naive(xp, 2, 2, 2), reps),
        "poolBackward": best_ms(lambda: max_pool_backward_naive(dpool, xp, 2, 2, 2), reps),
    }
    print(json.dumps(results))


if __name__ == "__main__":
    main()
