/**
 * The tensor-leak meter (kernel/engine/leakMeter.ts): a cell that leaves tensors alive gets one
 * line on stderr; a cell that keeps its tensors in top-level names, or tidies them, gets none;
 * `leakMeter(…)`, `TS231N_LEAKS` and `new Engine({ leakMeter: false })` turn it off or move the
 * thresholds; headless notebook runs show the line as a stderr stream output.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Engine, executeNotebook, type ExecuteReply } from '../../../kernel/engine';
import { mainGlobal, mainProcess } from '../../../kernel/engine/mainContext';
import { leakLine } from '../../../kernel/engine/leakMeter';
import { LEAK_SETTINGS_KEY, leakSettingsFromEnv, effectiveLeakSettings } from '../../../kernel/protocol';
import { TESTS_DIR } from '../../helpers/paths';

const FIXTURES = path.join(TESTS_DIR, 'fixtures', 'engine');
const WARNING =
  /^⚠ this cell left ([\d,]+) tensors? \(([^)]+)\) alive — wrap the loop in tf\.tidy\(\) or dispose\(\) them/m;

async function run(engine: Engine, code: string): Promise<{ reply: ExecuteReply; stderr: string }> {
  let stderr = '';
  const reply = await engine.execute(code, {
    stderr: (t) => (stderr += t),
    stdout: () => undefined,
    display: () => undefined,
  });
  return { reply, stderr };
}

/** Settings a cell chose live on globalThis for the process; each block starts from none. */
function forgetCellSettings(): void {
  delete mainGlobal[LEAK_SETTINGS_KEY];
}

describe('the line', () => {
  test('says how many tensors and how much memory, with thousands grouped', () => {
    expect(leakLine({ tensors: 1204, bytes: 37_000_000 })).toMatch(
      /^⚠ this cell left 1,204 tensors \(37 MB\) alive — wrap the loop in tf\.tidy\(\) or dispose\(\) them/,
    );
    expect(leakLine({ tensors: 1, bytes: 400 })).toMatch(/left 1 tensor \(400 bytes\) alive/);
    expect(leakLine({ tensors: 300, bytes: 2400 })).toMatch(/left 300 tensors \(2 kB\) alive/);
  });
});

describe('TS231N_LEAKS', () => {
  test('off, on and thresholds are read; anything else is a one-line error', () => {
    expect(leakSettingsFromEnv({ TS231N_LEAKS: 'off' }).settings).toEqual({ off: true });
    expect(leakSettingsFromEnv({ TS231N_LEAKS: '0' }).settings).toEqual({ off: true });
    expect(leakSettingsFromEnv({ TS231N_LEAKS: 'on' }).settings).toEqual({ off: false });
    expect(leakSettingsFromEnv({}).settings).toEqual({});
    expect(leakSettingsFromEnv({ TS231N_LEAKS: 'tensors=20, mb=1.5' }).settings).toEqual({
      off: false,
      tensors: 20,
      megabytes: 1.5,
    });
    const bad = leakSettingsFromEnv({ TS231N_LEAKS: 'lots' });
    expect(bad.settings).toEqual({});
    expect(bad.error).toMatch(/^TS231N_LEAKS="lots" is not understood: use off, on, or thresholds/);
    expect(bad.error).not.toMatch(/\n/);
    expect(effectiveLeakSettings({ tensors: 20 }, { megabytes: 5 })).toEqual({ off: false, tensors: 20, megabytes: 5 });
  });
});

// One engine, cells in order like a notebook.
describe('in a notebook', () => {
  let engine: Engine;
  beforeAll(async () => {
    forgetCellSettings();
    engine = new Engine({ cwd: FIXTURES });
    const r = await run(engine, "import { tf, leakMeter } from 'ts231n';");
    expect(r.reply.status).toBe('ok');
  });
  afterAll(() => {
    engine.dispose();
    forgetCellSettings();
  });

  test('a loop that forgets tf.tidy shows the line, with the tensors it left', async () => {
    const r = await run(engine, 'for (let i = 0; i < 300; i++) tf.scalar(i).add(1);');
    expect(r.reply.status).toBe('ok');
    const m = WARNING.exec(r.stderr);
    expect(m?.[1]).toBe('600'); // the scalar and its sum, 300 times
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  test('the same loop in tf.tidy, or with dispose(), shows nothing', async () => {
    expect((await run(engine, 'tf.tidy(() => { for (let i = 0; i < 300; i++) tf.scalar(i).add(1); });')).stderr).toBe(
      '',
    );
    const disposed = await run(
      engine,
      'for (let i = 0; i < 300; i++) { const a = tf.scalar(i); const b = a.add(1); a.dispose(); b.dispose(); }',
    );
    expect(disposed.stderr).toBe('');
  });

  test('tensors the cell keeps in its names (an array, an object of arrays, a class instance, a Map) are not counted', async () => {
    const kept = await run(
      engine,
      [
        'const scalars: tf.Tensor[] = [];',
        'for (let i = 0; i < 150; i++) scalars.push(tf.scalar(i));',
        'const params = { W: Array.from({ length: 120 }, () => tf.zeros([2])) };',
        'class Net { layers = { b: Array.from({ length: 110 }, () => tf.ones([3])) }; }',
        'const net = new Net();',
        'const byName = new Map(Array.from({ length: 105 }, (_, i) => [`t${i}`, tf.scalar(i)] as const));',
        'let big = tf.zeros([16_000_000]);', // 64 MB, above the 50 MB threshold on its own
      ].join('\n'),
    );
    expect(kept.reply.status).toBe('ok');
    expect(kept.stderr).toBe('');
  });

  test('a name that holds an older tensor does not hide new growth, and reassigning a name counts the old value as left', async () => {
    // `big` is from the cell before; the new tensors are held by nothing.
    const r = await run(engine, 'const again = big;\nfor (let i = 0; i < 150; i++) tf.scalar(i);');
    expect(WARNING.exec(r.stderr)?.[1]).toBe('150');
    // The earlier 64 MB tensor is overwritten without dispose(): it is left alive by this cell's loop.
    const re = await run(engine, 'for (let i = 0; i < 2; i++) big = tf.zeros([16_000_000]);');
    expect(WARNING.exec(re.stderr)?.[2]).toBe('64 MB');
  });

  test('a cell that fails half-way still reports what it left', async () => {
    const r = await run(engine, "for (let i = 0; i < 200; i++) tf.scalar(i);\nthrow new Error('late');");
    expect(r.reply.status).toBe('error');
    expect(WARNING.exec(r.stderr)?.[1]).toBe('200');
  });

  test('leakMeter({ off: true }) silences it from that cell on; thresholds move it; leakMeter() says what is in force', async () => {
    const off = await run(engine, 'leakMeter({ off: true });\nfor (let i = 0; i < 300; i++) tf.scalar(i);');
    expect(off.stderr).toBe('');
    expect((await run(engine, 'for (let i = 0; i < 300; i++) tf.scalar(i);')).stderr).toBe('');
    const low = await run(
      engine,
      'leakMeter({ off: false, tensors: 10 });\nfor (let i = 0; i < 11; i++) tf.scalar(i);',
    );
    expect(WARNING.exec(low.stderr)?.[1]).toBe('11');
    expect((await run(engine, 'for (let i = 0; i < 10; i++) tf.scalar(i);')).stderr).toBe('');
    const mb = await run(engine, 'leakMeter({ tensors: 100, megabytes: 1 });\ntf.zeros([300_000]);'); // 1.2 MB
    expect(WARNING.exec(mb.stderr)?.[2]).toBe('1.2 MB');
    const now = await engine.execute('JSON.stringify(leakMeter())');
    expect(now.result?.['text/plain']).toBe(`'${JSON.stringify({ off: false, tensors: 100, megabytes: 1 })}'`);
  });

  test('a bad leakMeter argument is a one-line TypeError that names the field', async () => {
    const r = await engine.execute('leakMeter({ tensors: -1 })');
    expect(r.error?.ename).toBe('TypeError');
    expect(r.error?.evalue).toBe('leakMeter({ tensors }) takes a number ≥ 0, got -1');
    const unknown = await engine.execute('leakMeter({ of: true } as never)');
    expect(unknown.error?.evalue).toBe('leakMeter has no option "of": use off, tensors or megabytes');
  });
});

describe('turned off from outside', () => {
  // The engine reads the environment of the process's main context (jest gives tests a copy).
  const env = mainProcess.env;
  const saved = env.TS231N_LEAKS;
  afterEach(() => {
    if (saved === undefined) delete env.TS231N_LEAKS;
    else env.TS231N_LEAKS = saved;
    forgetCellSettings();
  });

  test('TS231N_LEAKS=off, and new Engine({ leakMeter: false }) even when a cell turns it on', async () => {
    forgetCellSettings();
    env.TS231N_LEAKS = 'off';
    const viaEnv = new Engine({ cwd: FIXTURES });
    try {
      await run(viaEnv, "import { tf, leakMeter } from 'ts231n';");
      expect((await run(viaEnv, 'for (let i = 0; i < 300; i++) tf.scalar(i);')).stderr).toBe('');
    } finally {
      viaEnv.dispose();
    }
    delete env.TS231N_LEAKS;
    const grader = new Engine({ cwd: FIXTURES, leakMeter: false });
    try {
      await run(grader, "import { tf, leakMeter } from 'ts231n';");
      expect(
        (await run(grader, 'leakMeter({ off: false });\nfor (let i = 0; i < 300; i++) tf.scalar(i);')).stderr,
      ).toBe('');
    } finally {
      grader.dispose();
    }
  });

  test('TS231N_LEAKS with thresholds applies them; a value it cannot read is said once, under the first cell', async () => {
    env.TS231N_LEAKS = 'tensors=5';
    const low = new Engine({ cwd: FIXTURES });
    try {
      await run(low, "import { tf } from 'ts231n';");
      expect(WARNING.exec((await run(low, 'for (let i = 0; i < 6; i++) tf.scalar(i);')).stderr)?.[1]).toBe('6');
    } finally {
      low.dispose();
    }
    env.TS231N_LEAKS = 'lots';
    const bad = new Engine({ cwd: FIXTURES });
    try {
      const first = await run(bad, '1 + 1');
      expect(first.stderr).toMatch(
        /^ts231n: TS231N_LEAKS="lots" is not understood: .*; the leak meter uses its defaults\n$/,
      );
      expect((await run(bad, '2 + 2')).stderr).toBe('');
    } finally {
      bad.dispose();
    }
  });
});

test('a headless notebook run shows the line as a stderr stream under the leaking cell only', async () => {
  forgetCellSettings();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ts231n-leaks-'));
  const cell = (source: string) => ({ cell_type: 'code', metadata: {}, outputs: [], execution_count: null, source });
  const nb = {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {},
    cells: [
      cell("import { tf } from 'ts231n';"),
      cell('const kept = Array.from({ length: 200 }, (_, i) => tf.scalar(i));'),
      cell('for (let i = 0; i < 250; i++) tf.scalar(i).square();\nconsole.log("done");'),
    ],
  };
  const file = path.join(dir, 'leaky.ipynb');
  fs.writeFileSync(file, JSON.stringify(nb));
  try {
    const r = await executeNotebook(file);
    expect(r.cells.map((c) => c.reply.status)).toEqual(['ok', 'ok', 'ok']);
    expect(r.cells[1].outputs).toEqual([]);
    const streams = r.cells[2].outputs.filter((o) => o.output_type === 'stream');
    expect(streams).toEqual([
      { output_type: 'stream', name: 'stdout', text: 'done\n' },
      { output_type: 'stream', name: 'stderr', text: expect.stringMatching(WARNING) },
    ]);
    expect(WARNING.exec((streams[1] as { text: string }).text)?.[1]).toBe('500');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
