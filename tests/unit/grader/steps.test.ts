/**
 * The grader's pipeline steps, each alone: spec, intake (safe unzip), validate, compare, score,
 * reports. No child processes here; see grader.sandbox.test.ts for the sandboxed runs.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadSpec } from '../../../grader/spec';
import { SpecError } from '../../../grader/errors';
import { intake, safeUnzip, unsafeEntryName, DEFAULT_LIMITS } from '../../../grader/intake';
import { validateNotebook } from '../../../grader/validate';
import { compare, redact } from '../../../grader/compare';
import { scoreItems, totals } from '../../../grader/score';
import {
  gradebookCsv,
  canvasCsv,
  csvCell,
  junitXml,
  feedbackHtml,
  reportJson,
  gradescopeResults,
  summarize,
} from '../../../grader/report';
import { compileHiddenTests, hiddenTestIds } from '../../../grader/hidden';
import type { Reference, RunOutput, StudentResult, Submission } from '../../../grader/types';
import { permissionFlags, sandboxPackages } from '../../../grader/run';
import { zipOf } from '../../helpers/zip';
import { TESTS_DIR } from '../../helpers/paths';
import { MINI } from '../../helpers/miniGrader';

const spec = loadSpec(path.join(MINI, 'spec'));
let tmp: string;
beforeEach(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'grader-steps-'))));
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** yazl refuses unsafe names, so write a same-length safe name and patch the bytes (local + central headers). */
async function zipWithRawName(safe: string, unsafe: string): Promise<Buffer> {
  expect(safe.length).toBe(unsafe.length);
  const buf = await zipOf({ [safe]: 'pwned' });
  return Buffer.from(buf.toString('latin1').split(safe).join(unsafe), 'latin1');
}

describe('spec', () => {
  it('loads the mini spec and checks that group points add up', () => {
    expect(spec.items.length).toBe(10);
    const bad = path.join(tmp, 'spec');
    fs.mkdirSync(bad);
    const raw = JSON.parse(fs.readFileSync(path.join(MINI, 'spec', 'spec.json'), 'utf8'));
    raw.items[0].points = 5;
    fs.writeFileSync(path.join(bad, 'spec.json'), JSON.stringify(raw));
    fs.copyFileSync(path.join(MINI, 'spec', 'hidden.ts'), path.join(bad, 'hidden.ts'));
    expect(() => loadSpec(bad)).toThrow(/items of group ops add up to 9 points, the group has 6/);
  });

  it('rejects a spec that fails its schema with the validator message', () => {
    const bad = path.join(tmp, 'spec');
    fs.mkdirSync(bad);
    fs.writeFileSync(
      path.join(bad, 'spec.json'),
      JSON.stringify({
        assignment: 'x',
        title: 'x',
        notebooks: [],
        modules: [],
        hiddenTests: [],
        hiddenSeed: 1,
        groups: [{ id: 'g', title: 'g', points: 1 }],
        items: [{ id: 'a', title: 'a', group: 'g', points: 1, kind: 'magic' }],
      }),
    );
    expect(() => loadSpec(bad)).toThrow(SpecError);
    expect(() => loadSpec(bad)).toThrow(/\/items\/0\/kind must be equal to one of the allowed values/);
  });

  it('finds which hidden file defines each hidden id', () => {
    const ids = hiddenTestIds(compileHiddenTests(path.join(MINI, 'spec'), spec));
    expect([...ids.keys()].sort()).toEqual([
      'mini.hidden_empty_class',
      'mini.hidden_sum_rows',
      'mini.hidden_topk_ties',
    ]);
  });
});

describe('intake', () => {
  it('refuses unsafe zip entry names', () => {
    expect(unsafeEntryName('../x')).toMatch(/"\.\."/);
    expect(unsafeEntryName('/etc/passwd')).toMatch(/absolute/);
    expect(unsafeEntryName('a/../../x')).toMatch(/"\.\."/);
    expect(unsafeEntryName('lib/ops.ts')).toBeNull();
  });

  it('scores a zip with ../ entries as invalid (zip slip) and writes nothing outside', async () => {
    const zip = path.join(tmp, 'slip.zip');
    fs.writeFileSync(zip, await zipWithRawName('aa/evil.txt', '../evil.txt'));
    const dest = path.join(tmp, 'ws', 'a');
    const sub = await intake(zip, dest, spec);
    expect(sub.invalid).toMatch(/zip slip/);
    expect(sub.root).toBeNull();
    expect(fs.existsSync(path.join(tmp, 'ws', 'evil.txt'))).toBe(false);
  });

  it('scores a zip bomb as invalid by its uncompressed size', async () => {
    const zip = path.join(tmp, 'bomb.zip');
    fs.writeFileSync(zip, await zipOf({ 'ops.ipynb': Buffer.alloc(4 * 1024 * 1024) }));
    expect(fs.statSync(zip).size).toBeLessThan(64 * 1024);
    const sub = await intake(zip, path.join(tmp, 'ws'), spec, { ...DEFAULT_LIMITS, maxBytes: 1024 * 1024 });
    expect(sub.invalid).toMatch(/expands to more than 1048576 bytes \(zip bomb\?\)/);
  });

  it('scores a zip with too many files as invalid', async () => {
    const entries: Record<string, string> = {};
    for (let i = 0; i < 30; i++) entries[`f${i}.txt`] = 'x';
    const zip = path.join(tmp, 'many.zip');
    fs.writeFileSync(zip, await zipOf(entries));
    const sub = await intake(zip, path.join(tmp, 'ws'), spec, { maxFiles: 20, maxBytes: 1e9 });
    expect(sub.invalid).toMatch(/more than 20 files/);
  });

  it('unwraps a zip of a folder and lists missing files', async () => {
    const zip = path.join(tmp, 'wrapped.zip');
    fs.writeFileSync(zip, await zipOf({ 'mini/ops.ipynb': '{}', 'mini/lib/ops.ts': 'export {}' }));
    const dest = path.join(tmp, 'ws', 'a');
    const sub = await intake(zip, dest, spec);
    expect(sub.invalid).toBeUndefined();
    expect(fs.existsSync(path.join(dest, 'ops.ipynb'))).toBe(true);
    expect(sub.missing).toEqual(['stats.ipynb']);
    expect(sub.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('scores an empty submission as invalid', async () => {
    fs.mkdirSync(path.join(tmp, 'empty'));
    const sub = await intake(path.join(tmp, 'empty'), path.join(tmp, 'ws'), spec);
    expect(sub.invalid).toBe('the submission is empty');
  });

  it('gives the same hash to the same folder content and a different one after a change', async () => {
    const src = path.join(tmp, 'alice');
    fs.mkdirSync(path.join(src, 'lib'), { recursive: true });
    fs.writeFileSync(path.join(src, 'lib', 'ops.ts'), 'export const a = 1;');
    const a = await intake(src, path.join(tmp, 'w1'), spec);
    const b = await intake(src, path.join(tmp, 'w2'), spec);
    fs.writeFileSync(path.join(src, 'lib', 'ops.ts'), 'export const a = 2;');
    const c = await intake(src, path.join(tmp, 'w3'), spec);
    expect(a.hash).toBe(b.hash);
    expect(c.hash).not.toBe(a.hash);
  });

  it('safeUnzip rejects a file that is not a zip', async () => {
    const f = path.join(tmp, 'x.zip');
    fs.writeFileSync(f, 'not a zip');
    await expect(safeUnzip(f, path.join(tmp, 'out'), DEFAULT_LIMITS)).rejects.toThrow(/not a readable zip/);
  });
});

describe('validate', () => {
  const good = () => JSON.parse(fs.readFileSync(path.join(MINI, 'solution', 'ops.ipynb'), 'utf8'));

  it('accepts the fixture notebook', () => {
    fs.writeFileSync(path.join(tmp, 'a.ipynb'), JSON.stringify(good()));
    expect(validateNotebook(tmp, 'a.ipynb')).toEqual({ path: 'a.ipynb', ok: true, fixed: [] });
  });

  it('reports a notebook that is not JSON', () => {
    fs.writeFileSync(path.join(tmp, 'a.ipynb'), '{"cells": [');
    const r = validateNotebook(tmp, 'a.ipynb');
    expect(r.ok).toBe(false);
    expect(r.error).toMatch(/^not valid JSON: /);
  });

  it('reports a schema failure with the path of the problem', () => {
    const nb = good();
    nb.cells[1].cell_type = 'python';
    fs.writeFileSync(path.join(tmp, 'a.ipynb'), JSON.stringify(nb));
    const r = validateNotebook(tmp, 'a.ipynb');
    expect(r.ok).toBe(false);
    expect(r.error).toMatch(/^fails the nbformat v4.5 schema: \/cells\/1/);
  });

  it('adds missing cell ids and says so', () => {
    const nb = good();
    nb.nbformat_minor = 4;
    for (const c of nb.cells) delete c.id;
    const n = nb.cells.length;
    fs.writeFileSync(path.join(tmp, 'a.ipynb'), JSON.stringify(nb));
    const r = validateNotebook(tmp, 'a.ipynb');
    expect(r.ok).toBe(true);
    expect(r.fixed).toEqual([`added ${n} missing or duplicate cell ids`, 'upgraded nbformat 4.4 to 4.5']);
    const fixed = JSON.parse(fs.readFileSync(path.join(tmp, 'a.ipynb'), 'utf8'));
    expect(new Set(fixed.cells.map((c: { id: string }) => c.id)).size).toBe(n);
  });
});

describe('compare', () => {
  const t = (shape: number[], data: number[]) => ({ $tensor: { dtype: 'float32', shape, data } });

  it('gives full credit within tolerance and none outside', () => {
    expect(compare(t([2], [1, 2]), t([2], [1 + 1e-6, 2]), undefined, { atol: 1e-5 }).fraction).toBe(1);
    const c = compare(t([2], [1, 2.5]), t([2], [1, 2]), undefined, { atol: 1e-5 });
    expect(c.fraction).toBe(0);
    expect(c.reason).toMatch(/1 of 2 values outside tolerance/);
  });

  it('gives proportional credit by the fraction of values within tolerance', () => {
    expect(compare(t([4], [1, 2, 3, 9]), t([4], [1, 2, 3, 4]), undefined, {}, 'proportional').fraction).toBe(0.75);
  });

  it('reports a shape mismatch', () => {
    expect(compare(t([2, 2], [1, 2, 3, 4]), t([4], [1, 2, 3, 4])).reason).toBe('shape 2×2, expected 4');
  });

  it('treats NaN as wrong unless the reference is NaN', () => {
    expect(compare({ $num: 'NaN' }, 2.3).fraction).toBe(0);
    expect(compare(t([1], [{ $num: 'NaN' } as never]), t([1], [{ $num: 'NaN' } as never])).fraction).toBe(1);
  });

  it('handles ranges, atLeast and equals', () => {
    expect(compare(0.3, 0.35, { kind: 'range', min: 0.25, max: 1 }).fraction).toBe(1);
    expect(compare(0.2, 0.35, { kind: 'range', min: 0.25, max: 1 }).reason).toMatch(/outside \[0.25, 1\]/);
    expect(compare(0.3, 0.35, { kind: 'atLeast', fraction: 0.9 }).fraction).toBe(0);
    expect(compare(0.33, 0.35, { kind: 'atLeast', fraction: 0.9 }).fraction).toBe(1);
    expect(compare(false, true, { kind: 'equals', value: true }).fraction).toBe(0);
  });

  it('compares summaries of large tensors by aggregates and samples', () => {
    const s = (sum: number, sample: number[]) => ({
      $tensorSummary: { dtype: 'float32', shape: [100, 200], sum, sumSq: 10, min: -1, max: 1, sample },
    });
    const sample = Array.from({ length: 256 }, (_, i) => Math.sin(i));
    expect(compare(s(5, sample), s(5, sample)).fraction).toBe(1);
    expect(compare(s(50, sample), s(5, sample)).reason).toMatch(/^sum 50 vs expected 5/);
  });

  it('never reveals expected values of hidden items', () => {
    const c = compare(t([3], [1, 2, 3]), t([3], [1, 2, 7.25]), undefined, {}, 'all', false);
    expect(c.reason).not.toMatch(/7\.25/);
    expect(c.reason).toMatch(/1 of 3 values outside tolerance/);
    expect(redact('found [1], expected [2]')).not.toMatch(/\[2\]/);
  });
});

describe('score and reports', () => {
  const ref: Reference = {
    key: 'k',
    configuration: 'quick',
    records: {
      'mini.sum_rows': { $tensor: { dtype: 'float32', shape: [2], data: [1, 2] } },
      'mini.top2': [1, 2],
      'mini.mean_square': 0.9,
      'mini.means': 0,
      'mini.gradcheck_passed': true,
      'mini.accuracy': 0.75,
    },
    hidden: {
      'mini.hidden_sum_rows': { $tensor: { dtype: 'float32', shape: [1], data: [123.5] } },
      'mini.hidden_topk_ties': [
        [1, 2, 3, 5, 0],
        [0, 1],
      ],
      'mini.hidden_empty_class': 0,
    },
  };
  const sub: Submission = { student: 'bob', source: '/x/bob', hash: 'a'.repeat(64), root: '/tmp/x', missing: [] };
  const run: RunOutput = {
    records: {
      'mini.sum_rows': { $tensor: { dtype: 'float32', shape: [2], data: [1, 5] } },
      'mini.top2': [1, 2],
      'mini.mean_square': 0.9,
      'mini.gradcheck_passed': true,
      'mini.accuracy': 0.75,
    },
    recordedAt: {},
    hidden: {
      'mini.hidden_sum_rows': { value: { $tensor: { dtype: 'float32', shape: [1], data: [0] } } },
      'mini.hidden_topk_ties': {
        error: {
          where: 'hidden test mini.hidden_topk_ties (lib/ops.ts:20)',
          ename: 'TypeError',
          evalue: 'x is undefined',
          traceback: [],
        },
      },
      'mini.hidden_empty_class': { value: 0 },
    },
    tasks: [
      { task: 'notebook:ops.ipynb', status: 'ok', errors: [] },
      {
        task: 'notebook:stats.ipynb',
        status: 'error',
        errors: [
          {
            where: 'stats.ipynb cell 3',
            ename: 'ShapeError',
            evalue: 'bad shape',
            traceback: ['ShapeError: bad shape'],
          },
        ],
      },
    ],
    sandboxNotes: [],
    wallSeconds: 1,
  };
  const items = scoreItems(spec, sub, [], run, ref);
  const byId = Object.fromEntries(items.map((i) => [i.id, i]));
  const result: StudentResult = {
    student: 'bob',
    assignment: 'mini',
    submissionHash: sub.hash,
    configKey: 'c',
    configuration: { quick: true, cellTimeoutS: 5, notebookTimeoutS: 30, memoryMb: 1024 },
    gradedAt: new Date(0).toISOString(),
    ...totals(items),
    items,
    notebooks: [],
    tasks: run.tasks,
    missing: [],
    sandboxNotes: [],
    wallSeconds: 1,
  };

  it('scores each item with a reason for every lost point', () => {
    expect(byId['mini.sum_rows'].points).toBe(1); // proportional: 1 of 2 values right
    expect(byId['mini.top2'].points).toBe(1);
    expect(byId['mini.means'].points).toBe(0);
    expect(byId['mini.means'].reason).toBe("not recorded: stats.ipynb raised an error before record('mini.means')");
    expect(byId['mini.means'].studentError?.where).toBe('stats.ipynb cell 3');
    expect(byId['mini.hidden_topk_ties'].reason).toBe('the hidden test raised TypeError: x is undefined');
    expect(byId['mini.explain'].pendingManual).toBe(true);
    for (const i of items) if (i.points < i.maxPoints) expect(i.reason).not.toBe('');
    expect(result.total).toBe(6);
    expect(result.maxTotal).toBe(10);
  });

  it('writes a gradebook: header, max-points row, a row per student with its status, one column per item', () => {
    const csv = gradebookCsv(
      spec,
      [result, { ...result, student: '=cmd()', total: 0 }, { ...result, student: 'inv', invalid: 'zip bomb' }],
      [{ student: 'crashed', error: 'x' }],
    )
      .trim()
      .split('\n');
    expect(csv[0]).toBe(['student', 'status', ...spec.items.map((i) => i.id), 'total'].join(','));
    // The max-points row: what full marks are in each column (manual items too), and the automatic total.
    expect(csv[1]).toBe(['(max points)', '', ...spec.items.map((i) => i.points), 10].join(','));
    const rows = Object.fromEntries(csv.slice(2).map((l) => [l.split(',')[0], l]));
    expect(rows["'=cmd()"]).toMatch(/^'=cmd\(\),graded,/); // a name cannot become a spreadsheet formula
    expect(rows.bob.split(',').length).toBe(spec.items.length + 3);
    expect(rows.bob).toMatch(/^bob,graded,.*,6$/);
    expect(rows.inv).toMatch(/^inv,invalid,/);
    expect(rows.crashed).toBe(['crashed', 'failed', ...spec.items.map(() => ''), ''].join(','));
  });

  it('guards every cell a spreadsheet would read as a formula, including a leading tab or carriage return', () => {
    for (const evil of ['=1+1', '+1', '-1', '@SUM(A1)', '\t=1+1', '\r=1+1']) expect(csvCell(evil)).toMatch(/^"?'/);
    expect(csvCell('\r=1')).toBe(`"'\r=1"`);
    expect(csvCell(-1.5)).toBe('-1.5'); // numbers stay numbers
    expect(csvCell('a,b')).toBe('"a,b"');
  });

  it('writes a Canvas gradebook import: its five identity columns, the assignment, a Points Possible row', () => {
    const csv = canvasCsv(spec, [result]).trim().split('\n');
    expect(csv).toEqual([
      'Student,ID,SIS User ID,SIS Login ID,Section,Mini assignment (grader test fixture)',
      'Points Possible,,,,,10',
      'bob,,,bob,,6',
    ]);
  });

  it('validates report.json against its schema', () => {
    expect(JSON.parse(reportJson(result)).total).toBe(6);
    expect(() => reportJson({ ...result, total: -1 })).toThrow(/report.schema.json/);
  });

  it('feedback shows found values and student errors but never hidden expected values', () => {
    const html = feedbackHtml(result, spec);
    expect(html).toContain('stats.ipynb cell 3');
    expect(html).toContain('ShapeError');
    expect(html).not.toContain('123.5'); // the hidden reference
    expect(html).toContain('Hidden test: its inputs and expected values are not shown.');
    const gs = JSON.stringify(gradescopeResults(result, spec));
    expect(gs).not.toContain('123.5');
  });

  it('writes JUnit XML with failures for lost points and a summary with a histogram', () => {
    const xml = junitXml('mini', [result]);
    expect(xml).toMatch(/<testsuite name="bob" tests="10" failures="4" skipped="1"/);
    const s = summarize('mini', [result, { ...result, total: 2 }, { ...result, total: 10 }], 'quick');
    expect(s).toMatchObject({ students: 3, mean: 6, median: 6, min: 2, max: 10 });
    expect(s.histogram.reduce((a, h) => a + h.count, 0)).toBe(3);
    expect(s.histogram[9].count).toBe(1);
  });
});

describe('collect', () => {
  it('names the not-implemented step that kept an id from being recorded: the last error before the cell where the solution records it', () => {
    const sub: Submission = { student: 's', source: '/x', hash: 'h', root: '/tmp/x', missing: [] };
    const ni = (cell: number, what: string) => ({
      where: `stats.ipynb cell ${cell}`,
      ename: 'NotImplementedError',
      evalue: `not implemented yet: ${what} in stats.ipynb`,
      traceback: [],
    });
    const run: RunOutput = {
      records: {},
      recordedAt: {},
      hidden: {},
      tasks: [{ task: 'notebook:stats.ipynb', status: 'error', errors: [ni(2, 'the means'), ni(4, 'the accuracy')] }],
      sandboxNotes: [],
      wallSeconds: 1,
    };
    const ref: Reference = {
      key: 'k',
      configuration: 'q',
      records: {},
      hidden: {},
      recordedAt: { 'mini.means': 'stats.ipynb cell 3', 'mini.accuracy': 'stats.ipynb cell 5' },
    };
    const items = Object.fromEntries(scoreItems(spec, sub, [], run, ref).map((i) => [i.id, i]));
    expect(items['mini.means'].reason).toBe(
      'not recorded: stats.ipynb cell 2 is not implemented yet: the means in stats.ipynb',
    );
    expect(items['mini.accuracy'].reason).toBe(
      'not recorded: stats.ipynb cell 4 is not implemented yet: the accuracy in stats.ipynb',
    );
    expect(items['mini.accuracy'].studentError?.where).toBe('stats.ipynb cell 4');
  });
});

describe('sandbox permissions', () => {
  const repoRoot = path.resolve(TESTS_DIR, '..');
  const flags = permissionFlags(
    { scratch: '/s', assignmentRoot: '/s/a1', runnerDir: '/r', repoRoot, readPaths: ['/usr/share/datasets'] },
    '/s/home',
  );

  it('grants one folder per flag (Node 20 mis-parses comma-separated lists)', () => {
    for (const f of flags.filter((x) => x.startsWith('--allow-fs')))
      expect(f).toMatch(/^--allow-fs-(read|write)=[^,]+\/\*$/);
  });

  it('never grants the scratch root, whose links lead into the repository', () => {
    expect(flags).not.toContain('--allow-fs-read=/s/*');
    expect(flags.filter((f) => f.startsWith('--allow-fs-write')).sort()).toEqual([
      '--allow-fs-write=/s/a1/*',
      '--allow-fs-write=/s/home/*',
    ]);
    expect(flags).toContain(`--allow-fs-read=${repoRoot}/kernel/*`);
    expect(flags).toContain('--allow-fs-read=/s/node_modules/ts231n/*');
    expect(
      flags.some(
        (f) =>
          f.includes(`${repoRoot}/solutions`) || f.includes(`${repoRoot}/grader`) || f.includes(`${repoRoot}/tests`),
      ),
    ).toBe(false);
  });

  it('the kit package a submission imports (node_modules/ts231n) leads into kernel/runtime only, never to the repository root', () => {
    expect(sandboxPackages(repoRoot)).toContain('ts231n');
    expect(fs.realpathSync(path.join(repoRoot, 'node_modules', 'ts231n'))).toBe(
      fs.realpathSync(path.join(repoRoot, 'kernel', 'runtime')),
    );
  });

  it('keeps the packages whose native code reaches past the sandbox unreadable', () => {
    const pkgs = sandboxPackages(repoRoot);
    expect(pkgs).toContain('@tensorflow/tfjs');
    expect(pkgs).not.toContain('zeromq');
    expect(pkgs.some((p) => p.startsWith('@tensorflow/tfjs-node'))).toBe(false);
    expect(flags.some((f) => /node_modules\/zeromq/.test(f))).toBe(false);
  });
});
