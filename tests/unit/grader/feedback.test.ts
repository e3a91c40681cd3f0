/**
 * What people read: root causes ("what to fix first"), feedback.html and the Gradescope summary,
 * built from stored results (tests/fixtures/grader/reports: the demo's `broken` and `partial`
 * examples as graded) and fabricated ones — no grading run.
 */
import * as fs from 'fs';
import * as path from 'path';
import { rootCauses, firstCauseLine, locationOf } from '../../../grader/report/causes';
import { feedbackHtml } from '../../../grader/report/html';
import { tidyNumbers } from '../../../grader/report/text';
import { formatNumber } from '../../../kernel/protocol';
import { scoreItems, totals } from '../../../grader/score';
import { loadSpec } from '../../../grader/spec';
import type { Reference, RunOutput, Spec, StudentResult, Submission } from '../../../grader/types';
import { TESTS_DIR } from '../../helpers/paths';

const A1 = loadSpec(path.resolve(TESTS_DIR, '..', 'grader', 'specs', 'assignment1'));
const stored = (name: string): StudentResult =>
  JSON.parse(fs.readFileSync(path.join(TESTS_DIR, 'fixtures', 'grader', 'reports', `${name}.json`), 'utf8'));
const BROKEN = stored('broken');
const PARTIAL = stored('partial');
/** The text of a page without tags, tracebacks or collapsed blocks' markup. */
const text = (html: string) =>
  html
    .replace(/<style>[\s\S]*?<\/style>|<pre>[\s\S]*?<\/pre>/g, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');

describe('what to fix first', () => {
  const causes = rootCauses(BROKEN);

  it('the broken example: two root causes, each once, in order, with file and line, before their consequences', () => {
    expect(causes.map((c) => c.title)).toEqual([
      'knn.ipynb is not a valid notebook: not valid JSON: Unterminated string in JSON at position 8769',
      'Error: features.ts is being rewritten: do not import it yet',
    ]);
    expect(causes[0]).toMatchObject({
      points: 13,
      items: expect.arrayContaining(['knn.dists_two_loops', 'knn.test_accuracy_best_k']),
    });
    expect(causes[0].items).toHaveLength(8);
    expect(causes[1]).toMatchObject({
      where: 'cs231n/features.ts:3, raised in features.ipynb cell 2 and 2 hidden tests',
      points: 10,
    });
    expect(causes[1].items).toEqual(
      expect.arrayContaining([
        'features.hog_shape',
        'features.net_test_accuracy',
        'features.hidden_hog',
        'features.hidden_color_hist',
      ]),
    );
    // The knock-on errors are consequences of the import error, not causes of their own.
    expect(causes[1].consequences).toContain('features.ipynb cell 6: TypeError: exports.hogFeature is not a function');
    expect(causes[1].consequences).toContain('features.ipynb cell 16: TypeError: exports.tryStep is not a function');
  });

  it('the terminal line is the first root cause, whole', () => {
    expect(firstCauseLine(BROKEN)).toBe(
      'knn.ipynb is not a valid notebook: not valid JSON: Unterminated string in JSON at position 8769',
    );
  });

  it('a .ts file that does not compile is located from the compiler message; not-implemented functions are one cause each', () => {
    const err = {
      where: 'svm.ipynb cell 3',
      ename: 'TSError',
      evalue:
        "/tmp/ts231n-grade-x/students/ab/a/cs231n/classifiers/linearSvm.ts:12:5: Type 'string' is not assignable to type 'number'. (TS2322)",
      traceback: [],
    };
    expect(locationOf(err)).toBe('cs231n/classifiers/linearSvm.ts:12');
    const later = {
      where: 'svm.ipynb cell 5',
      ename: 'TypeError',
      evalue: 'svmLossNaive is not a function',
      traceback: [],
    };
    const r: StudentResult = {
      ...PARTIAL,
      items: [
        {
          id: 'svm.loss_naive',
          title: 'naive loss',
          group: 'svm',
          kind: 'record',
          points: 0,
          maxPoints: 2,
          reason: 'not recorded',
          studentError: later,
        },
        {
          id: 'softmax.loss_naive',
          title: 'softmax loss',
          group: 'softmax',
          kind: 'record',
          points: 0,
          maxPoints: 2,
          reason: 'not implemented yet: softmaxLossNaive in cs231n/classifiers/softmax.ts',
        },
        {
          id: 'softmax.grad_naive',
          title: 'softmax grad',
          group: 'softmax',
          kind: 'record',
          points: 0,
          maxPoints: 2,
          reason: 'not implemented yet: softmaxLossNaive in cs231n/classifiers/softmax.ts',
        },
      ],
      tasks: [{ task: 'notebook:svm.ipynb', status: 'error', errors: [err, later] }],
    };
    const c = rootCauses(r);
    expect(c.map((x) => [x.title.slice(0, 40), x.where, x.items])).toEqual([
      [
        'TSError: /tmp/ts231n-grade-x/students/ab',
        'cs231n/classifiers/linearSvm.ts:12, raised in svm.ipynb cell 3',
        ['svm.loss_naive'],
      ],
      [
        'not implemented yet: softmaxLossNaive in',
        'cs231n/classifiers/softmax.ts',
        ['softmax.loss_naive', 'softmax.grad_naive'],
      ],
    ]);
  });
});

describe('numbers for people', () => {
  it('float noise becomes a sensible precision; identifiers and short numbers stay', () => {
    expect(tidyNumbers('found 0.7300000190734863, expected 0.6800000071525574')).toBe('found 0.73, expected 0.68');
    expect(tidyNumbers('features.ipynb cell 12 (cs231n/features.ts:3), k = 5, 7.2096123e+7')).toBe(
      'features.ipynb cell 12 (cs231n/features.ts:3), k = 5, 7.21e+7',
    );
    expect(formatNumber(0.9 * 0.635)).toBe('0.5715');
  });

  it('thresholds are numbers, and a value computed from another that is off says to fix that first', () => {
    const spec: Spec = {
      assignment: 't',
      title: 'T',
      notebooks: ['a.ipynb'],
      modules: [],
      hiddenTests: [],
      hiddenSeed: 1,
      groups: [{ id: 'g', title: 'G', points: 3 }],
      items: [
        { id: 'g.best_k', title: 'best k', group: 'g', points: 1, kind: 'record', notebook: 'a.ipynb' },
        {
          id: 'g.acc',
          title: 'accuracy with the best k',
          group: 'g',
          points: 1,
          kind: 'record',
          notebook: 'a.ipynb',
          expect: { kind: 'atLeast', fraction: 0.9 },
          dependsOn: ['g.best_k'],
        },
        { id: 'g.grad', title: 'gradient', group: 'g', points: 1, kind: 'record', notebook: 'a.ipynb' },
      ],
    };
    const ref: Reference = {
      key: 'k',
      configuration: 'quick',
      hidden: {},
      records: {
        'g.best_k': 10,
        'g.acc': 0.635,
        'g.grad': { $tensor: { dtype: 'float32', shape: [2, 2], data: [1, 2, 3, 4] } },
      },
    };
    const run: RunOutput = {
      records: {
        'g.best_k': 8,
        'g.acc': 0.52,
        'g.grad': { $tensor: { dtype: 'float32', shape: [2, 2], data: [2, 4, 6, 8] } },
      },
      recordedAt: {},
      hidden: {},
      tasks: [],
      sandboxNotes: [],
      wallSeconds: 1,
    };
    const sub: Submission = { student: 's', source: '/s', hash: 'a'.repeat(64), root: '/s', missing: [] };
    const items = scoreItems(spec, sub, [], run, ref);
    const acc = items.find((i) => i.id === 'g.acc')!;
    expect(acc.expected).toBe("at least 0.5715 (90% of the reference's 0.635)");
    expect(acc.reason).toBe("0.52 is below 0.5715 (90% of the reference's 0.635)");
    expect(acc.note).toBe(
      'this value depends on g.best_k, which also loses points: fix that first; this one may then match the reference',
    );
    expect(items.find((i) => i.id === 'g.grad')!.diagnosis).toBe(
      'dW is off by a factor of 2 everywhere: a missing ½ or a doubled term?',
    );
    expect(items.find((i) => i.id === 'g.best_k')!.reason).toBe('found 8, expected 10 (allowed difference 0.0101)');
    const r: StudentResult = { ...PARTIAL, student: 's', items, ...totals(items) };
    const page = text(feedbackHtml(r, spec));
    expect(page).toContain('Looks like: dW is off by a factor of 2 everywhere');
    expect(page).not.toMatch(/\d ×/); // no "0.9 × 0.635"
  });
});

describe('feedback.html', () => {
  const broken = feedbackHtml(BROKEN, A1);
  const partial = feedbackHtml(PARTIAL, A1);

  it("opens with the total and each part's subtotal", () => {
    expect(text(broken)).toMatch(/77 \/ 100\s+k-nearest neighbour\s+7 \/ 20\s+Multiclass SVM\s+25 \/ 25/);
    expect(text(partial)).toContain(`${PARTIAL.total} / 100`);
  });

  it('says what to fix first before the items, each root cause once; the items point to it instead of repeating it', () => {
    const fixAt = broken.indexOf('What to fix first');
    expect(fixAt).toBeGreaterThan(0);
    expect(fixAt).toBeLessThan(broken.indexOf('id="part-knn"'));
    expect(text(broken).split('Unterminated string in JSON at position 8769')).toHaveLength(2);
    expect(text(broken).split('exports.hogFeature is not a function')).toHaveLength(2);
    expect(text(broken)).toContain('cs231n/features.ts:3, raised in features.ipynb cell 2 and 2 hidden tests');
    expect(broken.match(/Lost to <a href="#cause-1">fix first #1<\/a>/g)).toHaveLength(8);
  });

  it('no float noise, no reason cut mid-sentence, long values collapsed', () => {
    expect(text(partial)).not.toMatch(/\d\.\d{7,}/);
    expect(text(partial)).toContain('found 0.73, expected 0.68');
    // The cross-validation reason has a clause per wrong k (9): two shown, seven collapsed, none lost.
    expect(partial).toMatch(/<summary>7 more<\/summary>/);
    expect(text(partial)).toContain('100: 2 of 5 values outside tolerance');
    expect(partial).toMatch(/<details class="kv"><summary><span class="k">found<\/span> <code>\{reg0_loss: 4\.007/);
  });

  it('hidden tests never show expected values; inline questions are listed as graded by hand', () => {
    expect(text(partial)).toContain('Hidden test: its inputs and expected values are not shown.');
    const withManual = {
      ...PARTIAL,
      items: [
        ...PARTIAL.items.filter((i) => !i.pendingManual),
        ...A1.items
          .filter((i) => i.kind === 'manual')
          .map((i) => ({
            id: i.id,
            title: i.title,
            group: i.group,
            kind: i.kind,
            points: 0,
            maxPoints: i.points,
            reason: 'graded by hand',
            pendingManual: true,
          })),
      ],
    };
    const page = text(feedbackHtml(withManual, A1));
    expect(page).toMatch(/Graded by hand\s+10 points, not in the total above/);
    expect(page).toContain('knn.ipynb Inline question 1: bright rows and columns of the distance matrix');
  });
});
