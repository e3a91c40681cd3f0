/**
 * Gradient diagnosis: when a gradient differs from the reference, say what the difference looks
 * like, in the terms of the bugs students make. The rules follow the gradient checker's measured
 * separation table (docs/tensor-core.md; mutants in tests/fixtures/gradcheck/functions.ts):
 * a gradient scaled by 2, a missing 1/N average, a missing or halved regularisation gradient, one
 * row with the wrong sign, all zeros. A difference that none of them explains gets no diagnosis:
 * a wrong hint is worse than none.
 */
import type { Encoded } from './types';
import { numeric } from './value';

export interface GradientContext {
  /** Examples in the batch, when known: a gradient N times too large lacks the 1/N average. */
  N?: number;
  /** The reference gradient of the regularisation term alone (2·reg·W), when known. */
  regGradient?: ArrayLike<number>;
  /** What to call the gradient in the message (default dW). */
  name?: string;
}

const dot = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
};
const norm = (a: ArrayLike<number>): number => Math.sqrt(dot(a, a));

/** ‖found − Σ cᵢ·basisᵢ‖ / ‖found‖ for the least-squares coefficients c (one or two basis vectors). */
function fit(found: ArrayLike<number>, basis: Array<ArrayLike<number>>): { c: number[]; residual: number } {
  const n = found.length;
  let c: number[];
  if (basis.length === 1) {
    const ee = dot(basis[0], basis[0]);
    c = [ee > 0 ? dot(found, basis[0]) / ee : 0];
  } else {
    const [a, b] = basis;
    const aa = dot(a, a),
      bb = dot(b, b),
      ab = dot(a, b),
      fa = dot(found, a),
      fb = dot(found, b);
    const det = aa * bb - ab * ab;
    if (Math.abs(det) <= 1e-12 * aa * bb) return { c: [0, 0], residual: Infinity };
    c = [(fa * bb - fb * ab) / det, (fb * aa - fa * ab) / det];
  }
  let r = 0;
  for (let i = 0; i < n; i++) {
    let v = found[i];
    for (let k = 0; k < basis.length; k++) v -= c[k] * basis[k][i];
    r += v * v;
  }
  const f = norm(found);
  return { c, residual: f > 0 ? Math.sqrt(r) / f : Math.sqrt(r) };
}

const near = (x: number, target: number, rel = 0.03): boolean => Math.abs(x - target) <= rel * Math.abs(target);
/** A fit this close is a structural match, not a coincidence (float32 rounding is ~1e-6 relative). */
const EXACT = 0.02;

/** What a wrong gradient looks like, or null when no rule explains it. `shape` is the gradient's shape. */
export function diagnoseGradient(
  found: ArrayLike<number>,
  expected: ArrayLike<number>,
  shape: number[],
  ctx: GradientContext = {},
): string | null {
  const name = ctx.name ?? 'dW';
  if (found.length !== expected.length || found.length === 0) return null;
  for (let i = 0; i < found.length; i++)
    if (!Number.isFinite(found[i]))
      return `${name} contains NaN or Infinity: look for a division by zero or an overflowing exp (shift the scores by their maximum)`;
  const fNorm = norm(found),
    eNorm = norm(expected);
  if (eNorm === 0) return null;
  if (fNorm === 0) return `${name} is all zeros: the gradient is never accumulated (or is overwritten at the end)`;

  if (ctx.regGradient && ctx.regGradient.length === found.length && norm(ctx.regGradient) > 1e-3 * eNorm) {
    const R = ctx.regGradient;
    const data = Array.from(expected, (v, i) => v - R[i]);
    const {
      c: [alpha, beta],
      residual,
    } = fit(found, [data, R]);
    if (residual < EXACT && near(alpha, 1, 0.02)) {
      if (Math.abs(beta) < 0.05)
        return `the regularisation gradient is missing: ${name} matches the data term alone (add the gradient of reg·ΣW², 2·reg·W)`;
      if (near(beta, 0.5, 0.05))
        return `the regularisation gradient is halved: the gradient of reg·ΣW² is 2·reg·W, not reg·W`;
      if (near(beta, 2, 0.05)) return `the regularisation gradient is doubled: the gradient of reg·ΣW² is 2·reg·W`;
    }
    if (residual < EXACT && ctx.N && near(alpha, ctx.N) && near(beta, 1, 0.05))
      return `${name} is ${ctx.N} times too large in its data term: looks like the 1/N average is missing (N = ${ctx.N})`;
  }

  const {
    c: [a],
    residual,
  } = fit(found, [expected]);
  if (residual < EXACT) {
    if (near(a, 2)) return `${name} is off by a factor of 2 everywhere: a missing ½ or a doubled term?`;
    if (near(a, 0.5))
      return `${name} is half the expected value everywhere: a ½ too many, or a term counted once instead of twice?`;
    if (near(a, -1))
      return `${name} has the wrong sign everywhere: the gradient of −loss (or a step against the gradient) instead?`;
    if (ctx.N && near(a, ctx.N))
      return `${name} is ${ctx.N} times too large everywhere: looks like the 1/N average is missing (N = ${ctx.N})`;
    if (ctx.N && near(a, 1 / ctx.N)) return `${name} is ${ctx.N} times too small everywhere: divided by N twice?`;
    if (!ctx.N && a > 2.5 && near(a, Math.round(a), 0.01))
      return `${name} is ${Math.round(a)} times too large everywhere: a missing 1/N average (N = ${Math.round(a)})?`;
    if (!near(a, 1, 0.01))
      return `${name} is ${+a.toPrecision(3)} times the expected value everywhere: a constant factor is wrong`;
  }

  // Rows whose sign is flipped while the rest matches.
  const cols = shape.length >= 2 ? shape[shape.length - 1] : 0;
  if (cols > 0 && found.length % cols === 0) {
    const rows = found.length / cols;
    const flipped: number[] = [];
    let others = true;
    for (let r = 0; r < rows && others; r++) {
      const f = Array.prototype.slice.call(found, r * cols, (r + 1) * cols) as number[];
      const e = Array.prototype.slice.call(expected, r * cols, (r + 1) * cols) as number[];
      const en = norm(e);
      if (en <= 1e-6 * eNorm) continue;
      const same = norm(f.map((v, i) => v - e[i])) / en,
        opposite = norm(f.map((v, i) => v + e[i])) / en;
      if (opposite < EXACT) flipped.push(r);
      else if (same >= EXACT) others = false;
    }
    if (others && flipped.length > 0 && flipped.length < rows)
      return `${flipped.length === 1 ? `row ${flipped[0]}` : `rows ${flipped.slice(0, 5).join(', ')}${flipped.length > 5 ? ', …' : ''}`} of ${name} ${flipped.length === 1 ? 'has' : 'have'} the wrong sign; the other rows are right`;
  }
  return null;
}

function tensorOf(v: Encoded): { data: number[]; shape: number[] } | null {
  const n = numeric(v);
  return n && 'full' in n && n.full.shape.length > 0 ? { data: n.full.data, shape: n.full.shape } : null;
}

function closeEnough(f: Encoded, e: Encoded): boolean {
  const a = numeric(f),
    b = numeric(e);
  if (!a || !b || !('full' in a) || !('full' in b) || a.full.data.length !== b.full.data.length) return false;
  const x = a.full.data,
    y = b.full.data;
  for (let i = 0; i < x.length; i++) if (!(Math.abs(x[i] - y[i]) <= 1e-4 + 1e-3 * Math.abs(y[i]))) return false;
  return true;
}

/**
 * Diagnosis of a graded value (a gradient tensor, or a hidden test's object of named cases such as
 * `reg0_grad`, `reg_loss`, `emptyClass_grad`) against the reference; null when nothing is recognised.
 */
export function diagnoseValue(found: Encoded, reference: Encoded): string | null {
  const ft = tensorOf(found),
    rt = tensorOf(reference);
  if (ft && rt) return diagnoseGradient(ft.data, rt.data, rt.shape);
  if (!found || !reference || typeof found !== 'object' || typeof reference !== 'object' || Array.isArray(reference))
    return null;
  const f = found as Record<string, Encoded>,
    r = reference as Record<string, Encoded>;
  const keys = Object.keys(r).filter((k) => k in f);
  const wrong = keys.filter((k) => !closeEnough(f[k], r[k]));
  if (!wrong.length) return null;
  const caseOf = (k: string): string => (k.includes('_') ? k.slice(0, k.indexOf('_')) : '');
  const notes: string[] = [];
  // Right without regularisation, wrong with it: the regularisation term.
  const reg0 = keys.filter((k) => caseOf(k) === 'reg0');
  const regWrong = keys.filter((k) => caseOf(k) === 'reg' && wrong.includes(k));
  if (reg0.length && regWrong.length && !reg0.some((k) => wrong.includes(k))) {
    const lossRight =
      keys.some((k) => caseOf(k) === 'reg' && /loss$/.test(k)) && regWrong.every((k) => !/loss$/.test(k));
    notes.push(
      lossRight
        ? 'right with reg = 0, and with reg > 0 the loss is right but the gradient is not: the regularisation gradient (2·reg·W) is missing or wrong'
        : 'right with reg = 0 but wrong with reg > 0: the regularisation term is missing or wrong (loss reg·ΣW², gradient 2·reg·W)',
    );
  }
  for (const k of wrong) {
    const a = tensorOf(f[k]),
      b = tensorOf(r[k]);
    if (!a || !b) continue;
    const d = diagnoseGradient(a.data, b.data, b.shape, { name: k });
    if (d && !notes.some((n) => n.endsWith(d.slice(k.length)))) notes.push(d);
  }
  return notes.length ? notes.slice(0, 3).join('; ') : null;
}
