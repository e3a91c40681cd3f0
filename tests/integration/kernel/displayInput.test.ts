/**
 * kernel/engine: tslab's own display API in cells (each method's MIME bundle, a display updated in
 * place by id, tslab.versions), the runtime's clearOutput() and input()/password() through the
 * hooks a host gives, and a headless notebook run that clears outputs as nbconvert does.
 * (The same features on the Jupyter wire: tests/integration/jupyter/displayInput.test.ts.)
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  Engine,
  executeNotebook,
  TSLAB_PINNED,
  type DisplayOptions,
  type ExecuteHooks,
  type ExecuteReply,
  type MimeBundle,
} from '../../../kernel/engine';
import { TESTS_DIR } from '../../helpers/paths';

const FIXTURES = path.join(TESTS_DIR, 'fixtures', 'engine');

interface Ran {
  reply: ExecuteReply;
  stdout: string;
  displays: Array<{ bundle: MimeBundle; options: DisplayOptions }>;
  clears: boolean[];
}

async function run(engine: Engine, code: string, extra: Partial<ExecuteHooks> = {}): Promise<Ran> {
  const out: Ran = { reply: undefined as unknown as ExecuteReply, stdout: '', displays: [], clears: [] };
  out.reply = await engine.execute(code, {
    stdout: (t) => (out.stdout += t),
    display: (bundle, options) => out.displays.push({ bundle, options }),
    clearOutput: (wait) => out.clears.push(wait),
    ...extra,
  });
  return out;
}

// Cells on one engine build on each other, like a notebook (the first imports tslab).
describe("tslab's public API in a cell", () => {
  let engine: Engine;
  beforeAll(() => {
    engine = new Engine({ cwd: FIXTURES });
  });
  afterAll(() => engine.dispose());

  test("tslab.display.html no longer throws 'Not ready': one display_data with the HTML", async () => {
    const r = await run(engine, "import * as tslab from 'tslab';\ntslab.display.html('<i>x</i>');");
    expect(r.reply.error).toBeUndefined();
    expect(r.displays).toEqual([{ bundle: { 'text/html': '<i>x</i>' }, options: {} }]);
  });

  test('every text method sends its MIME type with the string unchanged', async () => {
    const r = await run(
      engine,
      [
        "tslab.display.markdown('# *m*');",
        "tslab.display.latex('$x^2$');",
        'tslab.display.svg(\'<svg xmlns="http://www.w3.org/2000/svg"/>\');',
        "tslab.display.text('plain');",
        "tslab.display.javascript('console.log(1)');",
        "tslab.display.raw('application/vnd.custom+json', '{\"a\":1}');",
      ].join('\n'),
    );
    expect(r.reply.error).toBeUndefined();
    expect(r.displays.map((d) => d.bundle)).toEqual([
      { 'text/markdown': '# *m*' },
      { 'text/latex': '$x^2$' },
      { 'image/svg+xml': '<svg xmlns="http://www.w3.org/2000/svg"/>' },
      { 'text/plain': 'plain' },
      { 'text/javascript': 'console.log(1)' },
      { 'application/vnd.custom+json': '{"a":1}' },
    ]);
    expect(r.displays.every((d) => Object.keys(d.options).length === 0)).toBe(true);
  });

  test('binary methods (png, jpeg, gif, pdf, raw with bytes) send base64 of the bytes', async () => {
    const r = await run(
      engine,
      [
        'const bytes = new Uint8Array([137, 80, 78, 71, 0, 255]);',
        'tslab.display.png(bytes);',
        'tslab.display.jpeg(bytes);',
        'tslab.display.gif(Buffer.from(bytes));',
        'tslab.display.pdf(bytes);',
        "tslab.display.raw('image/webp', bytes);",
      ].join('\n'),
    );
    expect(r.reply.error).toBeUndefined();
    const b64 = Buffer.from([137, 80, 78, 71, 0, 255]).toString('base64');
    expect(r.displays.map((d) => d.bundle)).toEqual([
      { 'image/png': b64 },
      { 'image/jpeg': b64 },
      { 'image/gif': b64 },
      { 'application/pdf': b64 },
      { 'image/webp': b64 },
    ]);
  });

  test('newDisplay(): the first call shows an output named by a display id, later calls update it', async () => {
    const r = await run(
      engine,
      [
        'const d = tslab.newDisplay();',
        'const other = tslab.newDisplay();',
        "d.text('epoch 1');",
        "other.html('<b>other</b>');",
        "d.text('epoch 2');",
        "d.markdown('**done**');",
      ].join('\n'),
    );
    expect(r.reply.error).toBeUndefined();
    const [first, second, third, fourth] = r.displays;
    expect(first.bundle).toEqual({ 'text/plain': 'epoch 1' });
    expect(first.options).toEqual({ displayId: expect.stringMatching(/^[0-9a-f]{16}$/) });
    expect(second).toEqual({ bundle: { 'text/html': '<b>other</b>' }, options: { displayId: expect.any(String) } });
    expect(second.options.displayId).not.toBe(first.options.displayId);
    expect(third).toEqual({
      bundle: { 'text/plain': 'epoch 2' },
      options: { displayId: first.options.displayId, update: true },
    });
    expect(fourth).toEqual({
      bundle: { 'text/markdown': '**done**' },
      options: { displayId: first.options.displayId, update: true },
    });
  });

  test('tslab.versions names the pinned tslab, its TypeScript and this Node', async () => {
    const r = await run(engine, "[tslab.versions.tslab, tslab.versions.typescript, tslab.versions.node].join(' ')");
    expect(r.reply.result?.['text/plain']).toMatch(
      new RegExp(
        `^'${TSLAB_PINNED.replace(/\./g, '\\.')} \\d+\\.\\d+\\.\\d+ ${process.version.replace(/\./g, '\\.')}'$`,
      ),
    );
  });

  test('a host without a display hook gets the text form on stdout', async () => {
    let stdout = '';
    const reply = await engine.execute("tslab.display.text('as text'); tslab.display.html('<p>dropped</p>');", {
      stdout: (t) => (stdout += t),
    });
    expect(reply.error).toBeUndefined();
    expect(stdout).toBe('as text\n');
  });
});

describe('clearOutput, input and password through the hooks', () => {
  let engine: Engine;
  beforeAll(() => {
    engine = new Engine({ cwd: FIXTURES });
  });
  afterAll(() => engine.dispose());

  test('clearOutput() and clearOutput({ wait: true }) reach the host in order', async () => {
    const r = await run(
      engine,
      "import { clearOutput, input, password } from 'ts231n';\nclearOutput();\nclearOutput({ wait: true });",
    );
    expect(r.reply.error).toBeUndefined();
    expect(r.clears).toEqual([false, true]);
  });

  test('clearOutput with a wait that is not a boolean is a one-line TypeError', async () => {
    const r = await run(engine, "clearOutput({ wait: 'yes' as unknown as boolean });");
    expect(r.reply.error?.ename).toBe('TypeError');
    expect(r.reply.error?.evalue).toBe('clearOutput: wait must be true or false, got "yes"');
    expect(r.clears).toEqual([]);
  });

  test('input() and password() get the answers of a host that allows stdin', async () => {
    const asked: Array<{ prompt: string; password: boolean }> = [];
    const answers = ['Ada', 's3cret'];
    const r = await run(
      engine,
      "const who = await input('name? ');\nconst pw = await password('token: ');\n`${who}:${pw.length}`",
      {
        input: async (req) => {
          asked.push(req);
          return answers.shift()!;
        },
      },
    );
    expect(r.reply.error).toBeUndefined();
    expect(asked).toEqual([
      { prompt: 'name? ', password: false },
      { prompt: 'token: ', password: true },
    ]);
    expect(r.reply.result?.['text/plain']).toBe("'Ada:6'");
  });

  test('without stdin (nbconvert, the grader) input() fails with one line that says what to do', async () => {
    const r = await run(engine, "await input('name? ');");
    expect(r.reply.status).toBe('error');
    expect(r.reply.error?.ename).toBe('StdinUnavailableError');
    expect(r.reply.error?.evalue).toBe(
      'input() needs a front end that allows stdin (a notebook or console); this run has none (nbconvert, the grader, a script): put the value in the cell instead',
    );
    const p = await run(engine, "await password('token: ');");
    expect(p.reply.error?.evalue).toMatch(/^password\(\) needs a front end that allows stdin/);
  });
});

describe('a headless notebook run (executeNotebook) clears outputs as nbconvert does', () => {
  let dir: string;
  beforeAll(() => {
    // Outside the kit: `ts231n` and `tslab` still resolve (kernel/engine/kitPackage.ts).
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clear-nb-'));
    const cell = (id: string, source: string) => ({
      cell_type: 'code',
      execution_count: null,
      id,
      metadata: {},
      outputs: [],
      source,
    });
    const nb = {
      cells: [
        cell('a', "import { clearOutput } from 'ts231n';\nconsole.log('gone');\nclearOutput();\nconsole.log('kept');"),
        // IPython's live-plot pattern: each redraw replaces the last one; only the final state is saved.
        cell(
          'b',
          "import * as tslab from 'tslab';\nfor (let i = 1; i <= 3; i++) {\n  clearOutput({ wait: true });\n  tslab.display.html(`<p>plot ${i}</p>`);\n  console.log(`epoch ${i}`);\n}",
        ),
        // wait: true with nothing after it keeps the outputs (the clear waits for an output that never comes).
        cell('c', "console.log('still here');\nclearOutput({ wait: true });"),
        // A display cleared away can no longer be updated; a new one can.
        cell(
          'd',
          "const d = tslab.newDisplay();\nd.text('old');\nclearOutput();\nd.text('update of a cleared display');\n7",
        ),
      ],
      metadata: {},
      nbformat: 4,
      nbformat_minor: 5,
    };
    fs.writeFileSync(path.join(dir, 'clear.ipynb'), JSON.stringify(nb));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('clear, clear with wait, and a clear that waits for nothing', async () => {
    const r = await executeNotebook(path.join(dir, 'clear.ipynb'));
    expect(r.cells.map((c) => c.reply.error ?? null)).toEqual([null, null, null, null]);
    const [a, b, c, d] = r.cells.map((x) => x.outputs);
    expect(a).toEqual([{ output_type: 'stream', name: 'stdout', text: 'kept\n' }]);
    expect(b).toEqual([
      { output_type: 'display_data', data: { 'text/html': '<p>plot 3</p>' }, metadata: {} },
      { output_type: 'stream', name: 'stdout', text: 'epoch 3\n' },
    ]);
    expect(c).toEqual([{ output_type: 'stream', name: 'stdout', text: 'still here\n' }]);
    expect(d).toEqual([
      { output_type: 'execute_result', execution_count: 4, data: { 'text/plain': '7' }, metadata: {} },
    ]);
  });
});
