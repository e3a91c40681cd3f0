/**
 * The bug-to-check table of docs/assignment1.md, measured: each wrong gradient of the gradient
 * checker's table (tests/fixtures/gradcheck/functions.ts), applied to the solution's SVM and softmax
 * losses, goes through
 *  - the public gradient checks as the notebooks run them (checkGradient, h = 1e-5, at reg = 0 and
 *    reg = REG_CHECK with weights ~1e-4·randn), on a synthetic dev set at the notebooks' scale,
 *  - the graded `*.grad_naive` and `*.grad_naive_reg` comparisons at the notebooks' inputs (same
 *    synthetic set, reg = 0 and REG_CHECK),
 *  - the real hidden tests `*.hidden_loss_naive` (grader/specs/assignment1/hiddenLinear.ts), judged
 *    by the grader's compare() with the spec's tolerance;
 * and the table must list exactly the checks and items that catch it. The example submissions'
 * bugs are checked against their stored reports (tests/fixtures/grader/reports).
 */
import * as fs from 'fs';
import * as path from 'path';
import { tf, useBackend } from '../../../kernel/runtime/tensor';
import * as runtime from '../../../kernel/runtime';
import { RandomGenerator } from '../../../kernel/runtime/random';
import { checkGradient } from '../../../kernel/runtime/gradcheck';
import { loadSpec } from '../../../grader/spec';
import { compare } from '../../../grader/compare';
import { testSeed } from '../../../grader/hidden';
import type { HiddenTest } from '../../../grader/hidden';
import type { StudentResult } from '../../../grader/types';
import * as svm from '../../../solutions/assignment1/cs231n/classifiers/linearSvm';
import * as softmax from '../../../solutions/assignment1/cs231n/classifiers/softmax';
import { tests as hiddenLinear } from '../../../grader/specs/assignment1/hiddenLinear';
import { TESTS_DIR } from '../../helpers/paths';

jest.setTimeout(300_000);

const REPO = path.resolve(TESTS_DIR, '..');
const SPEC = loadSpec(path.join(REPO, 'grader', 'specs', 'assignment1'));
const CHECKS = JSON.parse(
  fs.readFileSync(path.join(REPO, 'solutions', 'assignment1', 'checks.json'), 'utf8'),
) as Record<string, unknown>;
/** The regularisation strength of the notebooks' second gradient check and of `*.grad_naive_reg`. */
const REG_CHECK = 1e5;
type Loss = (W: tf.Tensor, X: tf.Tensor, y: tf.Tensor, reg: number) => [number, tf.Tensor2D];

/** The wrong gradients of the separation table, as bugs in a loss function (the loss itself stays right). */
const MUTANTS: Record<string, (loss: Loss, C: number) => Loss> = {
  'gradient scaled by 2': (loss) => (W, X, y, reg) => {
    const [l, g] = loss(W, X, y, reg);
    return [l, g.mul(2) as tf.Tensor2D];
  },
  "one row's sign flipped": (loss) => (W, X, y, reg) => {
    const [l, g] = loss(W, X, y, reg);
    const sign = tf.tidy(() =>
      tf
        .oneHot(tf.tensor1d([1], 'int32'), g.shape[0])
        .reshape([g.shape[0], 1])
        .mul(-2)
        .add(1),
    );
    return [l, g.mul(sign) as tf.Tensor2D];
  },
  'reg term missing': (loss) => (W, X, y, reg) => {
    const [l, g] = loss(W, X, y, reg);
    return [l, g.sub(W.mul(2 * reg)) as tf.Tensor2D];
  },
  '1/N missing': (loss) => (W, X, y, reg) => {
    const [l, g] = loss(W, X, y, reg);
    const N = X.shape[0];
    return [
      l,
      g
        .sub(W.mul(2 * reg))
        .mul(N)
        .add(W.mul(2 * reg)) as tf.Tensor2D,
    ];
  },
  'shifted index': (loss, C) => (W, X, y, reg) => {
    const [l] = loss(W, X, y, reg);
    const yShift = tf.tidy(() => tf.mod(tf.add(y, tf.scalar(1, 'int32')), tf.scalar(C, 'int32')));
    return [l, loss(W, X, yShift, reg)[1]];
  },
  'reg gradient halved': (loss) => (W, X, y, reg) => {
    const [l, g] = loss(W, X, y, reg);
    return [l, g.sub(W.mul(reg)) as tf.Tensor2D];
  },
};

const LOSSES = {
  svm: {
    naive: svm.svmLossNaive as Loss,
    vectorized: svm.svmLossVectorized as Loss,
    module: 'cs231n/classifiers/linearSvm',
  },
  softmax: {
    naive: softmax.softmaxLossNaive as Loss,
    vectorized: softmax.softmaxLossVectorized as Loss,
    module: 'cs231n/classifiers/softmax',
  },
};

/** A dev set at the notebooks' scale: mean-subtracted pixels (std ≈ 80), 10 classes, W0 = 1e-4·randn. */
function devSet() {
  const g = new RandomGenerator(5);
  const N = 40,
    D = 30,
    C = 10;
  return {
    X: g.randn([N, D], { std: 80 }),
    y: tf.cast(g.randint(0, C, [N]), 'int32'),
    W0: g.randn([D, C], { std: 1e-4 }),
    C,
  };
}

/** Which checks and graded items catch a loss function's bug (measured here, not claimed). */
async function caughtBy(group: 'svm' | 'softmax', mutant: (l: Loss, C: number) => Loss): Promise<string[]> {
  const { X, y, W0, C } = devSet();
  const right = LOSSES[group];
  const naive = mutant(right.naive, C);
  const caught: string[] = [];
  for (const [id, reg] of [
    [`${group}.gradcheck_passed`, 0],
    [`${group}.gradcheck_reg_passed`, REG_CHECK],
  ] as const) {
    const [, grad] = naive(W0, X, y, reg);
    const v = checkGradient((w) => right.naive(w, X, y, reg)[0], W0, grad, { h: 1e-5, maxChecks: 100 });
    if (!v.passed) caught.push(id);
  }
  for (const [id, reg] of [
    [`${group}.grad_naive`, 0],
    [`${group}.grad_naive_reg`, REG_CHECK],
  ] as const) {
    const item = SPEC.items.find((i) => i.id === id)!;
    const [, found] = naive(W0, X, y, reg);
    const [, expected] = right.naive(W0, X, y, reg);
    if (
      compare(
        runtime.encodeValue(found),
        runtime.encodeValue(expected),
        item.expect,
        item.tolerance,
        item.credit ?? 'all',
      ).fraction < 1
    )
      caught.push(item.id);
  }
  // The hidden tests themselves, with a mutated module loaded in place of the student's.
  for (const kind of ['naive', 'vectorized'] as const) {
    const id = `${group}.hidden_loss_${kind}`;
    const test = (hiddenLinear as HiddenTest[]).find((t) => t.id === id)!;
    const spec = SPEC.items.find((i) => i.id === id)!;
    const seed = testSeed(SPEC.hiddenSeed, id);
    const run = (fn: Loss) =>
      test.run({
        load: <T>() =>
          ({ svmLossNaive: fn, svmLossVectorized: fn, softmaxLossNaive: fn, softmaxLossVectorized: fn }) as T,
        runtime,
        rng: new RandomGenerator(seed),
        seed,
      });
    const got = runtime.encodeValue(await run(mutant(right[kind], 5)));
    const want = runtime.encodeValue(await run(right[kind]));
    if (compare(got, want, spec.expect, spec.tolerance, spec.credit ?? 'all', false).fraction < 1) caught.push(id);
  }
  tf.dispose([X, y, W0]);
  return caught;
}

/** The rows of the table between the audit markers: bug → [public checks, graded items]. */
function table(): Map<string, { publicChecks: string[]; graded: string[] }> {
  const md = fs.readFileSync(path.join(REPO, 'docs', 'assignment1.md'), 'utf8');
  const body = md.slice(md.indexOf('<!-- bug-to-check table -->'), md.indexOf('<!-- end bug-to-check table -->'));
  const rows = new Map<string, { publicChecks: string[]; graded: string[] }>();
  for (const line of body.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| bug'))) {
    const [bug, pub, graded] = line
      .split('|')
      .slice(1, 4)
      .map((c) => c.trim());
    const ids = (cell: string) => [...cell.matchAll(/`([a-z0-9_.]+)`/g)].map((m) => m[1]).sort();
    rows.set(bug.replace(/\*\*/g, ''), { publicChecks: ids(pub), graded: ids(graded) });
  }
  return rows;
}

beforeAll(async () => {
  await useBackend('cpu');
});

describe('docs/assignment1.md: which check catches which bug', () => {
  const rows = table();

  it('has a row for every wrong gradient of the separation table, for both losses, and for each example bug', () => {
    for (const g of ['SVM', 'softmax'])
      for (const m of Object.keys(MUTANTS)) expect([...rows.keys()]).toContain(`${g}: ${m}`);
    for (const b of [
      'partial: SVM gradient without the regularisation term',
      'partial: kNN vote ties go to the larger label',
      'broken: knn.ipynb is not JSON',
      'broken: features.ts throws when imported',
    ])
      expect([...rows.keys()]).toContain(b);
  });

  it('names only public checks that exist in checks.json and graded items of the spec', () => {
    for (const { publicChecks, graded } of rows.values()) {
      for (const c of publicChecks) expect(Object.keys(CHECKS)).toContain(c);
      for (const g of graded) expect(SPEC.items.map((i) => i.id)).toContain(g);
    }
  });

  for (const [group, label] of [
    ['svm', 'SVM'],
    ['softmax', 'softmax'],
  ] as const)
    for (const [name, mutant] of Object.entries(MUTANTS))
      it(`${label}: ${name} — the table lists exactly the checks and items that catch it`, async () => {
        const caught = (await caughtBy(group, mutant)).sort();
        const row = rows.get(`${label}: ${name}`) ?? { publicChecks: [], graded: [] };
        const listed = [...new Set([...row.publicChecks, ...row.graded])]
          .filter((id) => /gradcheck|grad_naive|hidden_loss/.test(id))
          .sort();
        expect(listed).toEqual(caught);
      });

  it('the example submissions lose exactly the graded items the table names (their stored reports)', () => {
    const report = (n: string) =>
      JSON.parse(
        fs.readFileSync(path.join(TESTS_DIR, 'fixtures', 'grader', 'reports', `${n}.json`), 'utf8'),
      ) as StudentResult;
    const lostIn = (r: StudentResult, group: string) =>
      r.items
        .filter((i) => i.group === group && !i.pendingManual && i.points < i.maxPoints)
        .map((i) => i.id)
        .sort();
    expect(rows.get('partial: SVM gradient without the regularisation term')!.graded).toEqual(
      lostIn(report('partial'), 'svm'),
    );
    expect(rows.get('partial: kNN vote ties go to the larger label')!.graded).toEqual(lostIn(report('partial'), 'knn'));
    expect(rows.get('broken: knn.ipynb is not JSON')!.graded).toEqual(lostIn(report('broken'), 'knn'));
    expect(rows.get('broken: features.ts throws when imported')!.graded).toEqual(lostIn(report('broken'), 'features'));
  });
});
