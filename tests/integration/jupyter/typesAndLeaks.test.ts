/**
 * Typed completions, TSDoc inspection and the tensor-leak meter through real Jupyter:
 * jupyter_client on the wire (tests/python/test_types_and_leaks.py: `_jupyter_types_experimental`
 * per match, `svmLossNaive`'s docstring with its shapes, the leak line on stderr, TS231N_LEAKS=off)
 * and `jupyter nbconvert --execute`, where the leak line is saved as a stderr stream of its cell.
 */
import * as fs from 'fs';
import { nbconvert, scratchDir, text, writeNotebook } from '../../fixtures/jupyter/nbconvert';
import { expectUnittestFilePasses } from '../../fixtures/jupyter/python';

const SCRATCH = scratchDir('leaks');
afterAll(() => fs.rmSync(SCRATCH, { recursive: true, force: true }));

test('jupyter_client: completions carry types, inspect shows TSDoc, a leaking cell gets the line', async () => {
  await expectUnittestFilePasses('tests/python/test_types_and_leaks.py', 7, 300000);
}, 330000); // two kernel starts and a runtime import each: over 2 minutes on a loaded 2-core box

test('nbconvert --execute saves the leak line as a stderr stream of the leaking cell, and none elsewhere', async () => {
  const file = writeNotebook(SCRATCH, 'leaky', [
    "import { tf } from 'ts231n';",
    'const kept = Array.from({ length: 200 }, (_, i) => tf.scalar(i));',
    "for (let i = 0; i < 250; i++) tf.scalar(i).square();\nconsole.log('trained');",
  ]);
  const r = await nbconvert(file, []);
  if (r.code !== 0) throw new Error(`nbconvert failed (${r.code}):\n${r.log.slice(-3000)}`);
  const [, kept, leaky] = r.cells.filter((c) => c.cell_type === 'code');
  expect(kept.outputs).toEqual([]);
  expect(leaky.outputs!.map((o) => [o.output_type, o.name])).toEqual([
    ['stream', 'stdout'],
    ['stream', 'stderr'],
  ]);
  expect(text(leaky.outputs![1].text)).toMatch(
    /^⚠ this cell left 500 tensors \(2 kB\) alive — wrap the loop in tf\.tidy\(\) or dispose\(\) them/,
  );
}, 240000);
