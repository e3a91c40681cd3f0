/**
 * kernel/engine: TypeScript cells with shared state, streams, display, results, errors that point
 * at the cell's line, re-import of an edited module, top-level await, interrupts, headless
 * notebooks — and a loud failure when tslab's internals are not the ones the engine was written for.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vm from 'vm';
import { spawnSync } from 'child_process';
import { validator } from '../../../grader/schema';
import {
  Engine,
  executeNotebook,
  executedNotebook,
  checkTslab,
  converterProblems,
  TSLAB_PINNED,
  type ExecuteHooks,
  type ExecuteReply,
  type MimeBundle,
} from '../../../kernel/engine';
import { createInterruptBoard, inSynchronousRun, interruptRequests, requestInterrupt } from '../../../kernel/protocol';
import { mainGlobal } from '../../../kernel/engine/mainContext';
import { TESTS_DIR } from '../../helpers/paths';

const ROOT = path.resolve(TESTS_DIR, '..');
const FIXTURES = path.join(TESTS_DIR, 'fixtures', 'engine');
const mainProcess = vm.runInThisContext('process') as NodeJS.Process;

interface Ran {
  reply: ExecuteReply;
  stdout: string;
  stderr: string;
  displays: Array<{ bundle: MimeBundle; options: unknown }>;
}

async function run(engine: Engine, code: string): Promise<Ran> {
  const out: Ran = { reply: undefined as unknown as ExecuteReply, stdout: '', stderr: '', displays: [] };
  const hooks: ExecuteHooks = {
    stdout: (t) => (out.stdout += t),
    stderr: (t) => (out.stderr += t),
    display: (bundle, options) => out.displays.push({ bundle, options }),
  };
  out.reply = await engine.execute(code, hooks);
  return out;
}

function text(r: Ran): string | undefined {
  return r.reply.result?.['text/plain'] as string | undefined;
}

describe('tslab pin', () => {
  test('the installed tslab is the pinned version and its internals are the ones the engine patches', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    const check = checkTslab();
    // A mismatch here means kernel/engine/tslab.ts must be revisited before upgrading tslab.
    expect({ installed: check.version, problems: check.problems }).toEqual({ installed: TSLAB_PINNED, problems: [] });
    expect(pkg.dependencies.tslab).toBe(TSLAB_PINNED);
  });

  test('a changed converter is reported patch by patch, with the text that is gone', () => {
    const real = fs.readFileSync(require.resolve('tslab/dist/converter.js'), 'utf8');
    expect(converterProblems(real)).toEqual([]);
    const changed = real
      .replace('rootDir: cwd,', 'rootDir: cwd2,')
      .replace('exports.isCompleteCode = isCompleteCode;', '');
    expect(converterProblems(changed)).toEqual([
      'tslab/dist/converter.js: patch "rootDir is the filesystem root" expects exactly one "rootDir: cwd,", found 0',
      'tslab/dist/converter.js no longer exports isCompleteCode',
    ]);
  });
});

// The tests in this block run in order on one engine and build on each other's cells, like a notebook.
describe('Engine', () => {
  let engine: Engine;
  beforeAll(() => {
    engine = new Engine({ cwd: FIXTURES });
  });
  afterAll(() => engine.dispose());

  test('cells share state and count executions', async () => {
    const a = await run(engine, 'const base = 2;\nlet hits = 0;');
    expect(a.reply).toEqual({ status: 'ok', executionCount: 1 });
    const b = await run(engine, 'hits += 1;\nbase * 21');
    expect(b.reply.status).toBe('ok');
    expect(b.reply.executionCount).toBe(2);
    expect(text(b)).toBe('42');
    expect(text(await run(engine, 'hits'))).toBe('1');
  });

  test('console and process streams go to the hooks, and the real streams come back afterwards', async () => {
    const before = { out: mainProcess.stdout.write, err: mainProcess.stderr.write };
    const r = await run(
      engine,
      "console.log('to stdout', 1);\nprocess.stdout.write('raw\\n');\nconsole.error('to stderr');\nprocess.stderr.write(Buffer.from('bytes\\n'));",
    );
    expect(r.reply.status).toBe('ok');
    expect(r.stdout).toBe('to stdout 1\nraw\n');
    expect(r.stderr).toBe('to stderr\nbytes\n');
    expect(mainProcess.stdout.write).toBe(before.out);
    expect(mainProcess.stderr.write).toBe(before.err);
  });

  test("the runtime's display calls reach the display hook with their options", async () => {
    const r = await run(
      engine,
      "import { emit } from '../../../kernel/runtime/output';\nemit({ 'text/plain': 'p 0%', 'text/html': '<b>0%</b>' }, { displayId: 'bar' });\nemit({ 'text/plain': 'p 100%' }, { displayId: 'bar', update: true });",
    );
    expect(r.reply.status).toBe('ok');
    expect(r.displays).toEqual([
      { bundle: { 'text/plain': 'p 0%', 'text/html': '<b>0%</b>' }, options: { displayId: 'bar' } },
      { bundle: { 'text/plain': 'p 100%' }, options: { displayId: 'bar', update: true } },
    ]);
    expect(r.stdout).toBe('');
  });

  test('a final expression becomes the result; undefined gives none', async () => {
    expect(text(await run(engine, "'abc'.toUpperCase()"))).toBe("'ABC'");
    expect(text(await run(engine, '({ a: [1, 2], b: null })'))).toBe('{ a: [ 1, 2 ], b: null }');
    const none = await run(engine, 'void 0');
    expect(none.reply.status).toBe('ok');
    expect(none.reply.result).toBeUndefined();
    expect((await run(engine, 'const quiet = 5;')).reply.result).toBeUndefined();
  });

  test('a type error is an error reply that names the cell line, and nothing runs', async () => {
    const r = await run(engine, "hits += 100;\nconst n: number = 'seven';");
    expect(r.reply.status).toBe('error');
    expect(r.reply.error!.ename).toBe('TSError');
    expect(r.reply.error!.evalue).toMatch(/^cell line 2, column 7: Type 'string' is not assignable to type 'number'/);
    expect(r.reply.error!.traceback.join('\n')).toContain('cell line 2');
    expect(text(await run(engine, 'hits'))).toBe('1');
  });

  test('a runtime error gives ename/evalue and a traceback with the cell line of each frame', async () => {
    const r = await run(
      engine,
      "function check(x: number) {\n  if (x > 1) {\n    throw new TypeError('x too big: ' + x);\n  }\n}\ncheck(1);\ncheck(3);",
    );
    expect(r.reply.status).toBe('error');
    expect(r.reply.error!.ename).toBe('TypeError');
    expect(r.reply.error!.evalue).toBe('x too big: 3');
    expect(r.reply.error!.traceback).toEqual([
      'TypeError: x too big: 3',
      '    at check (cell line 3)',
      '    at cell line 7',
    ]);
    // What the cell defined before it failed stays defined, as in Python.
    const again = await run(engine, 'check(5)');
    expect(again.reply.error!.traceback).toEqual([
      'TypeError: x too big: 5',
      '    at check (In[' + r.reply.executionCount + '] line 3)',
      '    at cell line 1',
    ]);
  });

  test('an error inside a local .ts module shows its file and line', async () => {
    const r = await run(engine, "import { explode } from './thrower';\nconst ok = explode(1);\nexplode(7);");
    expect(r.reply.status).toBe('error');
    expect(r.reply.error!.ename).toBe('RangeError');
    expect(r.reply.error!.evalue).toBe('explode: 7 is too big');
    const tb = r.reply.error!.traceback.join('\n');
    expect(tb).toContain(`at explode (${path.join(FIXTURES, 'thrower.ts')}:4`);
    expect(tb).toMatch(/thrower\.ts:4(:\d+)?\)/);
    expect(tb).toContain('cell line 3');
  });

  test('the cell line is kept under a deep stack of module frames', async () => {
    // Node's default limit is 10 frames (jest raises it); the engine must not depend on the host's.
    const MainError = vm.runInThisContext('Error') as ErrorConstructor;
    const limit = MainError.stackTraceLimit;
    MainError.stackTraceLimit = 10;
    let r: Ran;
    try {
      r = await run(engine, "import { deep } from './deep';\n\ndeep(30);");
    } finally {
      MainError.stackTraceLimit = limit;
    }
    expect(r.reply.error!.evalue).toBe('bottom of the stack');
    expect(r.reply.error!.traceback[r.reply.error!.traceback.length - 1]).toBe('    at cell line 3');
  });

  test('an error does not break later cells', async () => {
    expect((await run(engine, "throw new Error('first');")).reply.status).toBe('error');
    expect((await run(engine, 'null.x')).reply.status).toBe('error');
    const r = await run(engine, 'base + 1');
    expect(r.reply.status).toBe('ok');
    expect(text(r)).toBe('3');
  });

  test('top-level await works and keeps the values', async () => {
    const r = await run(
      engine,
      'const later = await new Promise<number>((res) => setTimeout(() => res(7), 20));\nlater * 2',
    );
    expect(text(r)).toBe('14');
    expect(text(await run(engine, 'later + 1'))).toBe('8');
    const rejected = await run(engine, "await Promise.reject(new Error('async no'));");
    expect(rejected.reply.error).toMatchObject({ ename: 'Error', evalue: 'async no' });
  });

  test('interrupt() stops a cell that is awaiting, and the engine keeps working', async () => {
    setTimeout(() => engine.interrupt(), 100);
    const r = await run(engine, 'await new Promise<void>(() => {});');
    expect(r.reply.error?.ename).toBe('InterruptError');
    expect(text(await run(engine, 'base'))).toBe('2');
  });

  test('with a board from outside, a request counts for a cell that arrived before it and had not ended', async () => {
    const board = createInterruptBoard();
    const other = new Engine({ cwd: FIXTURES, interrupts: board });
    try {
      let stdout = '';
      const hooks: ExecuteHooks = { stdout: (t) => (stdout += t) };
      // ■ while idle, before the cell's request arrived: not meant for it.
      requestInterrupt(board);
      const idle = await other.execute('1 + 1', hooks, { interruptsAtArrival: interruptRequests(board) });
      expect(idle.result?.['text/plain']).toBe('2');
      // The request arrived, then ■ came before the cell started (the kernel's socket thread
      // stamps each request): the cell never runs.
      const arrival = interruptRequests(board);
      requestInterrupt(board);
      const early = await other.execute("console.log('ran');", hooks, { interruptsAtArrival: arrival });
      expect([early.status, early.error?.ename, stdout]).toEqual(['error', 'InterruptError', '']);
      // Two cells arrive; ■ stops the first. The second arrived before that request too, but the
      // request ended the first cell, so the second runs.
      const both = interruptRequests(board);
      const first = other.execute('await new Promise<void>(() => {});', hooks, { interruptsAtArrival: both });
      const second = other.execute("'second ran'", hooks, { interruptsAtArrival: both });
      setTimeout(() => {
        requestInterrupt(board);
        other.interrupt();
      }, 100);
      expect((await first).error?.ename).toBe('InterruptError');
      expect((await second).result?.['text/plain']).toBe("'second ran'");
      // Without a stamp, only a request made after the cell started counts.
      requestInterrupt(board);
      expect((await other.execute('3')).result?.['text/plain']).toBe('3');
    } finally {
      other.dispose();
    }
  });

  test('the board shows when a cell runs synchronous code, the only time the kernel sends SIGINT', async () => {
    const board = createInterruptBoard();
    const other = new Engine({ cwd: FIXTURES, interrupts: board });
    const key = Symbol.for('ts231n.test.board');
    // Cells run in the process's own context (mainGlobal), not in jest's.
    mainGlobal[key] = board;
    try {
      const flag = `Atomics.load((globalThis as any)[Symbol.for('ts231n.test.board')], 2)`;
      // While the cell's code runs, before and after an await (the rest runs outside the vm call).
      const r = await other.execute(`const before = ${flag};\nawait null;\n[before, ${flag}]`);
      expect(r.result?.['text/plain']).toBe('[ 1, 0 ]');
      expect(inSynchronousRun(board)).toBe(false);
      // Cleared too when the code throws.
      expect((await other.execute("throw new Error('x');")).status).toBe('error');
      expect(inSynchronousRun(board)).toBe(false);
    } finally {
      delete mainGlobal[key];
      other.dispose();
    }
  });

  test('completion, inspection and is-complete use the type checker', () => {
    const c = engine.complete('base.toFi', 9);
    expect(c.matches).toContain('toFixed');
    expect([c.cursorStart, c.cursorEnd]).toEqual([5, 9]);
    // Jupyter counts the cursor in code points: an emoji is one, not two UTF-16 units.
    const wide = '/* 😀 */ base.toFi';
    const w = engine.complete(wide, [...wide].length);
    expect(w.matches).toContain('toFixed');
    expect([w.cursorStart, w.cursorEnd]).toEqual([[...'/* 😀 */ base.'].length, [...wide].length]);
    const i = engine.inspect('base', 2);
    expect(i.found).toBe(true);
    expect(i.data['text/plain']).toContain('const base: 2');
    expect(engine.isComplete('function f() {')).toEqual({ status: 'incomplete', indent: '  ' });
    expect(engine.isComplete('const z = 1;').status).toBe('complete');
    expect(engine.isComplete('const z = );').status).toBe('invalid');
  });

  test('two engines in one folder share the type checker but no state', async () => {
    const other = new Engine({ cwd: FIXTURES });
    try {
      const missing = await run(other, 'base');
      expect(missing.reply.error).toMatchObject({
        ename: 'TSError',
        evalue: expect.stringContaining("Cannot find name 'base'"),
      });
      expect(text(await run(other, "const base = 'mine';\nbase.length"))).toBe('4');
      expect(text(await run(engine, 'base * 10'))).toBe('20');
      expect(other.complete('base.len', 8).matches).toContain('length');
    } finally {
      other.dispose();
    }
    expect(text(await run(engine, 'base + 1'))).toBe('3');
  });

  test('bad use is a one-line typed error', async () => {
    expect(() => new Engine({ cwd: path.join(FIXTURES, 'no-such-folder') })).toThrow(
      /is not a folder: pass the folder the notebook is in/,
    );
    await expect(engine.execute(42 as unknown as string)).rejects.toThrow(/needs the cell's source as a string/);
  });
});

describe('Engine and local modules', () => {
  const scratch = path.join(FIXTURES, '.scratch', `reimport-${process.pid}`);
  let engine: Engine;
  beforeAll(() => {
    fs.mkdirSync(scratch, { recursive: true });
    fs.writeFileSync(path.join(scratch, 'mod.ts'), 'export const v = 1;\n');
    fs.writeFileSync(path.join(scratch, 'user.ts'), "import { v } from './mod';\nexport const twice = () => 2 * v;\n");
    engine = new Engine({ cwd: scratch });
  });
  afterAll(() => {
    engine.dispose();
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  test('an edited module is picked up on re-import, with its new exports and types', async () => {
    const first = await run(engine, "import { v } from './mod';\nimport { twice } from './user';\n[v, twice()]");
    expect(text(first)).toBe('[ 1, 2 ]');
    fs.writeFileSync(path.join(scratch, 'mod.ts'), 'export const v = 10;\nexport const w: string = "new";\n');
    const future = new Date(Date.now() + 5000);
    fs.utimesSync(path.join(scratch, 'mod.ts'), future, future);
    // `w` did not exist before: the type checker must see the new file too.
    const second = await run(
      engine,
      "import { v, w } from './mod';\nimport { twice } from './user';\n[v, w.length, twice()]",
    );
    expect(second.reply.error).toBeUndefined();
    expect(text(second)).toBe('[ 10, 3, 20 ]');
  });

  test('a notebook imports the runtime by its package name; a tensor result is shown as a table', async () => {
    const r = await run(engine, "import { tf } from 'ts231n';\ntf.tensor2d([[1, 2], [3, 4]])");
    expect(r.reply.status).toBe('ok');
    expect(r.reply.result?.['text/html']).toEqual(expect.stringContaining('<table'));
    expect(r.reply.result?.['text/plain']).toEqual(expect.stringContaining('[2, 2]'));
  });
});

describe('cells compiled to real locals (top-level names are locals of the cell, published as accessors)', () => {
  let engine: Engine;
  beforeAll(() => {
    engine = new Engine({ cwd: FIXTURES });
  });
  afterAll(() => engine.dispose());

  test('a loop over a top-level let computes the same value, and later cells see it', async () => {
    const r = await run(engine, 'let total = 0;\nfor (let i = 0; i < 1000; i++) total += i;\ntotal');
    expect(text(r)).toBe('499500');
    expect(text(await run(engine, 'total += 1;\ntotal'))).toBe('499501');
  });

  test('a closure created in a cell sees updates from that cell and from later cells, and writes reach them', async () => {
    expect(
      (
        await run(
          engine,
          'let counter = 1;\nconst bump = () => ++counter;\nconst peek = () => counter;\nbump();\ncounter += 10;',
        )
      ).reply.status,
    ).toBe('ok');
    expect(text(await run(engine, '[counter, peek()]'))).toBe('[ 12, 12 ]');
    expect(text(await run(engine, 'counter = 100;\n[bump(), counter, peek()]'))).toBe('[ 101, 101, 101 ]');
  });

  test('a const can be declared again in a later cell; the old closure keeps the binding it closed over', async () => {
    expect((await run(engine, "const label = 'first';\nconst firstLabel = () => label;")).reply.status).toBe('ok');
    expect(text(await run(engine, "const label = 'second';\n[label, firstLabel()]"))).toBe("[ 'second', 'first' ]");
    expect(text(await run(engine, 'label'))).toBe("'second'");
    // and a let redeclared as a const
    expect(text(await run(engine, 'const counter = -1;\ncounter'))).toBe('-1');
  });

  test('writes made after an await or by a timer after the cell ended are seen by later cells', async () => {
    expect(
      text(
        await run(
          engine,
          'let phase = 0;\nawait new Promise((r) => setTimeout(r, 5));\nphase = 1;\nsetTimeout(() => { phase = 2; }, 10);\nphase',
        ),
      ),
    ).toBe('1');
    await new Promise((r) => setTimeout(r, 50));
    expect(text(await run(engine, 'phase'))).toBe('2');
  });

  test('destructured names, functions and classes are published; names declared before a throw stay usable', async () => {
    expect(
      text(
        await run(
          engine,
          'let [pa, pb] = [1, 2];\nfunction addP() { return pa + pb; }\nclass Pt { constructor(public x: number) {} }\naddP()',
        ),
      ),
    ).toBe('3');
    expect(text(await run(engine, 'pa = 5;\n[addP(), new Pt(pa).x]'))).toBe('[ 7, 5 ]');
    const r = await run(
      engine,
      "let before = 'set';\nfunction helperAfterThrow() { return 'hoisted'; }\nthrow new Error('stop');\nlet after = 1;",
    );
    expect(r.reply.status).toBe('error');
    expect(text(await run(engine, '[before, helperAfterThrow()]'))).toBe("[ 'set', 'hoisted' ]");
    const tdz = await run(engine, 'after');
    expect(tdz.reply.error).toMatchObject({
      ename: 'ReferenceError',
      evalue: expect.stringContaining("'after' before initialization"),
    });
  });

  test("a name imported again replaces an earlier cell's variable of that name without writing through it", async () => {
    expect((await run(engine, "let explode: unknown = 'mine';\nconst readMine = () => explode;")).reply.status).toBe(
      'ok',
    );
    expect(text(await run(engine, "import { explode } from './thrower';\ntypeof explode"))).toBe("'function'");
    expect(text(await run(engine, '[typeof explode, readMine()]'))).toBe("[ 'function', 'mine' ]");
  });
});

describe('autoreload: an edited local module is reloaded before the next cell and patched into what the notebook holds', () => {
  const scratch = path.join(FIXTURES, '.scratch', `autoreload-${process.pid}`);
  const file = path.join(scratch, 'knn.ts');
  let engine: Engine;
  let tick = Date.now();
  // mtimes far enough apart that a change is seen even on a file system with coarse timestamps
  const write = (f: string, body: string) => {
    fs.writeFileSync(f, body);
    tick += 5000;
    fs.utimesSync(f, new Date(tick), new Date(tick));
  };
  const version = (method: string, fn: string) =>
    `export class Knn {\n  k = 1;\n  dist(): string { return ${method}; }\n  static make(): Knn { return new Knn(); }\n}\nexport function helper(): number { return ${fn}; }\n`;
  beforeAll(() => {
    fs.mkdirSync(scratch, { recursive: true });
    write(file, version("'not implemented yet'", '1'));
    fs.writeFileSync(
      path.join(scratch, 'user.ts'),
      "import { helper } from './knn';\nexport const viaUser = () => helper() * 10;\n",
    );
    engine = new Engine({ cwd: scratch });
  });
  afterAll(() => {
    engine.dispose();
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  test('an edited method runs on an instance made before the edit; an edited exported function runs through the names bound to it', async () => {
    const first = await run(
      engine,
      "import { Knn, helper } from './knn';\nimport { viaUser } from './user';\nconst knn = new Knn();\n[knn.dist(), helper(), viaUser()]",
    );
    expect(text(first)).toBe("[ 'not implemented yet', 1, 10 ]");
    write(file, version("'two loops, k = ' + this.k", '2'));
    const second = await run(
      engine,
      '[knn.dist(), helper(), viaUser(), knn instanceof Knn, new Knn().dist(), Knn.make().dist()]',
    );
    expect(second.reply.error).toBeUndefined();
    expect(second.stdout).toBe('reloaded knn.ts, user.ts\n');
    expect(text(second)).toBe("[ 'two loops, k = 1', 2, 20, true, 'two loops, k = 1', 'two loops, k = 1' ]");
    // nothing changed since: no note
    expect((await run(engine, '1')).stdout).toBe('');
  });

  test('an edit that does not type-check is not loaded: its type error is shown and the old code still works, until it is fixed', async () => {
    write(file, version('3', '3'));
    const broken = await run(engine, '[knn.dist(), helper()]');
    expect(broken.reply.status).toBe('ok');
    expect(text(broken)).toBe("[ 'two loops, k = 1', 2 ]");
    expect(broken.stderr).toMatch(
      /^knn\.ts, user\.ts not reloaded: the old version stays in use until this type-checks:\n/,
    );
    expect(broken.stderr).toContain(`${file}:3:20: Type 'number' is not assignable to type 'string'. (TS2322)`);
    expect(text(await run(engine, 'knn.dist()'))).toBe("'two loops, k = 1'");
    write(file, version("'fixed'", '4'));
    const fixed = await run(engine, '[knn.dist(), helper(), viaUser()]');
    expect([fixed.stdout, fixed.stderr, text(fixed)]).toEqual(['reloaded knn.ts, user.ts\n', '', "[ 'fixed', 4, 40 ]"]);
  });

  test('an edit that throws while loading keeps the old version and says why', async () => {
    write(file, `throw new Error('half-written');\n${version("'never'", '5')}`);
    const r = await run(engine, '[knn.dist(), helper()]');
    expect(text(r)).toBe("[ 'fixed', 4 ]");
    expect(r.stderr).toContain('not reloaded: loading it threw Error: half-written; the old version stays in use');
  });
});

describe('quiet outputs and short tracebacks', () => {
  let engine: Engine;
  beforeAll(() => {
    engine = new Engine({ cwd: FIXTURES });
  });
  afterAll(() => engine.dispose());

  test('a helper that displayed its result (check, a plot) leaves no execute_result; its value is kept', async () => {
    const runtime = "import { check, plotLines } from '../../../kernel/runtime';";
    const c = await run(engine, `${runtime}\nconst passed = check('fixture.none', 1);\ncheck('fixture.none', 1)`);
    expect(c.reply.status).toBe('ok');
    expect(c.reply.result).toBeUndefined();
    expect(c.displays.map((d) => String(d.bundle['text/plain']).slice(0, 15))).toEqual([
      '✗ fixture.none ',
      '✗ fixture.none ',
    ]);
    expect(text(await run(engine, 'passed'))).toBe('false');
    const p = await run(
      engine,
      "const fig = plotLines({ series: { loss: [3, 2, 1] }, yLabel: 'loss' });\nplotLines({ series: { loss: [3, 2, 1] } })",
    );
    expect([p.reply.result, p.displays.length]).toEqual([undefined, 2]);
    // A figure shown in an earlier cell, as the last expression of a later one: its text form only.
    expect(text(await run(engine, 'fig'))).toMatch(/^<Figure "figure" \d+×\d+>$/);
    // The same value by coincidence, not from the helper: shown.
    expect(text(await run(engine, 'false'))).toBe('false');
  });

  test('a TensorFlow.js error shows the cell line and one "in tf.<op>" line, not the library frames', async () => {
    const r = await run(
      engine,
      "import { tf } from '../../../kernel/runtime';\nconst six = tf.ones([6]);\nfunction shape44() { return tf.reshape(six, [4, 4]); }\nshape44();",
    );
    expect(r.reply.error).toEqual({
      ename: 'Error',
      evalue: 'Size(6) must match the product of shape 4,4',
      traceback: [
        'Error: Size(6) must match the product of shape 4,4',
        '    in tf.reshape',
        '    at shape44 (cell line 3)',
        '    at cell line 4',
      ],
    });
  });
});

describe("an empty TODO reached at a cell's top level", () => {
  test('is a one-line notice, not an error: the rest of the cell is skipped and the next cell runs', async () => {
    const engine = new Engine({ cwd: FIXTURES });
    try {
      const r = await run(
        engine,
        "import { notImplemented } from '../../../kernel/runtime/errors';\nconsole.log('before');\nnotImplemented('5-fold cross-validation', 'knn.ipynb');\nconsole.log('after');",
      );
      expect(r.reply).toMatchObject({ status: 'ok', executionCount: 1 });
      // the host (the grader) still learns which TODO stopped the cell, and where
      expect(r.reply.todo).toMatchObject({
        ename: 'NotImplementedError',
        evalue: 'not implemented yet: 5-fold cross-validation in knn.ipynb',
      });
      expect(r.reply.todo!.traceback).toEqual([
        'NotImplementedError: not implemented yet: 5-fold cross-validation in knn.ipynb',
        '    in notImplemented',
        '    at cell line 3',
      ]);
      expect(r.stdout).toBe(
        'before\nnot implemented yet: 5-fold cross-validation in knn.ipynb (the rest of this cell was skipped)\n',
      );
      expect(text(await run(engine, '1 + 1'))).toBe('2');
    } finally {
      engine.dispose();
    }
  });
});

describe('an assignment folder copied outside the kit', () => {
  // A student copies assignments/assignment1 to a folder of their own and opens it in the kernel:
  // no node_modules lies above it, yet `ts231n` and `ts231n/datasets` resolve (code and types),
  // also from the student's own modules, and they are the kit's one runtime.
  let copy: string;
  let engine: Engine;
  beforeAll(() => {
    copy = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mycopy-')), 'assignment1');
    fs.cpSync(path.join(ROOT, 'assignments', 'assignment1'), copy, { recursive: true });
    engine = new Engine({ cwd: copy });
  });
  afterAll(() => {
    engine.dispose();
    fs.rmSync(path.dirname(copy), { recursive: true, force: true });
  });

  test('nothing above the copy provides the package (so the engine itself must)', () => {
    for (let dir = copy; ; dir = path.dirname(dir)) {
      expect(fs.existsSync(path.join(dir, 'node_modules', 'ts231n'))).toBe(false);
      if (path.dirname(dir) === dir) break;
    }
  });

  test('cells and the student modules import ts231n and ts231n/datasets: the kit runtime, type-checked', async () => {
    const r = await run(
      engine,
      [
        "import { tf, seed, record } from 'ts231n';",
        "import { DATASET_NAMES } from 'ts231n/datasets';",
        "import { KNearestNeighbor } from './cs231n/classifiers/kNearestNeighbor';",
        'seed(1);',
        'const knn = new KNearestNeighbor();',
        "knn.train(tf.ones([2, 3]), tf.tensor1d([0, 1], 'int32'));",
        `[require.resolve('ts231n') === ${JSON.stringify(path.join(ROOT, 'kernel', 'runtime', 'index.ts'))}, typeof record, DATASET_NAMES.length > 0]`,
      ].join('\n'),
    );
    expect(r.reply.error).toBeUndefined();
    expect(text(r)).toBe("[ true, 'function', true ]");
    const typed = await run(engine, "import { seed as s2 } from 'ts231n';\nconst n: string = s2;");
    expect(typed.reply.error?.ename).toBe('TSError');
    expect(typed.reply.error?.traceback.join('\n')).toMatch(/not assignable to type 'string'/);
  });

  test('a specifier the package does not export stays an error', async () => {
    const r = await run(engine, "import { emit } from 'ts231n/output';");
    expect(r.reply.status).toBe('error');
  });
});

describe("a notebook in the kit's own root folder", () => {
  // Opened from the checkout's root, the runtime's sources lie under the cell's folder, so the cell's
  // type checker (tslab's options, not the kit's strict tsconfig) checks them too: they must hold there.
  test('cells import ts231n and record values there', async () => {
    const engine = new Engine({ cwd: ROOT });
    try {
      const r = await run(
        engine,
        "import { tf, record } from 'ts231n';\nrecord('root.shape', 1);\ntf.ones([2, 3]).shape",
      );
      expect(r.reply.error).toBeUndefined();
      expect(text(r)).toBe('[ 2, 3 ]');
    } finally {
      engine.dispose();
    }
  });
});

describe('executeNotebook', () => {
  test('runs every code cell in order and returns nbformat outputs and the records', async () => {
    const seen: number[] = [];
    const before = mainProcess.env.TS231N_ENGINE_FIXTURE;
    const run = await executeNotebook(path.join(FIXTURES, 'small.ipynb'), {
      env: { TS231N_ENGINE_FIXTURE: 'set' },
      onCell: (i, n) => seen.push(i, n),
    });
    expect(mainProcess.env.TS231N_ENGINE_FIXTURE).toBe(before);
    expect(seen).toEqual([0, 5, 1, 5, 2, 5, 3, 5, 4, 5]);
    expect(run.cells.map((c) => c.index)).toEqual([1, 2, 3, 4, 5]);
    const [c1, c2, c3, c4, c5] = run.cells;
    expect(c1.outputs).toEqual([
      { output_type: 'stream', name: 'stdout', text: 'hello 42\n' },
      { output_type: 'stream', name: 'stderr', text: 'warn\n' },
      { output_type: 'stream', name: 'stdout', text: 'set\n' },
    ]);
    // The progress output was updated in place; the record is kept as a display output too.
    expect(c2.outputs).toEqual([
      { output_type: 'display_data', data: { 'text/plain': 'progress 100%' }, metadata: {} },
      {
        output_type: 'display_data',
        data: expect.objectContaining({ 'text/plain': 'recorded fixture.answer' }),
        metadata: {},
      },
    ]);
    expect(run.records).toEqual({ 'fixture.answer': { kind: 'number', value: 42 } });
    expect(c3.outputs).toEqual([
      {
        output_type: 'error',
        ename: 'TSError',
        evalue: expect.stringContaining('cell line 1'),
        traceback: expect.any(Array),
      },
    ]);
    expect(c4.outputs).toEqual([
      {
        output_type: 'error',
        ename: 'RangeError',
        evalue: 'explode: 5 is too big',
        traceback: expect.arrayContaining(['    at cell line 2']),
      },
    ]);
    expect(c5.outputs).toEqual([
      { output_type: 'execute_result', execution_count: 5, data: { 'text/plain': '43' }, metadata: {} },
    ]);
    // Saved with its outputs, the notebook is valid nbformat 4.5.
    const saved = executedNotebook(path.join(FIXTURES, 'small.ipynb'), run);
    const validate = validator('nbformat.v4.5.schema.json');
    expect({ valid: validate(saved), errors: validate.errors ?? null }).toEqual({ valid: true, errors: null });
    expect(saved.cells.map((c) => c.execution_count ?? null)).toEqual([null, 1, 2, 3, 4, 5]);
  });

  test('a missing or broken notebook is a one-line error', async () => {
    await expect(executeNotebook(path.join(FIXTURES, 'nope.ipynb'))).rejects.toThrow(
      /cannot read notebook .*nope\.ipynb: check the path/,
    );
    await expect(executeNotebook(path.join(FIXTURES, 'thrower.ts'))).rejects.toThrow(
      /is not JSON .*: is it an \.ipynb file\?/,
    );
  });
});

describe('in a child process (SIGINT and uncaught errors must not reach jest)', () => {
  test("a first cell that imports the runtime and computes at once runs on the runtime's backend, not tfjs's cpu fallback", () => {
    const env = { ...process.env };
    delete env.TS231N_BACKEND;
    const child = spawnSync(process.execPath, ['--import', 'tsx', path.join(FIXTURES, 'backendChild.ts')], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 110000,
      env,
    });
    const line = child.stdout.split('\n').find((l) => l.startsWith('{'));
    expect({ status: child.status, out: line && JSON.parse(line) }).toEqual({
      status: 0,
      out: { status: 'ok', result: "'wasm wasm 3'" },
    });
  });

  test('SIGINT stops a busy while(true) cell and an awaiting cell; the engine keeps working; a notebook cell times out; late errors go to stderr', () => {
    const child = spawnSync(process.execPath, ['--import', 'tsx', path.join(FIXTURES, 'interruptChild.ts')], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 110000,
    });
    const steps = Object.fromEntries(
      child.stdout
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as { step: string; value: unknown })
        .map((s) => [s.step, s.value]),
    ) as Record<string, any>;
    expect({ status: child.status, crash: steps.crash, stderr: child.status === 0 ? '' : child.stderr }).toEqual({
      status: 0,
      crash: undefined,
      stderr: '',
    });
    expect(steps.busy.reply.error.ename).toBe('InterruptError');
    expect(steps.after).toMatchObject({ status: 'ok', result: { 'text/plain': 'true' } });
    expect(steps.awaiting.error.ename).toBe('InterruptError');
    expect(steps.duringCompile).toEqual({ ename: 'InterruptError', rescued: false });
    expect(steps.sigintBetweenCells).toBe('alive');
    expect(steps.notebook).toEqual([
      { status: 'error', error: 'TimeoutError' },
      { status: 'error', error: 'TimeoutError' },
      { status: 'ok', result: "'still alive'" },
    ]);
    // A rejection nobody awaited and a timer's throw are reported on stderr; the run goes on.
    expect(steps.late.replies).toEqual([
      { status: 'ok', result: "'after'" },
      { status: 'ok', result: "'next cell'" },
    ]);
    expect(steps.late.stderr).toContain('Unhandled promise rejection: Error: nobody awaits me');
    expect(steps.late.stderr).toContain('Uncaught Error: thrown by a timer');
  });
});
