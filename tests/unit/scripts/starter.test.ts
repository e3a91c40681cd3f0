/**
 * The starter generator: solution markers → fenced TODOs, notebooks cleaned, the committed
 * assignments/ equal to what the generator produces, the starter type-checks, and every starter
 * function throws NotImplementedError naming itself.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { spawnSync } from 'child_process';
import * as ts from 'typescript';
import {
  diffStarter,
  generateStarter,
  isClean,
  listAssignments,
  writeStarter,
  StarterError,
} from '../../../scripts/starter/build';
import {
  parseCodeMarkers,
  replaceMarkdownAnswers,
  MarkerSyntaxError,
  YOUR_ANSWER,
} from '../../../scripts/starter/markers';
import { transformNotebook, transformTypeScript, FileContext } from '../../../scripts/starter/transform';
import { enclosingFunctionName } from '../../../scripts/starter/names';
import { tf, ready, isNotImplementedError } from '../../../kernel/runtime';
import { TESTS_DIR } from '../../helpers/paths';

const REPO = path.resolve(TESTS_DIR, '..');
const ctx: FileContext = { sourcePath: 'solutions/a/cs231n/x.ts', relPath: 'cs231n/x.ts' };

function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error, got none');
}

describe('solution markers', () => {
  it('a block becomes a fenced TODO with its instructions and a throw naming the function and file', () => {
    const src = [
      "import { tf } from 'ts231n';",
      '',
      'export function svmLossNaive(W: number): number {',
      '  let loss = 0;',
      '  // BEGIN SOLUTION: add every margin to loss.',
      '  // Second instruction line.',
      '  loss = W * 2; // secret',
      '  // a comment inside the solution',
      '  // END SOLUTION',
      '  return loss;',
      '}',
      '',
    ].join('\n');
    const out = transformTypeScript(src, ctx);
    expect(out).not.toContain('secret');
    expect(out).not.toContain('a comment inside the solution');
    expect(out).not.toMatch(/SOLUTION/);
    expect(out).toContain("import { tf, notImplemented } from 'ts231n';");
    expect(out).toContain('  // TODO: add every margin to loss.\n  // Second instruction line.\n');
    expect(out).toContain("  throw notImplemented('svmLossNaive', 'cs231n/x.ts');\n");
    expect(out).toContain('  return loss;\n}');
    // Fences at the block's indentation.
    expect(out).toMatch(/\n {2}\/\/ ==== YOUR CODE =+\n/);
    expect(out).toMatch(/\n {2}\/\/ ==== END OF YOUR CODE =+\n/);
  });

  it('names methods Class.method, constructors "new Class", and looks through anonymous callbacks', () => {
    const src = [
      'class Net {',
      '  constructor() {',
      '    // BEGIN SOLUTION: a',
      '    // END SOLUTION',
      '  }',
      '  loss(): number {',
      '    return tidy(() => {',
      '      // BEGIN SOLUTION: b',
      '      // END SOLUTION',
      '      return 1;',
      '    });',
      '  }',
      '}',
      'const helper = (x: number) => {',
      '  // BEGIN SOLUTION: c',
      '  // END SOLUTION',
      '};',
      'declare function tidy<T>(f: () => T): T;',
    ].join('\n');
    const source = ts.createSourceFile('x.ts', src, ts.ScriptTarget.Latest, true);
    const blocks = parseCodeMarkers(src);
    expect(blocks.map((b) => enclosingFunctionName(source, b.begin))).toEqual(['new Net', 'Net.loss', 'helper']);
    const out = transformTypeScript(src, ctx);
    // No runtime import to extend: a new import line is added at the top.
    expect(out.startsWith("import { notImplemented } from 'ts231n';\n")).toBe(true);
    expect(out.match(/throw notImplemented/g)).toHaveLength(3);
  });

  it.each([
    ['BEGIN without END', 'function f() {\n  // BEGIN SOLUTION: x\n  y();\n}\n', 2, /without a matching/],
    [
      'nested BEGIN',
      'function f() {\n  // BEGIN SOLUTION: x\n  // BEGIN SOLUTION: y\n  // END SOLUTION\n  // END SOLUTION\n}\n',
      3,
      /cannot nest/,
    ],
    ['END without BEGIN', 'function f() {\n  y();\n  // END SOLUTION\n}\n', 3, /END SOLUTION without a BEGIN/],
    [
      'no instructions',
      'function f() {\n  // BEGIN SOLUTION:\n  y();\n  // END SOLUTION\n}\n',
      2,
      /needs instructions/,
    ],
    ['no colon', 'function f() {\n  // BEGIN SOLUTION compute y\n  // END SOLUTION\n}\n', 2, /colon/],
    [
      'misspelt marker',
      'function f() {\n  // BEGIN SOLUTION: x\n  y();\n  //END_SOLUTION\n}\n',
      4,
      /malformed solution marker/,
    ],
    [
      'marker not alone on its line',
      'function f() {\n  y(); // BEGIN SOLUTION: x\n}\n',
      2,
      /malformed solution marker/,
    ],
    [
      'block outside a function',
      'const a = 1;\n// BEGIN SOLUTION: x\nconst b = 2;\n// END SOLUTION\n',
      2,
      /named function/,
    ],
  ])('%s is an error naming the file and line', (_, src, line, message) => {
    const e = errorOf(() => transformTypeScript(src, ctx));
    expect(e).toBeInstanceOf(StarterError);
    expect((e as StarterError).line).toBe(line);
    expect(e.message).toMatch(message);
    expect(e.message.startsWith(`solutions/a/cs231n/x.ts:${line}: `)).toBe(true);
  });

  it('markdown answers become "*Your answer:*"; unbalanced or nested ones are errors with a line', () => {
    expect(replaceMarkdownAnswers('Q?\n\n<!-- BEGIN SOLUTION -->\nsecret\nmore\n<!-- END SOLUTION -->\n\nnext')).toBe(
      `Q?\n\n${YOUR_ANSWER}\n\nnext`,
    );
    expect(
      replaceMarkdownAnswers(
        'a <!-- BEGIN SOLUTION -->x<!-- END SOLUTION --> b <!-- BEGIN SOLUTION -->y<!-- END SOLUTION -->',
      ),
    ).toBe(`a ${YOUR_ANSWER} b ${YOUR_ANSWER}`);
    const unclosed = errorOf(() => replaceMarkdownAnswers('a\n<!-- BEGIN SOLUTION -->\nx'));
    expect(unclosed).toBeInstanceOf(MarkerSyntaxError);
    expect((unclosed as MarkerSyntaxError).line).toBe(1);
    expect(
      errorOf(() => replaceMarkdownAnswers('<!-- BEGIN SOLUTION -->\n<!-- BEGIN SOLUTION -->\n<!-- END SOLUTION -->'))
        .message,
    ).toMatch(/cannot nest/);
    expect(errorOf(() => replaceMarkdownAnswers('x\n<!-- END SOLUTION -->')).message).toMatch(
      /without a <!-- BEGIN SOLUTION -->/,
    );
    expect(errorOf(() => replaceMarkdownAnswers('<!-- BEGIN SOLUTION-->x<!-- END SOLUTION -->')).message).toMatch(
      /malformed/,
    );
  });
});

describe('notebooks', () => {
  const nb = {
    cells: [
      { cell_type: 'markdown', id: 'intro', metadata: {}, source: ['# Title\n', 'Text'] },
      {
        cell_type: 'code',
        id: 'imports',
        metadata: { execution: { 'iopub.execute_input': '2026-01-01' }, tags: ['keep'] },
        execution_count: 3,
        outputs: [{ output_type: 'stream', name: 'stdout', text: ['hi\n'] }],
        source: "import { tf, record } from 'ts231n';\nconst a = 1;",
      },
      {
        cell_type: 'code',
        id: 'search',
        metadata: {},
        execution_count: 4,
        outputs: [{ output_type: 'execute_result', data: { 'text/plain': '0.9' }, metadata: {}, execution_count: 4 }],
        source: [
          'let best = 0;\n',
          '// BEGIN SOLUTION: random search over learning rates. Keep the best.\n',
          'best = 0.9; // secret\n',
          '// END SOLUTION\n',
          'record("x", best);',
        ],
      },
      {
        cell_type: 'markdown',
        id: 'q',
        metadata: {},
        source: 'Why?\n<!-- BEGIN SOLUTION -->\nBecause secret.\n<!-- END SOLUTION -->',
      },
    ],
    metadata: { kernelspec: { name: 'ts231n', display_name: 'TypeScript (ts231n)', language: 'typescript' } },
    nbformat: 4,
    nbformat_minor: 5,
  };
  const nbCtx: FileContext = { sourcePath: 'solutions/a/svm.ipynb', relPath: 'svm.ipynb' };

  it('a notebook loses its outputs and answers, keeps ids and metadata, and gets a throw per block', () => {
    const out = JSON.parse(transformNotebook(JSON.stringify(nb), nbCtx));
    const text = JSON.stringify(out);
    expect(text).not.toContain('secret');
    expect(text).not.toMatch(/SOLUTION/);
    expect(out.metadata).toEqual(nb.metadata);
    expect(out.nbformat).toBe(4);
    expect(out.cells.map((c: { id: string }) => c.id)).toEqual(['intro', 'imports', 'search', 'q']);
    for (const c of out.cells.filter((c: { cell_type: string }) => c.cell_type === 'code')) {
      expect(c.outputs).toEqual([]);
      expect(c.execution_count).toBeNull();
    }
    expect(out.cells[1].metadata).toEqual({ tags: ['keep'] });
    // notImplemented is added to the notebook's runtime import.
    expect(out.cells[1].source.join('')).toBe("import { tf, record, notImplemented } from 'ts231n';\nconst a = 1;");
    const search = out.cells[2].source.join('');
    expect(search).toContain('// TODO: random search over learning rates. Keep the best.\n');
    expect(search).toContain("throw notImplemented('random search over learning rates', 'svm.ipynb');\n");
    expect(search.endsWith('record("x", best);')).toBe(true);
    expect(out.cells[3].source.join('')).toBe(`Why?\n${YOUR_ANSWER}`);
    // Sources are nbformat line lists.
    expect(
      out.cells[2].source.every((l: string, i: number, a: string[]) => i === a.length - 1 || l.endsWith('\n')),
    ).toBe(true);
  });

  it('a malformed marker in a cell names the notebook, cell and line', () => {
    const bad = {
      ...nb,
      cells: [nb.cells[0], { ...nb.cells[2], source: ['let a = 1;\n', '// BEGIN SOLUTION: x\n', 'a = 2;\n'] }],
    };
    const e = errorOf(() => transformNotebook(JSON.stringify(bad), nbCtx));
    expect(e).toBeInstanceOf(StarterError);
    expect(e.message).toBe('solutions/a/svm.ipynb cell 2 line 2: BEGIN SOLUTION without a matching // END SOLUTION');
  });
});

describe('the committed starter', () => {
  it('assignments/ equals what the generator produces from solutions/ (run `npm run build:starter`)', () => {
    const assignments = listAssignments(REPO);
    expect(assignments).toContain('assignment1');
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'starter-'));
    try {
      for (const name of assignments) {
        const files = generateStarter(REPO, name);
        // Written to a temp dir, the generated tree is byte-identical to the committed one.
        writeStarter(files, path.join(tmp, name));
        expect(diffStarter(files, path.join(tmp, name))).toEqual({ missing: [], changed: [], extra: [] });
        const diff = diffStarter(files, path.join(REPO, 'assignments', name));
        expect({ name, ...diff }).toEqual({ name, missing: [], changed: [], extra: [] });
        for (const [rel, content] of files) {
          if (!/\.(ts|ipynb)$/.test(rel)) continue;
          expect({ rel, leaks: /(BEGIN|END)[ _]SOLUTION/.test(content.toString('utf8')) }).toEqual({
            rel,
            leaks: false,
          });
        }
      }
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('the starter has no notebook sources (*.nb.ts) and imports the kit only by its package name', () => {
    const files = generateStarter(REPO, 'assignment1');
    expect(fs.readdirSync(path.join(REPO, 'solutions', 'assignment1')).some((f) => f.endsWith('.nb.ts'))).toBe(true);
    expect([...files.keys()].filter((rel) => rel.endsWith('.nb.ts'))).toEqual([]);
    for (const [rel, content] of files) {
      if (!/\.(ts|ipynb)$/.test(rel)) continue;
      const text = content.toString('utf8');
      // Every import leaves the assignment folder only through 'ts231n' or 'ts231n/datasets'.
      const outside = [...text.matchAll(/from\s*\\?['"]([^'"\\]+)\\?['"]/g)]
        .map((m) => m[1])
        .filter((s) => !s.startsWith('./') && !s.startsWith('../'));
      const escapes = [...text.matchAll(/from\s*\\?['"](\.\.\/[^'"\\]+)/g)]
        .map((m) => path.posix.join(path.posix.dirname(rel), m[1]))
        .filter((p) => p.startsWith('..'));
      expect({ rel, outside: outside.filter((s) => s !== 'ts231n' && s !== 'ts231n/datasets'), escapes }).toEqual({
        rel,
        outside: [],
        escapes: [],
      });
    }
    expect(files.get('knn.ipynb')!.toString('utf8')).toContain("from 'ts231n/datasets'");
  });

  it('diffStarter reports changed, missing and stale files; writeStarter repairs them', () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'starter-'));
    try {
      const files = generateStarter(REPO, 'assignment1');
      writeStarter(files, tmp);
      const [first, second] = [...files.keys()];
      fs.appendFileSync(path.join(tmp, first), '\n// edited by hand\n');
      fs.rmSync(path.join(tmp, second));
      fs.mkdirSync(path.join(tmp, 'old'));
      fs.writeFileSync(path.join(tmp, 'old', 'stale.ts'), 'export {};\n');
      const diff = diffStarter(files, tmp);
      expect(diff).toEqual({ missing: [second], changed: [first], extra: ['old/stale.ts'] });
      expect(isClean(diff)).toBe(false);
      writeStarter(files, tmp);
      expect(isClean(diffStarter(files, tmp))).toBe(true);
      expect(fs.existsSync(path.join(tmp, 'old'))).toBe(false);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('`build:starter --check` passes on the committed tree and fails (exit 1) on a stale one', () => {
    const tsx = path.join(REPO, 'node_modules', '.bin', 'tsx');
    const ok = spawnSync(tsx, ['scripts/starter/cli.ts', '--check'], { cwd: REPO, encoding: 'utf8' });
    expect({ status: ok.status, stderr: ok.stderr }).toEqual({ status: 0, stderr: '' });
    expect(ok.stdout).toMatch(/assignment1: up to date/);
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'starter-'));
    try {
      const stale = spawnSync(tsx, ['scripts/starter/cli.ts', '--check', '--out', tmp, 'assignment1'], {
        cwd: REPO,
        encoding: 'utf8',
      });
      expect(stale.status).toBe(1);
      expect(stale.stderr).toMatch(/missing {2}cs231n\/classifiers\/linearSvm\.ts/);
      expect(stale.stderr).toMatch(/run `npm run build:starter`/);
      expect(fs.readdirSync(tmp)).toEqual([]); // --check writes nothing
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('the generated starter modules type-check', () => {
    const dir = path.join(REPO, 'assignments', 'assignment1');
    const files = fs
      .readdirSync(dir, { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.ts'))
      .map((f) => path.join(dir, f));
    expect(files.length).toBeGreaterThan(0);
    const config = ts.getParsedCommandLineOfConfigFile(
      path.join(REPO, 'tsconfig.json'),
      {},
      { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined },
    );
    if (!config) throw new Error('could not read tsconfig.json');
    const program = ts.createProgram(files, { ...config.options, noEmit: true });
    const diagnostics = ts
      .getPreEmitDiagnostics(program)
      .filter((d) => d.file && d.file.fileName.includes('/assignments/'))
      .map((d) => `${path.relative(REPO, d.file!.fileName)}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
    expect(diagnostics).toEqual([]);
  });
});

describe('every starter function throws NotImplementedError naming itself', () => {
  // Calls every TODO-bearing function of the starter with small valid inputs.
  const starter = (rel: string) => require(path.join(REPO, 'assignments', 'assignment1', rel));
  const knnMod = () => starter('cs231n/classifiers/kNearestNeighbor');
  const calls: Record<string, () => unknown> = {
    'KNearestNeighbor.computeDistancesTwoLoops': () => trainedKnn().computeDistancesTwoLoops(tf.ones([2, 3])),
    'KNearestNeighbor.computeDistancesOneLoop': () => trainedKnn().computeDistancesOneLoop(tf.ones([2, 3])),
    'KNearestNeighbor.computeDistancesNoLoops': () => trainedKnn().computeDistancesNoLoops(tf.ones([2, 3])),
    'KNearestNeighbor.predictLabels': () => trainedKnn().predictLabels(tf.ones([2, 4]), 1),
    svmLossNaive: () =>
      starter('cs231n/classifiers/linearSvm').svmLossNaive(tf.ones([3, 2]), tf.ones([4, 3]), tf.zeros([4], 'int32'), 0),
    svmLossVectorized: () =>
      starter('cs231n/classifiers/linearSvm').svmLossVectorized(
        tf.ones([3, 2]),
        tf.ones([4, 3]),
        tf.zeros([4], 'int32'),
        0,
      ),
    softmaxLossNaive: () =>
      starter('cs231n/classifiers/softmax').softmaxLossNaive(
        tf.ones([3, 2]),
        tf.ones([4, 3]),
        tf.zeros([4], 'int32'),
        0,
      ),
    softmaxLossVectorized: () =>
      starter('cs231n/classifiers/softmax').softmaxLossVectorized(
        tf.ones([3, 2]),
        tf.ones([4, 3]),
        tf.zeros([4], 'int32'),
        0,
      ),
    'LinearClassifier.train': () =>
      new (starter('cs231n/classifiers/linearClassifier').LinearSVM)().train(
        tf.ones([4, 3]),
        tf.tensor1d([0, 1, 0, 1], 'int32'),
      ),
    'LinearClassifier.predict': () => {
      const clf = new (starter('cs231n/classifiers/linearClassifier').Softmax)();
      clf.W = tf.ones([3, 2]);
      return clf.predict(tf.ones([4, 3]));
    },
    'TwoLayerNet.loss': () => new (starter('cs231n/classifiers/neuralNet').TwoLayerNet)(3, 4, 2).loss(tf.ones([2, 3])),
    'TwoLayerNet.train': () =>
      new (starter('cs231n/classifiers/neuralNet').TwoLayerNet)(3, 4, 2).train(
        tf.ones([2, 3]),
        tf.zeros([2], 'int32'),
        tf.ones([2, 3]),
        tf.zeros([2], 'int32'),
      ),
    'TwoLayerNet.predict': () =>
      new (starter('cs231n/classifiers/neuralNet').TwoLayerNet)(3, 4, 2).predict(tf.ones([2, 3])),
  };
  function trainedKnn() {
    const knn = new (knnMod().KNearestNeighbor)();
    knn.train(tf.ones([4, 3]), tf.tensor1d([0, 1, 2, 1], 'int32'));
    return knn;
  }

  /** (function, file) of every solution block in the solution's .ts files, found by the generator's own parser. */
  function todoFunctions(): Map<string, string> {
    const root = path.join(REPO, 'solutions', 'assignment1');
    const found = new Map<string, string>();
    const modules = fs
      .readdirSync(root, { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.nb.ts'));
    for (const rel of modules) {
      const text = fs.readFileSync(path.join(root, rel), 'utf8');
      const source = ts.createSourceFile(rel, text, ts.ScriptTarget.Latest, true);
      for (const b of parseCodeMarkers(text))
        found.set(enclosingFunctionName(source, b.begin) as string, rel.split(path.sep).join('/'));
    }
    return found;
  }

  beforeAll(async () => {
    await ready();
  });

  it('this test calls every function that has a TODO block', () => {
    expect(Object.keys(calls).sort()).toEqual([...todoFunctions().keys()].sort());
  });

  it.each(Object.keys(calls))('%s', (fn) => {
    const files = todoFunctions();
    const e = errorOf(() => tf.tidy(() => void calls[fn]()));
    expect(isNotImplementedError(e)).toBe(true);
    expect({ fn: (e as unknown as { fn: string }).fn, file: (e as unknown as { file: string }).file }).toEqual({
      fn,
      file: files.get(fn),
    });
    expect(e.message).toBe(`not implemented yet: ${fn} in ${files.get(fn)}`);
  });
});
