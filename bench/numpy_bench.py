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


def timeit(run, warmup, warmup_ms, max_reps, budget_ms):
    # untimed: at least `warmup` runs and warmup_ms of CPU time, as the tfjs side (bench/timing.ts)
    warm_start, i = time.process_time(), 0
    while i < warmup or (time.process_time() - warm_start) * 1e3 < warmup_ms:
        i += 1
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


def maxpool_fwd(x):
    """2x2 stride-2 max pool forward, NHWC (max_pool_forward_reshape); returns out, cache."""
    n, h, wd, c = x.shape
    xr = x.reshape(n, h // 2, 2, wd // 2, 2, c)
    out = xr.max(axis=2).max(axis=3)
    return out, (x, xr, out)


def maxpool_bwd(dout, cache):
    """max_pool_backward_reshape: the gradient goes to every maximum of a window, split evenly."""
    x, xr, out = cache
    mask = xr == out[:, :, None, :, None, :]
    dxr = np.zeros_like(xr)
    dob = np.broadcast_to(dout[:, :, None, :, None, :], xr.shape)
    dxr[mask] = dob[mask]
    dxr /= np.sum(mask, axis=(2, 4), keepdims=True)
    return dxr.reshape(x.shape)


def maxpool_fwd_bwd(x, dout):
    out, cache = maxpool_fwd(x)
    return out, maxpool_bwd(dout, cache)


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


def softmax_loss(scores, y):
    """The course's softmax_loss: loss and dscores."""
    n = scores.shape[0]
    shifted = scores - scores.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    probs = np.exp(log_probs)
    loss = -log_probs[np.arange(n), y].mean()
    dx = probs.copy()
    dx[np.arange(n), y] -= 1
    return loss, dx / n


def batchnorm_fwd(x, gamma, beta, bn):
    """batchnorm_forward, train mode (with the running averages the course keeps)."""
    mu = x.mean(axis=0)
    var = x.var(axis=0)
    std = np.sqrt(var + bn["eps"])
    xhat = (x - mu) / std
    bn["running_mean"] = bn["momentum"] * bn["running_mean"] + (1 - bn["momentum"]) * mu
    bn["running_var"] = bn["momentum"] * bn["running_var"] + (1 - bn["momentum"]) * var
    return gamma * xhat + beta, (xhat, gamma, std)


def batchnorm_bwd_alt(dout, cache):
    """batchnorm_backward_alt: the simplified closed form."""
    xhat, gamma, std = cache
    n = dout.shape[0]
    dgamma = (dout * xhat).sum(axis=0)
    dbeta = dout.sum(axis=0)
    dxhat = dout * gamma
    dx = (n * dxhat - dxhat.sum(axis=0) - xhat * (dxhat * xhat).sum(axis=0)) / (n * std)
    return dx, dgamma, dbeta


FC = dict(N=100, D=784, H=100, L=4, C=10)


def case_fc_step():
    """FullyConnectedNet.loss: {affine - batchnorm - relu} x 4 - affine - softmax, all gradients."""
    n, d, h, layers, c = FC["N"], FC["D"], FC["H"], FC["L"], FC["C"]
    X = randn(n, d)
    y = np.arange(n) * 7 % c
    dims = [d] + [h] * layers + [c]
    Ws = [randn(a, b) * np.float32(np.sqrt(2.0 / a)) for a, b in zip(dims[:-1], dims[1:])]
    bs = [np.zeros(b, np.float32) for b in dims[1:]]
    gammas = [np.ones(h, np.float32) for _ in range(layers)]
    betas = [np.zeros(h, np.float32) for _ in range(layers)]
    bns = [dict(eps=1e-5, momentum=0.9, running_mean=np.zeros(h, np.float32), running_var=np.zeros(h, np.float32))
           for _ in range(layers)]
    reg = np.float32(1e-3)

    def run():
        caches, a = [], X
        for i in range(layers):
            z = a @ Ws[i] + bs[i]
            bnout, bnc = batchnorm_fwd(z, gammas[i], betas[i], bns[i])
            r = np.maximum(bnout, 0)
            caches.append((a, bnc, bnout))
            a = r
        scores = a @ Ws[-1] + bs[-1]
        loss, ds = softmax_loss(scores, y)
        loss += 0.5 * reg * sum(np.sum(W * W) for W in Ws)
        grads = [ds.sum(axis=0), a.T @ ds + reg * Ws[-1]]
        da = ds @ Ws[-1].T
        for i in reversed(range(layers)):
            a_in, bnc, bnout = caches[i]
            dz = da * (bnout > 0)
            dz, dgamma, dbeta = batchnorm_bwd_alt(dz, bnc)
            grads += [a_in.T @ dz + reg * Ws[i], dz.sum(axis=0), dgamma, dbeta]
            da = dz @ Ws[i].T  # the course's affine_backward computes dx for the first layer too
        return loss, grads, da

    return run


def convnet_case(c, hw):
    """ThreeLayerConvNet.loss: conv 32 7x7 (pad 3) - relu - 2x2 max pool - affine 100 - relu -
    affine 10 - softmax, batch 50, every gradient (dx included, as conv_backward_fast gives it)."""
    n, f, k, hid, classes = 50, 32, 7, 100, 10
    X = randn(n, hw, hw, c)
    y = np.arange(n) * 7 % classes
    W1, b1 = randn(k, k, c, f) * np.float32(1e-3), np.zeros(f, np.float32)
    flat = f * (hw // 2) * (hw // 2)
    W2, b2 = randn(flat, hid) * np.float32(1e-3), np.zeros(hid, np.float32)
    W3, b3 = randn(hid, classes) * np.float32(1e-3), np.zeros(classes, np.float32)
    reg = np.float32(1e-3)

    def run():
        conv, cols = conv_fwd(X, W1)
        conv += b1
        r = np.maximum(conv, 0)
        pooled, pcache = maxpool_fwd(r)
        a = pooled.reshape(n, -1)
        h = np.maximum(a @ W2 + b2, 0)
        scores = h @ W3 + b3
        loss, ds = softmax_loss(scores, y)
        loss += 0.5 * reg * (np.sum(W1 * W1) + np.sum(W2 * W2) + np.sum(W3 * W3))
        dW3, db3 = h.T @ ds + reg * W3, ds.sum(axis=0)
        dh = ds @ W3.T
        dh[h <= 0] = 0
        dW2, db2 = a.T @ dh + reg * W2, dh.sum(axis=0)
        dpool = (dh @ W2.T).reshape(pooled.shape)
        dr = maxpool_bwd(dpool, pcache)
        dr[conv <= 0] = 0
        dx, dW1 = conv_bwd(dr, cols, W1)
        return loss, dx, dW1 + reg * W1, dr.sum(axis=(0, 1, 2)), dW2, db2, dW3, db3

    return run


def case_convnet_cifar():
    return convnet_case(3, 32)


def case_convnet_mnist():
    return convnet_case(1, 28)


def case_maxpool_fwd_bwd():
    x, dout = randn(50, 32, 32, 32), randn(50, 16, 16, 32)
    return lambda: maxpool_fwd_bwd(x, dout)


def case_minibatch():
    X = randn(5000, 3072)
    idx = np.array([(i * 7919) % 5000 for i in range(200)])
    return lambda: X[idx]


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
    # batchnorm_backward_alt and softmax_loss against centred differences (float64)
    def numeric(f, a, h=1e-6):
        g = np.zeros_like(a)
        for i in np.ndindex(a.shape):
            old = a[i]
            a[i] = old + h
            fp = f()
            a[i] = old - h
            fm = f()
            a[i] = old
            g[i] = (fp - fm) / (2 * h)
        return g

    x, gamma, beta, dout = r.standard_normal((6, 4)), r.standard_normal(4), r.standard_normal(4), r.standard_normal((6, 4))
    fresh = lambda: dict(eps=1e-5, momentum=0.9, running_mean=np.zeros(4), running_var=np.zeros(4))
    bn_loss = lambda: np.sum(batchnorm_fwd(x, gamma, beta, fresh())[0] * dout)
    _, cache = batchnorm_fwd(x, gamma, beta, fresh())
    dx, dgamma, dbeta = batchnorm_bwd_alt(dout, cache)
    for got, want in ((dx, numeric(bn_loss, x)), (dgamma, numeric(bn_loss, gamma)), (dbeta, numeric(bn_loss, beta))):
        assert np.allclose(got, want, atol=1e-6), "batchnorm backward is wrong"
    scores, labels = r.standard_normal((5, 3)), np.array([0, 2, 1, 1, 0])
    assert np.allclose(softmax_loss(scores, labels)[1], numeric(lambda: softmax_loss(scores, labels)[0], scores), atol=1e-6), \
        "softmax loss gradient is wrong"
    print("ok")


CASES = {
    "matmul": case_matmul,
    "knn": case_knn,
    "conv_fwd": case_conv_fwd,
    "conv_fwd_bwd": case_conv_fwd_bwd,
    "mlp_step": case_mlp_step,
    "maxpool_fwd_bwd": case_maxpool_fwd_bwd,
    "minibatch": case_minibatch,
    "fc_step": case_fc_step,
    "convnet_cifar": case_convnet_cifar,
    "convnet_mnist": case_convnet_mnist,
    # the tfjs side of these two takes its gradients by autodiff; numpy's step is the same one
    "mlp_step_autodiff": case_mlp_step,
    "fc_step_autodiff": case_fc_step,
}


def main():
    opts = (dict(warmup=1, warmup_ms=500, max_reps=3, budget_ms=600) if QUICK
            else dict(warmup=2, warmup_ms=1000, max_reps=15, budget_ms=2500))
    results = []
    for name, make in CASES.items():
        if ONLY and name not in ONLY:
            continue
        try:
            results.append(dict(id=name, **timeit(make(), **opts)))
        except Exception as e:  # report, keep going
            results.append(dict(id=name, error=f"{type(e).__name__}: {e}".splitlines()[0]))
    print(json.dumps(dict(numpy=np.__version__, blas=blas_in_use(), results=results)))


def blas_in_use():
    """The BLAS numpy runs, as loaded: OpenBLAS's own config line (version, core type) and thread
    count when it is OpenBLAS (found in /proc/self/maps, asked through ctypes), else numpy's
    build configuration."""
    import ctypes
    try:
        with open("/proc/self/maps") as f:
            libs = sorted({line.split()[-1] for line in f if "openblas" in line.split()[-1]})
        for path in libs:
            lib = ctypes.CDLL(path)
            for suffix in ("64_", "", "_64"):
                for prefix in ("scipy_openblas", "openblas"):
                    try:
                        cfg = getattr(lib, f"{prefix}_get_config{suffix}")
                        core = getattr(lib, f"{prefix}_get_corename{suffix}")
                        threads = getattr(lib, f"{prefix}_get_num_threads{suffix}")
                    except AttributeError:
                        continue
                    cfg.restype = core.restype = ctypes.c_char_p
                    config = cfg().decode().split()
                    version = config[1] if len(config) > 1 else "?"
                    return f"OpenBLAS {version} ({core().decode()}), {threads()} thread{'s' if threads() != 1 else ''}"
    except Exception:
        pass
    try:
        cfg = np.show_config(mode="dicts")
        return "{} {}".format(cfg["Build Dependencies"]["blas"]["name"], cfg["Build Dependencies"]["blas"].get("version", ""))
    except Exception:
        return None


if __name__ == "__main__":
    if "--selftest" in sys.argv:
        selftest()
    else:
        main()
