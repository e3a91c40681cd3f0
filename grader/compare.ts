/**
 * Compare: one found value against the expectation of its spec item.
 * Returns the fraction of credit earned (before the credit rule) and a one-line reason.
 */
import type { Encoded, Expectation, Tolerance, CreditRule } from './types';
import { formatNumber, summarize, type TensorSummaryRecord } from '../kernel/protocol';
import { numeric, describe, type TensorData } from './value';

export interface Comparison {
  /** 1 = full credit, 0 = none; `proportional` items may land in between. */
  fraction: number;
  /** Empty when fraction is 1. */
  reason: string;
}

export const DEFAULT_TOLERANCE: Required<Tolerance> = { atol: 1e-4, rtol: 1e-3 };

function close(a: number, b: number, tol: Required<Tolerance>): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
  if (!Number.isFinite(b)) return a === b;
  return Math.abs(a - b) <= tol.atol + tol.rtol * Math.abs(b);
}

function shapeText(s: number[]): string {
  return s.length ? s.join('×') : 'scalar';
}

function compareFull(exp: TensorData, got: TensorData, tol: Required<Tolerance>, rule: CreditRule): Comparison {
  if (exp.shape.join(',') !== got.shape.join(','))
    return { fraction: 0, reason: `shape ${shapeText(got.shape)}, expected ${shapeText(exp.shape)}` };
  let ok = 0,
    worst = -1,
    worstErr = 0;
  for (let i = 0; i < exp.data.length; i++) {
    if (close(got.data[i], exp.data[i], tol)) ok++;
    else {
      const err = Number.isNaN(got.data[i] - exp.data[i]) ? Infinity : Math.abs(got.data[i] - exp.data[i]);
      if (worst < 0 || err > worstErr) ((worst = i), (worstErr = err));
    }
  }
  const n = exp.data.length;
  if (ok === n) return { fraction: 1, reason: '' };
  if (n === 1)
    return {
      fraction: 0,
      reason: `found ${formatNumber(got.data[0])}, expected ${formatNumber(exp.data[0])} (allowed difference ${formatNumber(tol.atol + tol.rtol * Math.abs(exp.data[0]))})`,
    };
  const where = exp.shape.length
    ? ` (worst at flat index ${worst}: found ${formatNumber(got.data[worst])}, expected ${formatNumber(exp.data[worst])})`
    : '';
  const fraction = rule === 'proportional' ? ok / n : 0;
  return {
    fraction,
    reason: `${n - ok} of ${n} values outside tolerance (atol ${tol.atol}, rtol ${tol.rtol})${where}`,
  };
}

function compareSummary(
  exp: TensorSummaryRecord,
  got: TensorSummaryRecord | TensorData,
  tol: Required<Tolerance>,
  rule: CreditRule,
): Comparison {
  // A full value is summarised exactly as the recorder summarises a large tensor (kernel/protocol/summary.ts).
  const g = 'sample' in got ? got : summarize(got.dtype, got.shape, got.data);
  if (exp.shape.join(',') !== g.shape.join(','))
    return { fraction: 0, reason: `shape ${shapeText(g.shape)}, expected ${shapeText(exp.shape)}` };
  const n = exp.shape.reduce((a, b) => a * b, 1);
  // Aggregates of n float32 values carry n-fold rounding: scale the absolute tolerance by n.
  const aggTol = { atol: tol.atol * n, rtol: tol.rtol };
  const aggregates: Array<[string, number, number]> = [
    ['sum', g.sum, exp.sum],
    ['sum of squares', g.sumSq, exp.sumSq],
    ['min', g.min, exp.min],
    ['max', g.max, exp.max],
  ];
  const bad = aggregates.filter(([name, a, b]) => !close(a, b, name === 'min' || name === 'max' ? tol : aggTol));
  let ok = 0;
  for (let i = 0; i < exp.sample.length; i++) if (close(g.sample[i], exp.sample[i], tol)) ok++;
  if (!bad.length && ok === exp.sample.length) return { fraction: 1, reason: '' };
  const parts = bad.map(([name, a, b]) => `${name} ${formatNumber(a)} vs expected ${formatNumber(b)}`);
  if (ok < exp.sample.length)
    parts.push(`${exp.sample.length - ok} of ${exp.sample.length} sampled values outside tolerance`);
  const fraction = rule === 'proportional' && !bad.length ? ok / exp.sample.length : 0;
  return { fraction, reason: parts.join('; ') };
}

function deepEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function scalarOf(v: Encoded): number | null {
  const n = numeric(v);
  if (n && 'full' in n && n.full.data.length === 1) return n.full.data[0];
  if (typeof v === 'boolean') return v ? 1 : 0;
  return null;
}

/** Judge `found` (from the submission) against `reference` (from the solution) under the item's expectation. */
export function compare(
  found: Encoded,
  reference: Encoded,
  expect: Expectation = { kind: 'reference' },
  tolerance: Tolerance = {},
  rule: CreditRule = 'all',
  reveal = true,
): Comparison {
  const c = compareRaw(found, reference, expect, tolerance, rule);
  return reveal ? c : { fraction: c.fraction, reason: redact(c.reason) };
}

/** Hidden tests never reveal their expected values: keep what was found, drop what was expected (whole clauses, never half a sentence). */
export function redact(reason: string): string {
  return reason
    .replace(
      /\(worst at flat index (\d+): found ([^,]+), expected [^)]*\)/g,
      '(largest error at flat index $1: found $2)',
    )
    .replace(/ vs expected [^;]*/g, ' is off')
    .replace(/,? ?expected (?!a |an )[^;]*/g, '')
    .trim();
}

function compareRaw(
  found: Encoded,
  reference: Encoded,
  expect: Expectation,
  tolerance: Tolerance,
  rule: CreditRule,
): Comparison {
  const tol = { ...DEFAULT_TOLERANCE, ...tolerance };
  if (expect.kind === 'equals')
    return deepEqual(found, expect.value)
      ? { fraction: 1, reason: '' }
      : { fraction: 0, reason: `found ${describe(found)}, expected ${describe(expect.value as Encoded)}` };
  if (expect.kind === 'range' || expect.kind === 'atLeast') {
    const x = scalarOf(found);
    if (x === null || Number.isNaN(x)) return { fraction: 0, reason: `expected a number, found ${describe(found)}` };
    const min = expect.kind === 'range' ? expect.min : expect.fraction * (scalarOf(reference) ?? NaN);
    const max = expect.kind === 'range' ? expect.max : Infinity;
    if (Number.isNaN(min)) return { fraction: 0, reason: 'the reference value is missing' };
    if (x >= min && x <= max) return { fraction: 1, reason: '' };
    if (expect.kind === 'atLeast')
      return {
        fraction: 0,
        reason: `${formatNumber(x)} is below ${formatNumber(min)} (${Math.round(expect.fraction * 100)}% of the reference's ${formatNumber(scalarOf(reference)!)})`,
      };
    return { fraction: 0, reason: `${formatNumber(x)} is outside [${formatNumber(min)}, ${formatNumber(max)}]` };
  }
  const e = numeric(reference);
  const g = numeric(found);
  if (e && !g) return { fraction: 0, reason: `expected a number or tensor, found ${describe(found)}` };
  if (e && g) {
    if ('summary' in e) return compareSummary(e.summary, 'summary' in g ? g.summary : g.full, tol, rule);
    if ('summary' in g)
      return { fraction: 0, reason: `shape ${shapeText(g.summary.shape)}, expected ${shapeText(e.full.shape)}` };
    return compareFull(e.full, g.full, tol, rule);
  }
  if (
    reference &&
    typeof reference === 'object' &&
    !Array.isArray(reference) &&
    found &&
    typeof found === 'object' &&
    !Array.isArray(found)
  ) {
    const keys = Object.keys(reference as object);
    const parts: string[] = [];
    let sum = 0;
    for (const k of keys) {
      const c = compareRaw(
        (found as Record<string, Encoded>)[k],
        (reference as Record<string, Encoded>)[k],
        { kind: 'reference' },
        tolerance,
        rule,
      );
      sum += c.fraction;
      if (c.reason) parts.push(`${k}: ${c.reason}`);
    }
    const fraction = keys.length ? sum / keys.length : 1;
    return { fraction: rule === 'proportional' ? fraction : fraction === 1 ? 1 : 0, reason: parts.join('; ') };
  }
  return deepEqual(found, reference)
    ? { fraction: 1, reason: '' }
    : { fraction: 0, reason: `found ${describe(found)}, expected ${describe(reference)}` };
}
