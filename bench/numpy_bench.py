"""numpy twins of bench/cases.ts, float32, the way CS231n's fast code computes them.

    python3 bench/numpy_bench.py [--quick] [--cases a,b]
    python3 bench/numpy_bench.py --selftest      # the twins against direct loops

Thread count comes from OMP_NUM_THREADS / OPENBLAS_NUM_THREADS, set by bench/index.ts before
numpy is imported. Prints one JSON line: {"numpy": version, "blas": ..., "results": [...]}.
"""
import json
import sys
import time

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

QUICK = "--quick" in sys.argv
ONLY = None
if "--cases" in sys.argv:
    ONLY = sys.argv[sys.argv.index("--cases") + 1].split(",")

rng = np.random.default_rng(231)


def randn(*shape):
    return rng.standard_normal(shape, dtype=np.float32)


def median(xs):
    s = sorted(xs)
    m = len(s) // 2
    return s[m] if len(s) % 2 else (s[m - 1] + s[m]) / 2


def timeit(run, warmup, max_reps, budget_ms):
    for _ in range(warmup):
        w0, c0 = time.perf_counter(), time.process_time()
        run()
        once = (time.perf_counter() - w0) * 1e3
        if once > budget_ms:
            cpu = (time.process_time() - c0) * 1e3
            return dict(ms=once, minMs=once, cpuMs=cpu, reps=1)
    walls, cpus = [], []
    start = time.perf_counter()
    while len(walls) < max_reps and (not walls or (time.perf_counter() - start) * 1e3 < budget_ms):
        w0, c0 = time.perf_counter(), time.process_time()
        run()
        walls.append((time.perf_counter() - w0) * 1e3)
        cpus.append((time.process_time() - c0) * 1e3)
    return dict(ms=median(walls), minMs=min(walls), cpuMs=median(cpus), reps=len(walls))


def case_matmul():
    a, b = randn(1024, 1024), randn(1024, 1024)
    return lambda: a @ b


def case_knn():
    X, Y = randn(500, 3072), randn(5000, 3072)
    return lambda: knn_dists(X, Y)


N, H, W, C, F, K = 50, 32, 32, 3, 32, 7


def im2col(xp, k):
    """[N, H+2p, W+2p, C] -> [N*H*W, k*k*C] (NHWC windows, like conv_forward_im2col)."""
    win = sliding_window_view(xp, (k, k), axis=(1, 2))  # [N, H, W, C, k, k]
    n, h, w = win.shape[:3]
    return win.transpose(0, 1, 2, 4, 5, 3).reshape(n * h * w, -1)


def conv_fwd(x, w):
    """x [N, H, W, C], w [K, K, C, F], stride 1, same padding -> out [N, H, W, F], columns."""
    n, h, wd, _ = x.shape
    k, f = w.shape[0], w.shape[3]
    p = (k - 1) // 2
    xp = np.pad(x, ((0, 0), (p, p), (p, p), (0, 0)))
    cols = im2col(xp, k)
    out = cols @ w.reshape(-1, f)
    return out.reshape(n, h, wd, f), cols


def conv_bwd(dout, cols, w):
    n, h, wd, f = dout.shape
    k, c = w.shape[0], w.shape[2]
    p = (k - 1) // 2
    d2 = dout.reshape(-1, f)
    dw = (cols.T @ d2).reshape(k, k, c, f)
    # col2im: scatter-add each kernel offset's block back (CS231n's col2im, vectorized); the
    # columns are computed transposed, [K, K, C, N, H, W], so that each block is contiguous
    dcols = (w.reshape(-1, f) @ d2.T).reshape(k, k, c, n, h, wd)
    dxp = np.zeros((c, n, h + 2 * p, wd + 2 * p), dout.dtype)
    for i in range(k):
        for j in range(k):
            dxp[:, :, i:i + h, j:j + wd] += dcols[i, j]
    dxp = dxp.transpose(1, 2, 3, 0)
    return dxp[:, p:p + h, p:p + wd, :], dw


def maxpool_fwd_bwd(x, dout):
    """2x2 stride-2 max pool forward and backward, NHWC (max_pool_forward/backward_reshape)."""
    n, h, wd, c = x.shape
    xr = x.reshape(n, h // 2, 2, wd // 2, 2, c)
    out = xr.max(axis=2).max(axis=3)
    mask = xr == out[:, :, None, :, None, :]
    dxr = np.zeros_like(xr)
    dob = np.broadcast_to(dout[:, :, None, :, None, :], xr.shape)
    dxr[mask] = dob[mask]
    dxr /= np.sum(mask, axis=(2, 4), keepdims=True)
    return out, dxr.reshape(x.shape)


def case_conv_fwd():
    x, w = randn(N, H, W, C), randn(K, K, C, F)
    return lambda: conv_fwd(x, w)[0]


def case_conv_fwd_bwd():
    x, w, dout = randn(N, H, W, C), randn(K, K, C, F), randn(N, H, W, F)

    def run():
        out, cols = conv_fwd(x, w)
        return out, conv_bwd(dout, cols, w)

    return run


def case_mlp_step():
    n, d, h, c = 200, 3072, 100, 10
    X = randn(n, d)
    y = np.arange(n) * 7 % c
    W1, b1 = randn(d, h) * np.float32(1e-2), np.zeros(h, np.float32)
    W2, b2 = randn(h, c) * np.float32(1e-2), np.zeros(c, np.float32)
    reg = np.float32(5e-6)

    def run():
        # TwoLayerNet.loss from assignment 1
        hid = np.maximum(X @ W1 + b1, 0)
        scores = hid @ W2 + b2
        scores = scores - scores.max(axis=1, keepdims=True)
        p = np.exp(scores)
        p /= p.sum(axis=1, keepdims=True)
        loss = -np.mean(np.log(p[np.arange(n), y])) + reg * (np.sum(W1 * W1) + np.sum(W2 * W2))
        ds = p
        ds[np.arange(n), y] -= 1
        ds /= n
        dW2 = hid.T @ ds + 2 * reg * W2
        db2 = ds.sum(axis=0)
        dh = ds @ W2.T
        dh[hid <= 0] = 0
        dW1 = X.T @ dh + 2 * reg * W1
        db1 = dh.sum(axis=0)
        return loss, dW1, db1, dW2, db2

    return run


def case_maxpool_fwd_bwd():
    x, dout = randn(50, 32, 32, 32), randn(50, 16, 16, 32)
    return lambda: maxpool_fwd_bwd(x, dout)


def knn_dists(X, Y):
    # compute_distances_no_loops: ||x||^2 + ||y||^2 - 2 x.y
    d2 = np.sum(X * X, axis=1, keepdims=True) + np.sum(Y * Y, axis=1) - 2 * (X @ Y.T)
    return np.sqrt(np.maximum(d2, 0))


def selftest():
    """The fast twins against direct loops on small float64 inputs; prints 'ok' or raises."""
    r = np.random.default_rng(0)
    x, w, dout = r.standard_normal((2, 5, 6, 3)), r.standard_normal((3, 3, 3, 4)), r.standard_normal((2, 5, 6, 4))
    out, cols = conv_fwd(x, w)
    dx, dw = conv_bwd(dout, cols, w)
    xp = np.pad(x, ((0, 0), (1, 1), (1, 1), (0, 0)))
    ref, rdw, rdxp = np.zeros_like(out), np.zeros_like(w), np.zeros_like(xp)
    for n in range(2):
        for i in range(5):
            for j in range(6):
                patch = xp[n, i:i + 3, j:j + 3, :]
                ref[n, i, j] = np.tensordot(patch, w, axes=3)
                rdw += patch[..., None] * dout[n, i, j]
                rdxp[n, i:i + 3, j:j + 3, :] += (w * dout[n, i, j]).sum(-1)
    assert np.allclose(out, ref) and np.allclose(dw, rdw) and np.allclose(dx, rdxp[:, 1:6, 1:7]), "conv twin is wrong"
    x, dout = r.standard_normal((2, 4, 6, 3)), r.standard_normal((2, 2, 3, 3))
    out, dx = maxpool_fwd_bwd(x, dout)
    rdx = np.zeros_like(x)
    for n in range(2):
        for i in range(2):
            for j in range(3):
                for c in range(3):
                    win = x[n, 2 * i:2 * i + 2, 2 * j:2 * j + 2, c]
                    a, b = np.unravel_index(np.argmax(win), win.shape)
                    assert out[n, i, j, c] == win[a, b], "max-pool forward is wrong"
                    rdx[n, 2 * i + a, 2 * j + b, c] += dout[n, i, j, c]
    assert np.allclose(dx, rdx), "max-pool backward is wrong"
    X, Y = r.standard_normal((4, 7)), r.standard_normal((5, 7))
    assert np.allclose(knn_dists(X, Y), np.sqrt(((X[:, None, :] - Y[None]) ** 2).sum(-1))), "kNN twin is wrong"
    print("ok")


CASES = {
    "matmul": case_matmul,
    "knn": case_knn,
    "conv_fwd": case_conv_fwd,
    "conv_fwd_bwd": case_conv_fwd_bwd,
    "mlp_step": case_mlp_step,
    "maxpool_fwd_bwd": case_maxpool_fwd_bwd,
}


def main():
    opts = dict(warmup=1, max_reps=3, budget_ms=600) if QUICK else dict(warmup=2, max_reps=15, budget_ms=2500)
    results = []
    for name, make in CASES.items():
        if ONLY and name not in ONLY:
            continue
        try:
            results.append(dict(id=name, **timeit(make(), **opts)))
        except Exception as e:  # report, keep going
            results.append(dict(id=name, error=f"{type(e).__name__}: {e}".splitlines()[0]))
    blas = None
    try:
        cfg = np.show_config(mode="dicts")
        blas = "{} {}".format(cfg["Build Dependencies"]["blas"]["name"], cfg["Build Dependencies"]["blas"].get("version", ""))
    except Exception:
        pass
    print(json.dumps(dict(numpy=np.__version__, blas=blas, results=results)))


if __name__ == "__main__":
    if "--selftest" in sys.argv:
        selftest()
    else:
        main()
