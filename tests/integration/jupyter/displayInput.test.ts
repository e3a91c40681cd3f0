/**
 * tslab's display API, clear_output and stdin through real Jupyter: on the wire with
 * jupyter_client (tests/python/test_display_io.py), and in `nbconvert --execute`, which saves what
 * tslab displayed, clears outputs as the cell asked, and has no stdin (allow_stdin: false).
 */
import * as fs from 'fs';
import { expectUnittestFilePasses } from '../../fixtures/jupyter/python';
import { nbconvert, scratchDir, text, writeNotebook } from '../../fixtures/jupyter/nbconvert';

const SCRATCH = scratchDir('displayInput');
afterAll(() => fs.rmSync(SCRATCH, { recursive: true, force: true }));

test('jupyter_client: tslab bundles, newDisplay updates, clear_output wait flags, input_request answered, no-stdin error', async () => {
  await expectUnittestFilePasses('tests/python/test_display_io.py', 8, 200000);
}, 240000);

test('nbconvert saves tslab displays, applies clearOutput as the cell asked, and input() fails in one line', async () => {
  const file = writeNotebook(SCRATCH, 'displayInput', [
    "import * as tslab from 'tslab';\nimport { clearOutput, input } from 'ts231n';\ntslab.display.markdown('**hi**');",
    "const d = tslab.newDisplay();\nd.text('0%');\nd.text('100%');",
    'console.log(\'gone\');\nclearOutput();\nfor (let i = 1; i <= 3; i++) {\n  clearOutput({ wait: true });\n  tslab.display.svg(`<svg id="f${i}"/>`);\n}',
    "await input('name? ');",
    "'after'",
  ]);
  const r = await nbconvert(file, ['--allow-errors']);
  if (r.code !== 0) throw new Error(`nbconvert failed (${r.code}):\n${r.log.slice(-3000)}`);
  const [md, bar, plot, ask, after] = r.cells;
  expect(md.outputs!.map((o) => [o.output_type, text(o.data?.['text/markdown'] as string[])])).toEqual([
    ['display_data', '**hi**'],
  ]);
  expect(bar.outputs!.map((o) => text(o.data?.['text/plain'] as string[]))).toEqual(['100%']);
  // Only the last redraw is saved: the earlier output and figures were cleared.
  expect(plot.outputs!.map((o) => [o.output_type, text(o.data?.['image/svg+xml'] as string[])])).toEqual([
    ['display_data', '<svg id="f3"/>'],
  ]);
  const err = ask.outputs!.find((o) => o.output_type === 'error')!;
  expect(err.ename).toBe('StdinUnavailableError');
  expect(err.evalue).toMatch(/^input\(\) needs a front end that allows stdin .*: put the value in the cell instead$/);
  expect(after.execution_count).toBe(5);
});
