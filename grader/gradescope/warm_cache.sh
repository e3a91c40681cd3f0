#!/usr/bin/env bash
# Grades the reference solution into .grader-cache (its results and compiled cells), which
# run_autograder reads with --cache-dir: setup.sh runs this once when the image is built, so that
# no submission waits for the reference. Same environment as run_autograder (TS231N_ASSIGNMENT,
# TS231N_QUICK, TS231N_SPEC_DIR, TS231N_SOLUTION_DIR); a submission graded in another
# configuration computes its reference as before.
set -euo pipefail
SRC="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
ASSIGNMENT="${TS231N_ASSIGNMENT:-assignment1}"
SPEC_DIR="${TS231N_SPEC_DIR:-$SRC/grader/specs/$ASSIGNMENT}"
SOLUTION_DIR="${TS231N_SOLUTION_DIR:-$SRC/solutions/$ASSIGNMENT}"
EMPTY="$(mktemp -d)"
OUT="$(mktemp -d)"
trap 'rm -rf "$EMPTY" "$OUT"' EXIT
cd "$SRC"
node --import tsx grader/cli.ts --assignment "$ASSIGNMENT" --submissions "$EMPTY" --out "$OUT" \
  --spec-dir "$SPEC_DIR" --solution-dir "$SOLUTION_DIR" --cache-dir "$SRC/.grader-cache" --jobs 1
