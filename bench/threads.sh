#!/bin/bash
# the kit with 1 vs TS231N_THREADS=2 (OpenBLAS threads; wasm threads only without OpenBLAS), alternated ROUNDS times (default 2), then numpy at 1 and 2
# threads, each a fresh process; NICE=-15 runs them at high priority (root only). One JSON line
# per run (bench/worker.ts, bench/numpy_bench.py). See docs/tensor-core.md, "wasm threads".
cd "$(dirname "$0")/.." || exit 1
CASES=${CASES:-matmul,knn,conv_fwd,conv_fwd_bwd,mlp_step}
for r in $(seq "${ROUNDS:-2}"); do
  for t in 1 2; do
    echo "# wasm threads=$t round=$r load=$(cut -d' ' -f1 /proc/loadavg)"
    TS231N_THREADS=$t nice -n "${NICE:-0}" node_modules/.bin/tsx bench/worker.ts --config wasm --cases "$CASES"
  done
done
for t in 1 2; do
  echo "# numpy threads=$t"
  OMP_NUM_THREADS=$t OPENBLAS_NUM_THREADS=$t nice -n "${NICE:-0}" "${TS231N_PYTHON:-python3}" bench/numpy_bench.py --cases "$CASES"
done
