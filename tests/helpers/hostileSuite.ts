/**
 * Hostile and broken submissions, all graded in ONE batch together with a good one, on the mini
 * fixture assignment (fast). Each must end with a clear reason and leave the others, the grader's
 * outputs and the repository untouched. Then: the grader killed with SIGKILL mid-batch and
 * restarted gives the same gradebook as the uninterrupted run.
 *
 * The same corpus runs under bubblewrap (tests/integration/grader/hostile.test.ts) and under the fallback
 * without it (tests/integration/grader/hostileFallback.test.ts, TS231N_GRADER_NO_BWRAP=1): where the layers
 * differ, so do the expectations, but the solutions stay unread and nothing outside is written.
 *
 * The corpus is generated here (nothing hostile is committed but the C source of the native-code
 * attacks, fixtures/grader/native/attack.c, built with gcc). Most hostile submissions hold only
 * the file their attack needs: the missing ones are reported, not fatal, and each sandboxed child
 * costs seconds of TypeScript start-up on a 2-core box.
 */
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { spawn, execFileSync } from 'child_process';
import { gradeBatch, type BatchResult } from '../../grader/batch';
import { networkIsolation, sandboxLayers } from '../../grader/run';
import { createCgroup } from '../../grader/sandbox/cgroup';
import { copyTree, gradingKernels } from '../../grader/workspace';
import { hasFashionMnist } from '../../datasets/files';
import { defaultFashionMnistDir } from '../../datasets/paths';
import type { StudentResult } from '../../grader/types';
import { zipOf } from './zip';
import { MINI_LIMITS, MINI_SOLUTION as SOLUTION, MINI_SPEC as SPEC } from './miniGrader';

const REPO = path.resolve(__dirname, '..', '..');
const RUNTIME = 'ts231n';
/** The runtime's record module by its real path, which `require.resolve('ts231n')` reveals to a submission. */
const RECORD_MODULE = path.join(REPO, 'kernel', 'runtime', 'record');
const CODEC_MODULE = path.join(REPO, 'kernel', 'protocol', 'codec');
const LIMITS = {
  ...MINI_LIMITS,
  scratchMb: 96,
  cpuCores: 1,
  pidsMax: 128,
};
/** The file the native attack tries to read: a solution of the real assignment (the mini one as a stand-in if it moved). */
const NATIVE_SECRET = [
  path.join(REPO, 'solutions', 'assignment1', 'cs231n', 'classifiers', 'linearSvm.ts'),
  path.join(SOLUTION, 'lib', 'ops.ts'),
].find((f) => fs.existsSync(f))!;

let tmp: string;
let subs: string;
let out: string;
let server: net.Server;
let port = 0;
let connections = 0;
let batch: BatchResult;
const byName = new Map<string, StudentResult>();
let outside: string[] = [];
let bwrapped = false;
let cgroups = false;

function notebook(cells: string[]): string {
  return JSON.stringify({
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { name: 'ts231n', display_name: 'TypeScript (ts231n)', language: 'typescript' } },
    cells: cells.map((source, i) => ({
      cell_type: 'code',
      id: `c${i}`,
      metadata: {},
      source,
      outputs: [],
      execution_count: null,
    })),
  });
}

/** A submission folder: `files` (path → content); `base` copies the solution first. */
function submission(name: string, files: Record<string, string>, base = false): void {
  const dir = path.join(subs, name);
  if (base) copyTree(SOLUTION, dir);
  fs.mkdirSync(dir, { recursive: true });
  for (const [rel, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), content);
  }
}

/** An ops.ipynb whose second cell is the attack (the first imports the runtime like the real one). */
function attack(code: string): string {
  return notebook([`import { tf, record } from '${RUNTIME}';`, code]);
}

/**
 * A notebook cell that writes the native attack library into the scratch tmp folder and loads it
 * once per entry of `loads` (process.dlopen of a .so, or require of a .node file), with the
 * attack's environment, then throws what each load did.
 */
function nativeAttack(loads: Array<{ how: 'dlopen' | 'require'; env: Record<string, string> }>): string {
  const lib = fs.readFileSync(path.join(tmp, 'attack.so')).toString('base64');
  return notebook([
    `import * as fs from 'fs';\nimport * as os from 'os';\nimport * as path from 'path';\nimport { createRequire } from 'module';\nconst lib = '${lib}';`,
    `const outcomes: string[] = [];\n` +
      `for (const [i, load] of (${JSON.stringify(loads)} as Array<{ how: string; env: Record<string, string> }>).entries()) {\n` +
      `  const file = path.join(os.tmpdir(), 'attack' + i + (load.how === 'require' ? '.node' : '.so'));\n` +
      `  fs.writeFileSync(file, Buffer.from(lib, 'base64'));\n  delete process.env.ATTACK_RESULT;\n  Object.assign(process.env, load.env);\n` +
      `  let error = 'loaded';\n  try {\n    if (load.how === 'require') createRequire(file)(file);\n    else process.dlopen({ exports: {} }, file);\n  } catch (e) {\n    error = (e as Error).message;\n  }\n` +
      `  outcomes.push(load.how + ': ' + (process.env.ATTACK_RESULT ?? 'constructor did not run') + ' (' + error + ')');\n}\n` +
      `throw new Error('native outcomes: ' + outcomes.join(' | '));`,
  ]);
}

/** The outcomes a nativeAttack notebook reported, one per load. */
const nativeOutcomes = (r: StudentResult) => (reasons(r).match(/native outcomes: ([^\n]*)/)?.[1] ?? '').split(' | ');

/**
 * A notebook that reaches the kit's own OpenBLAS addon (loaded by the runtime before the
 * submission's code) and asks it to load the attack library, written as `libopenblas-evil.so` in
 * the scratch tmp folder, then the loader's `libopenblas.so.0`; throws what each step did.
 */
function blasAttack(env: Record<string, string>): string {
  const lib = fs.readFileSync(path.join(tmp, 'attack.so')).toString('base64');
  return notebook([
    `import * as fs from 'fs';\nimport * as os from 'os';\nimport * as path from 'path';\nimport { createRequire } from 'module';\nconst lib = '${lib}';`,
    `const file = path.join(os.tmpdir(), 'libopenblas-evil.so');\nfs.writeFileSync(file, Buffer.from(lib, 'base64'));\n` +
      `Object.assign(process.env, ${JSON.stringify(env)});\nconst outcomes: string[] = [];\n` +
      `const runtime = createRequire(path.join(process.cwd(), 'x.js')).resolve('${RUNTIME}');\n` +
      `const addon = path.join(path.dirname(runtime), 'blas', 'build', 'ts231n_blas.node');\n` +
      `let blas: { load(p: string, core: string, threads: number): unknown } | undefined;\n` +
      `try {\n  blas = createRequire(addon)(addon);\n  outcomes.push('require: got the addon');\n} catch (e) {\n  outcomes.push('require: ' + (e as Error).message);\n}\n` +
      `for (const p of [file, 'libopenblas.so.0']) {\n  try {\n    blas!.load(p, '', 1);\n    outcomes.push('load: loaded ' + p);\n  } catch (e) {\n    outcomes.push('load: ' + (e as Error).message);\n  }\n}\n` +
      `outcomes.push('constructor: ' + (process.env.ATTACK_RESULT ?? 'did not run'));\n` +
      `throw new Error('blas outcomes: ' + outcomes.join(' | '));`,
  ]);
}

/** Lines of the reference notebooks' code cells (what a conversion holds as JavaScript, nearly verbatim). */
function referenceCellLines(): string[] {
  const lines = new Set<string>();
  for (const f of fs.readdirSync(SOLUTION).filter((n) => n.endsWith('.ipynb'))) {
    const nb = JSON.parse(fs.readFileSync(path.join(SOLUTION, f), 'utf8')) as {
      cells: Array<{ cell_type: string; source: string | string[] }>;
    };
    for (const c of nb.cells.filter((x) => x.cell_type === 'code'))
      for (const l of (Array.isArray(c.source) ? c.source.join('') : c.source).split('\n'))
        if (l.trim().length >= 16 && !l.trim().startsWith('//') && !l.includes('import')) lines.add(l.trim());
  }
  return [...lines];
}

const solutionOps = () => fs.readFileSync(path.join(SOLUTION, 'lib', 'ops.ts'), 'utf8');
const secretFiles = [path.join(SOLUTION, 'lib', 'ops.ts'), path.join(SPEC, 'hidden.ts'), path.join(SPEC, 'spec.json')];

async function buildCorpus(): Promise<void> {
  submission('good', {}, true);
  // Native code (the sandbox escape of issue 16): read a solution and write outside, from a
  // library's constructor loaded by process.dlopen and by require of a .node file.
  outside = [path.join(tmp, 'escaped-dlopen.txt'), path.join(os.tmpdir(), `ts231n-escaped-${process.pid}.txt`)];
  submission('native_escape', {
    'ops.ipynb': nativeAttack([
      { how: 'dlopen', env: { ATTACK: 'escape', SECRET: NATIVE_SECRET, OUTSIDE: outside[0] } },
      { how: 'require', env: { ATTACK: 'escape', SECRET: NATIVE_SECRET, OUTSIDE: outside[1] } },
    ]),
  });
  // The kit's own OpenBLAS addon is reachable from the sandbox: it must load no library but the one it has.
  outside.push(path.join(tmp, 'escaped-blas.txt'));
  submission('blas_addon', {
    'ops.ipynb': blasAttack({ ATTACK: 'escape', SECRET: NATIVE_SECRET, OUTSIDE: outside[2] }),
  });
  submission('fork_bomb', { 'ops.ipynb': nativeAttack([{ how: 'dlopen', env: { ATTACK: 'fork' } }]) });
  submission('cpu_hog', { 'ops.ipynb': nativeAttack([{ how: 'dlopen', env: { ATTACK: 'hog' } }]) });
  // Fill the scratch folder: 1 MB at a time, up to 160 MB (the test's tmpfs holds 96 MB).
  submission('disk_filler', {
    'ops.ipynb': notebook([
      `import * as fs from 'fs';\nimport * as os from 'os';\nimport * as path from 'path';\nconst mb = Buffer.alloc(1 << 20, 7);\nlet n = 0;\nlet code = 'none';\n` +
        `const fd = fs.openSync(path.join(os.tmpdir(), 'fill'), 'w');\ntry {\n  for (; n < 160; n++) fs.writeSync(fd, mb);\n} catch (e) {\n  code = (e as NodeJS.ErrnoException).code ?? String(e);\n}\n` +
        `fs.closeSync(fd);\nthrow new Error('filled ' + n + ' MB: ' + code);`,
    ]),
  });
  // A cell that never ends, and a module function that loops only when a hidden test calls it (k > 3).
  submission('loop_cell', { 'ops.ipynb': attack('while (true) {}') });
  submission('loop_hidden', {
    'lib/ops.ts': solutionOps().replace(
      'const idx = scores.map',
      'if (k > 3) while (true) {}\n  const idx = scores.map',
    ),
  });
  submission('memory', {
    'ops.ipynb': attack('const hoard: number[][] = [];\nwhile (true) hoard.push(new Array(1e6).fill(Math.random()));'),
  });
  submission('exit_at_load', { 'lib/ops.ts': `process.exit(0);\n${solutionOps()}` });
  submission('kill_parent', {
    'ops.ipynb': attack('process.kill(process.ppid, "SIGKILL");\nprocess.kill(0, "SIGKILL");'),
  });
  // Reading the solutions or the spec: fs, require (from a module), dynamic import, a relative path
  // through the link to the kit's package (<ws>/node_modules/ts231n → kernel/runtime, whose ../../ is the repository).
  submission('read_solutions', {
    'ops.ipynb': notebook([
      `import { tf, record } from '${RUNTIME}';\nimport * as fs from 'fs';`,
      `record('mini.top2', ${JSON.stringify(secretFiles)}.map((f) => fs.readFileSync(f, 'utf8')));`,
      `const target: string = ${JSON.stringify(path.join(SPEC, 'hidden.ts'))};\nconst m = await import(target);\nrecord('mini.mean_square', Object.keys(m));`,
      `record('mini.sum_rows', fs.readFileSync('../node_modules/ts231n/../../tests/fixtures/grader/mini/spec/spec.json', 'utf8'));`,
      `const relative: string = '../node_modules/ts231n/../../tests/fixtures/grader/mini/spec/hidden';\nrecord('mini.mean_square', Object.keys(await import(relative)));`,
    ]),
  });
  // The compile cache of the reference run is readable in the sandbox (grader/sandbox/conversionCache.ts):
  // find it through the permission flags, read every entry, and look for the reference cells' code in them.
  submission('read_compile_cache', {
    'ops.ipynb': notebook([
      `import * as fs from 'fs';\nimport * as path from 'path';\n` +
        `const dirs = process.execArgv.filter((a) => a.startsWith('--allow-fs-read=') && a.includes('conversions-')).map((a) => a.slice(16).replace(/[/][*]$/, ''));\n` +
        `const files = dirs.flatMap((d) => fs.readdirSync(d).map((f) => path.join(d, f)));\n` +
        `const text = files.map((f) => fs.readFileSync(f, 'latin1')).join('');\n` +
        `const found = (${JSON.stringify(referenceCellLines())} as string[]).filter((l) => text.includes(l));\n` +
        // and poison it, or the data set the grader inflated for every child
        `const data = process.env.TS231N_DATA_DIR;\nconst writes = [files[0], path.join(dirs[0] ?? '/none', 'new-entry'), path.join(data ?? '/none', 'fashion-mnist', 'train-labels-idx1-ubyte')].map((f) => {\n` +
        `  try { fs.writeFileSync(f, 'poison'); return 'wrote ' + f; } catch { return 'refused'; }\n});\n` +
        `throw new Error('compile cache: read ' + files.length + ' files, ' + text.length + ' bytes; reference code found: ' + (found.length ? found.join(' / ') : 'none') + '; shared data set ' + (data ? 'given' : 'not given') + '; writes: ' + writes.join(', '));`,
    ]),
  });
  submission('read_require', { 'lib/ops.ts': `export * from ${JSON.stringify(path.join(SOLUTION, 'lib', 'ops'))};\n` });
  // Writing outside the scratch folder: the grader's output folder and the repository (through the package link).
  submission('write_out', {
    'ops.ipynb': attack(
      `import * as fs from 'fs';\nconst tried: string[] = [];\nfor (const f of ${JSON.stringify([path.join(out, 'gradebook.csv'), path.join(out, 'good', 'report.json'), path.join(out, 'pwned.txt')])}.concat(['../node_modules/ts231n/pwned.txt', '../node_modules/ts231n/../pwned.txt'])) {\n  try { fs.writeFileSync(f, 'student,total\\nwrite_out,100\\n'); tried.push('wrote ' + f); } catch (e) { tried.push((e as Error).message); }\n}\nconsole.log(tried.join('\\n'));\nif (tried.some((t) => t.startsWith('wrote'))) record('mini.top2', 'escaped');\nelse throw new Error('every write outside the scratch folder was refused: ' + tried[0]);`,
    ),
  });
  submission('spawn', {
    'ops.ipynb': attack(`import { execSync } from 'child_process';\nexecSync('touch ${path.join(tmp, 'spawned')}');`),
  });
  submission('network', {
    'ops.ipynb': attack(
      `import * as net from 'net';\nawait new Promise((resolve, reject) => { const s = net.connect(${port}, '127.0.0.1', () => { s.end(); resolve(null); }); s.on('error', reject); });\nrecord('mini.top2', 'connected');`,
    ),
  });
  submission('print_100mb', {
    'ops.ipynb': notebook([
      `const mb = 'x'.repeat(1 << 20);\nfor (let i = 0; i < 100; i++) process.stdout.write(mb);`,
      `for (let i = 0; i < 100; i++) console.log(mb);`,
    ]),
  });
  // Forging: patches of the runtime's record encoding, of tf and of the tensor prototype, each
  // tried at module load; sumRows then reports what happened (as its own error).
  const patches = (rt: string, rec: string, codec: string) =>
    `import * as rt from '${rt}';\nimport * as rec from '${rec}';\nimport * as codec from '${codec}';\n` +
    `const outcomes: string[] = [];\nconst fake = () => ({ $tensor: { dtype: 'float32', shape: [7], data: [1, 2, 3, 4, 5, 6, 7] } });\n` +
    // 'refused: …' when the assignment throws, 'no effect' when it is silently ignored (sloppy mode), 'PATCHED' when it took.
    `const tryPatch = (what: string, obj: any, key: string, value: unknown) => { try { obj[key] = value; outcomes.push(what + (obj[key] === value ? ' PATCHED' : ': no effect')); } catch (e) { outcomes.push(what + ': refused: ' + (e as Error).message); } };\n` +
    `tryPatch('runtime.encodeValue', rt, 'encodeValue', fake);\n` +
    `tryPatch('record.encodeValue', rec, 'encodeValue', fake);\n` +
    `tryPatch('record.record', rec, 'record', () => undefined);\n` +
    `tryPatch('codec.encodeValue', codec, 'encodeValue', fake);\n` +
    `tryPatch('tf.sum', rt.tf, 'sum', () => rt.tf.ones([7]));\n` +
    `tryPatch('Tensor.prototype.dataSync', rt.tf.Tensor.prototype, 'dataSync', () => new Float32Array(7).fill(1));\n`;
  submission('forge', {
    'lib/ops.ts':
      patches(RUNTIME, RECORD_MODULE, CODEC_MODULE) +
      solutionOps().replace(
        'return tf.sum(x, 1) as tf.Tensor1D;',
        "throw new Error('patch outcomes: ' + outcomes.join('; '));",
      ),
  });
  submission('record_patch', {
    'ops.ipynb': notebook([
      patches(RUNTIME, RECORD_MODULE, CODEC_MODULE) + "throw new Error('patch outcomes: ' + outcomes.join('; '));",
    ]),
  });
  submission('not_json', { 'ops.ipynb': '{"cells": [' }, true);
  submission(
    'bad_schema',
    {
      'ops.ipynb': JSON.stringify({
        nbformat: 4,
        nbformat_minor: 5,
        metadata: {},
        cells: [{ cell_type: 'code', id: 'a', metadata: {} }],
      }),
    },
    true,
  );
  fs.writeFileSync(path.join(subs, 'zip_bomb.zip'), await zipOf({ 'ops.ipynb': Buffer.alloc(8 * 1024 * 1024) }));
  const slip = (await zipOf({ 'aa/evil.txt': 'pwned' })).toString('latin1').split('aa/evil.txt').join('../evil.txt');
  fs.writeFileSync(path.join(subs, 'zip_slip.zip'), Buffer.from(slip, 'latin1'));
  fs.mkdirSync(path.join(subs, 'empty'));
}

/** The files under a folder (relative), for before/after comparisons. */
function listFiles(dir: string): string[] {
  const outl: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(path.join(d, e.name));
      else outl.push(path.relative(dir, path.join(d, e.name)));
    }
  };
  walk(dir);
  return outl.sort();
}

const reasons = (r: StudentResult) =>
  [
    r.invalid ?? '',
    ...r.tasks.map(
      (t) => `${t.task}: ${t.status} ${t.reason ?? ''} ${t.errors.map((e) => `${e.ename}: ${e.evalue}`).join(' | ')}`,
    ),
    ...r.items.map((i) => i.reason),
    ...r.notebooks.map((n) => n.error ?? ''),
  ].join('\n');

export function describeHostileCorpus(): void {
  jest.setTimeout(600_000);

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'grader-hostile-'));
    const layers = sandboxLayers();
    bwrapped = !!layers.bwrap;
    const cg = createCgroup({ memoryBytes: 1 << 30, cpuCores: 1, pidsMax: 128 });
    cgroups = !('note' in cg);
    if (!('note' in cg)) cg.remove();
    try {
      execFileSync('gcc', [
        '-shared',
        '-fPIC',
        '-O1',
        '-pthread',
        '-o',
        path.join(tmp, 'attack.so'),
        path.join(REPO, 'tests', 'fixtures', 'grader', 'native', 'attack.c'),
      ]);
    } catch (e) {
      throw new Error(
        `the native-code attacks need gcc (Debian gcc, libc6-dev; npm run setup installs them): ${(e as Error).message}`,
      );
    }
    subs = path.join(tmp, 'submissions');
    out = path.join(tmp, 'out');
    fs.mkdirSync(subs);
    server = net.createServer((s) => {
      connections++;
      s.destroy();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    port = (server.address() as net.AddressInfo).port;
    await buildCorpus();
    batch = await gradeBatch({
      assignment: 'mini',
      submissions: subs,
      out,
      specDir: SPEC,
      solutionDir: SOLUTION,
      jobs: 2,
      runLimits: LIMITS,
      intakeLimits: { maxFiles: 200, maxBytes: 4 * 1024 * 1024 },
    });
    for (const r of batch.results) byName.set(r.student, r);
  });

  afterAll(() => {
    server?.close();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
    for (const f of outside) fs.rmSync(f, { force: true });
  });

  describe('one batch with a good submission and the hostile corpus', () => {
    it('grades every submission, the grader itself failing on none', () => {
      expect(batch.failures).toEqual([]);
      expect([...byName.keys()].sort()).toEqual(
        fs
          .readdirSync(subs)
          .map((n) => n.replace(/\.zip$/, ''))
          .sort(),
      );
    });

    it('says in every report which sandbox layers applied (bubblewrap, or the fallback and why)', () => {
      for (const r of byName.values()) {
        if (r.invalid) continue;
        expect(r.sandboxNotes[0]).toMatch(
          bwrapped ? /^sandbox: bubblewrap .*scratch tmpfs 96 MB/ : /^sandbox: FALLBACK without bubblewrap \(.+\)/,
        );
        if (cgroups) expect(r.sandboxNotes[0]).toMatch(/cgroup v[12]: memory \d+ MB, cpu 1 core, pids 128/);
      }
    });

    it('native code cannot read the solutions or write outside the sandbox (dlopen and require of a .node file)', () => {
      const r = byName.get('native_escape')!;
      const outcomes = nativeOutcomes(r);
      expect(outcomes.length).toBe(2);
      // Both sandboxes refuse every dlopen after the runtime's own addons (under bubblewrap, native
      // code would run contained, but could still patch the hardened runtime in memory).
      for (const o of outcomes)
        expect(o).toMatch(/constructor did not run \(the grading sandbox does not load native code/);
      for (const f of outside) expect(fs.existsSync(f)).toBe(false);
      const secretLine = fs.readFileSync(NATIVE_SECRET, 'utf8').split('\n')[0];
      expect(JSON.stringify(r)).not.toContain(secretLine);
      expect(r.total).toBe(0);
    });

    it("lets the kit's OpenBLAS addon load no other library; the runtime ran on it", () => {
      const r = byName.get('blas_addon')!;
      const o = reasons(r)
        .match(/blas outcomes: ([^\n]*)/)![1]
        .split(' | ');
      if (gradingKernels().blas) {
        expect(o[0]).toBe('require: got the addon'); // the runtime's own, already loaded: no new dlopen
        expect(o[1]).toMatch(/^load: ts231n_blas.load: libPath must be libopenblas.so.0 or an OpenBLAS library under/);
        expect(o[2]).toMatch(/^load: ts231n_blas.load: another OpenBLAS is already loaded in this process/);
        expect(byName.get('good')!.configuration.backend).toMatch(/^wasm \+ OpenBLAS \(/);
      } else expect(o[0]).toMatch(/^require: the grading sandbox does not load native code/);
      expect(o[o.length - 1]).toBe('constructor: did not run');
      expect(fs.existsSync(outside[2])).toBe(false);
      expect(r.total).toBe(0);
    });

    it('a fork bomb or a CPU hog from native code never starts (the cgroup stays as a second layer)', () => {
      for (const name of ['fork_bomb', 'cpu_hog']) {
        const [o] = nativeOutcomes(byName.get(name)!);
        expect(o).toMatch(/constructor did not run \(the grading sandbox does not load native code/);
      }
      const good = byName.get('good')!;
      expect(good.tasks.every((t) => t.status === 'ok')).toBe(true);
    });

    it('stops a disk filler at the scratch tmpfs size (the fallback says the disk is not capped)', () => {
      const r = byName.get('disk_filler')!;
      const [, n, code] = reasons(r).match(/filled (\d+) MB: (\S+)/)!;
      if (bwrapped) {
        expect(code).toBe('ENOSPC');
        expect(Number(n)).toBeLessThanOrEqual(96);
      } else {
        expect(r.sandboxNotes[0]).toMatch(/scratch disk not capped/);
        expect(Number(n)).toBe(160);
      }
    });

    it('gives the good submission full marks, unaffected by the others', () => {
      const good = byName.get('good')!;
      expect(good.total).toBe(10);
      expect(good.tasks.every((t) => t.status === 'ok')).toBe(true);
    });

    it('stops an infinite loop in a cell at the cell timeout', () => {
      const r = byName.get('loop_cell')!;
      expect(r.tasks.find((t) => t.task === 'notebook:ops.ipynb')).toMatchObject({
        status: 'killed',
        reason: expect.stringMatching(/ops\.ipynb cell 2 ran longer than 25 s \(cell timeout\); stopped/),
      });
      expect(r.total).toBe(0);
    });

    it('stops an infinite loop inside a module function called by a hidden test, and runs the other hidden tests', () => {
      const r = byName.get('loop_hidden')!;
      expect(r.tasks.find((t) => t.task === 'hidden:mini.hidden_topk_ties')).toMatchObject({
        status: 'killed',
        reason: expect.stringMatching(/hidden test mini\.hidden_topk_ties ran longer than 25 s/),
      });
      expect(r.items.find((i) => i.id === 'mini.hidden_sum_rows')!.points).toBe(1);
      expect(r.items.find((i) => i.id === 'mini.hidden_empty_class')!.points).toBe(1);
    });

    it('stops unbounded memory at the memory cap', () => {
      expect(reasons(byName.get('memory')!)).toMatch(
        /ops\.ipynb cell 2 (used more than 1536 MB of memory|ran out of memory)/,
      );
    });

    it('reports process.exit(0) at module load and goes on with the next task', () => {
      const r = byName.get('exit_at_load')!;
      expect(reasons(r)).toMatch(/called process\.exit\(0\) in hidden test mini\.hidden_sum_rows/);
      expect(r.tasks.filter((t) => t.task.startsWith('hidden:')).every((t) => t.status === 'killed')).toBe(true);
      expect(r.total).toBe(0);
    });

    it('refuses process.kill of the grader; the grader lives on', () => {
      expect(reasons(byName.get('kill_parent')!)).toMatch(/does not allow signalling other processes/);
    });

    it('refuses to read the solutions or the spec through fs, dynamic import and a relative path through the package link', () => {
      const r = byName.get('read_solutions')!;
      const errors = r.tasks.flatMap((t) => t.errors);
      expect(errors.map((e) => e.where)).toEqual([
        'ops.ipynb cell 2',
        'ops.ipynb cell 3',
        'ops.ipynb cell 4',
        'ops.ipynb cell 5',
      ]);
      // Under bubblewrap a path outside may not exist at all (the permission model answers first where it does).
      const refused = bwrapped
        ? /Access to this API has been restricted \(the grading sandbox lets a submission read only its own files|Cannot find module|ENOENT/
        : /Access to this API has been restricted \(the grading sandbox lets a submission read only its own files/;
      for (const e of errors.slice(0, 3)) expect(e.evalue).toMatch(refused);
      // A relative path through the package link resolves (lexically) inside the unreadable scratch root.
      expect(errors[3].evalue).toMatch(/Cannot find module|Access to this API has been restricted/);
      expect(r.total).toBe(0);
    });

    it("can read the reference's compile cache but finds no code in it (entries are sealed by their inputs), and can change neither it nor the shared data set", () => {
      const r = byName.get('read_compile_cache')!;
      const m = reasons(r).match(/compile cache: read (\d+) files, (\d+) bytes; reference code found: ([^;\n]*)/);
      expect(m).not.toBeNull();
      expect(Number(m![1])).toBeGreaterThan(0); // the route is open: the folder was listed and read
      expect(Number(m![2])).toBeGreaterThan(0);
      expect(m![3]).toBe('none');
      // nothing in the shared folders can be changed for the next student
      const w = reasons(r).match(/shared data set (given|not given); writes: ([^\n]*)/);
      expect(w).not.toBeNull();
      if (hasFashionMnist(defaultFashionMnistDir())) expect(w![1]).toBe('given');
      expect(w![2]).toBe('refused, refused, refused');
    });

    it('refuses a module that requires the solution by its absolute path', () => {
      const r = byName.get('read_require')!;
      expect(reasons(r)).toMatch(/ERR_ACCESS_DENIED|Access to this API has been restricted|Cannot find module/);
      expect(r.total).toBe(0);
    });

    it('refuses writes outside the scratch folder: output folder and repository untouched', () => {
      const r = byName.get('write_out')!;
      expect(reasons(r)).toMatch(/every write outside the scratch folder was refused/);
      expect(fs.existsSync(path.join(out, 'pwned.txt'))).toBe(false);
      expect(fs.existsSync(path.join(REPO, 'kernel', 'pwned.txt'))).toBe(false);
      expect(fs.existsSync(path.join(REPO, 'kernel', 'runtime', 'pwned.txt'))).toBe(false);
      expect(listFiles(path.join(REPO, 'kernel')).filter((f) => /pwned/.test(f))).toEqual([]);
      expect(fs.readFileSync(path.join(out, 'gradebook.csv'), 'utf8')).not.toMatch(/write_out,100/);
    });

    it('refuses to spawn a child process', () => {
      expect(reasons(byName.get('spawn')!)).toMatch(/ERR_ACCESS_DENIED|Access to this API has been restricted/);
      expect(fs.existsSync(path.join(tmp, 'spawned'))).toBe(false);
    });

    it('gives no network to the sandbox (or says so in the report where the OS cannot)', () => {
      const r = byName.get('network')!;
      if (!bwrapped && networkIsolation().note) {
        expect(r.sandboxNotes.join(' ')).toMatch(/network not blocked/);
      } else {
        expect(connections).toBe(0);
        expect(reasons(r)).toMatch(/ENETUNREACH|ECONNREFUSED|EACCES|EPERM/);
      }
    });

    it('stops a submission that prints 100 MB to stdout, and drops captured output past the cap', () => {
      expect(reasons(byName.get('print_100mb')!)).toMatch(
        /wrote more than 10 MB to stdout\/stderr; stopped|cell output beyond 1024 KiB was dropped/,
      );
    });

    it('cannot forge values by patching tf, the runtime or the record codec', () => {
      for (const name of ['forge', 'record_patch']) {
        const text = reasons(byName.get(name)!);
        const outcomes = text.match(/patch outcomes: ([^\n|]*)/)![1].split('; ');
        expect(outcomes.length).toBe(6);
        for (const o of outcomes)
          expect(o).toMatch(
            /: (no effect|refused: .*(read[- ]only|not extensible|only a getter|Cannot assign|Cannot add property|Cannot redefine))/,
          );
      }
      expect(byName.get('forge')!.items.find((i) => i.id === 'mini.hidden_sum_rows')!.points).toBe(0);
    });

    it('scores a notebook that is not JSON, or fails the schema, as 0 with the validator message; the rest is graded', () => {
      const nj = byName.get('not_json')!;
      expect(nj.notebooks.find((n) => n.path === 'ops.ipynb')).toMatchObject({
        ok: false,
        error: expect.stringMatching(/^not valid JSON/),
      });
      expect(nj.items.find((i) => i.id === 'mini.sum_rows')!.points).toBe(0);
      expect(nj.items.find((i) => i.id === 'mini.means')!.points).toBe(1);
      const bs = byName.get('bad_schema')!;
      expect(bs.notebooks.find((n) => n.path === 'ops.ipynb')!.error).toMatch(
        /fails the nbformat v4.5 schema: \/cells\/0/,
      );
      expect(bs.items.find((i) => i.id === 'mini.hidden_sum_rows')!.points).toBe(1);
    });

    it('scores a zip bomb, a zip with ../ entries and an empty submission as invalid with the reason', () => {
      expect(byName.get('zip_bomb')!.invalid).toMatch(/expands to more than 4194304 bytes \(zip bomb\?\)/);
      expect(byName.get('zip_slip')!.invalid).toMatch(/zip slip/);
      expect(fs.existsSync(path.join(tmp, 'evil.txt'))).toBe(false);
      expect(byName.get('empty')!.invalid).toBe('the submission is empty');
      for (const n of ['zip_bomb', 'zip_slip', 'empty']) expect(byName.get(n)!.total).toBe(0);
    });

    it('writes a gradebook with one row per student and a report per student', () => {
      const rows = fs.readFileSync(path.join(out, 'gradebook.csv'), 'utf8').trim().split('\n');
      // A header, the max-points row, then one row per student.
      expect(rows[1]).toMatch(/^\(max points\),/);
      expect(rows.length).toBe(2 + byName.size);
      for (const name of byName.keys()) expect(fs.existsSync(path.join(out, name, 'report.json'))).toBe(true);
      expect(
        listFiles(out).filter(
          (f) =>
            !/^(\.cache\/|[^/]+\/(report\.json|feedback\.html)$|gradebook\.csv$|junit\.xml$|summary\.(json|txt)$)/.test(
              f,
            ),
        ),
      ).toEqual([]);
    });
  });

  describe('resumable', () => {
    it('killed with SIGKILL mid-batch and restarted, gives the same gradebook rows as the uninterrupted run', async () => {
      const names = ['empty', 'forge', 'read_require', 'zip_slip']; // cheap ones: the run is short
      const subs2 = path.join(tmp, 'subs2');
      const out2 = path.join(tmp, 'out2');
      fs.mkdirSync(subs2);
      for (const n of names) {
        const entry = fs.existsSync(path.join(subs, n)) ? n : `${n}.zip`;
        fs.renameSync(path.join(subs, entry), path.join(subs2, entry));
      }
      copyTree(path.join(out, '.cache'), path.join(out2, '.cache')); // the same reference: no need to recompute it
      const args = [
        '--import',
        'tsx',
        path.join(REPO, 'grader', 'cli.ts'),
        '--assignment',
        'mini',
        '--submissions',
        subs2,
        '--out',
        out2,
        '--spec-dir',
        SPEC,
        '--solution-dir',
        SOLUTION,
        '--jobs',
        '1',
        '--cell-timeout',
        '25',
        '--memory',
        '1536',
      ];
      const cli = spawn(process.execPath, args, { cwd: REPO, stdio: 'ignore' });
      // Kill it as soon as the first student is written (the second is then in flight).
      await new Promise<void>((resolve) => {
        const t = setInterval(() => {
          if (names.some((n) => fs.existsSync(path.join(out2, n, 'report.json')))) {
            clearInterval(t);
            cli.kill('SIGKILL');
            resolve();
          }
        }, 50);
      });
      await new Promise((r) => cli.once('exit', r));
      const doneBefore = names.filter((n) => fs.existsSync(path.join(out2, n, 'report.json')));
      expect(doneBefore.length).toBeLessThan(names.length);
      const again = spawn(process.execPath, args, { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      again.stdout!.on('data', (b) => (stdout += b));
      const code = await new Promise((r) => again.once('exit', r));
      expect(code).toBe(0);
      expect(stdout).toMatch(
        new RegExp(
          `${names.length} graded \\(${names.length - doneBefore.length} run, ${doneBefore.length} unchanged\\)`,
        ),
      );
      const rows = (file: string) => fs.readFileSync(file, 'utf8').trim().split('\n');
      const full = rows(path.join(out, 'gradebook.csv'));
      const resumed = rows(path.join(out2, 'gradebook.csv'));
      expect(resumed.slice(0, 2)).toEqual(full.slice(0, 2)); // header and max points
      expect(resumed.slice(2)).toEqual(full.slice(2).filter((r) => names.includes(r.split(',')[0])));
    });
  });
}
