/**
 * Headless runs through real Jupyter: `jupyter nbconvert --to notebook --execute` (Debian's
 * nbconvert 6.5 / nbclient 0.7) with the ts231n kernelspec — errors, outputs, re-import.
 * Interrupts and timeouts are in jupyter.interrupt.test.ts.
 */
import * as fs from 'fs';
import * as path from 'path';
import {
  nbconvert,
  runtimeOutputFrom,
  scratchDir,
  text,
  writeNotebook,
  type Cell,
} from '../../fixtures/jupyter/nbconvert';

const SCRATCH = scratchDir('nbconvert');
afterAll(() => fs.rmSync(SCRATCH, { recursive: true, force: true }));

const result = (c: Cell): string =>
  text(c.outputs!.find((o) => o.output_type === 'execute_result')?.data?.['text/plain'] as string[]);

const cells = [
  `const label: number = 'cat';`,
  `function scale(n: number): number {\n  if (n > 2) throw new RangeError('n too large: ' + n);\n  return n;\n}\nscale(3);`,
  `console.log('still running');\n6 * 7`,
  `import { emit } from '${runtimeOutputFrom(SCRATCH)}';\nemit({ 'text/html': '<b>bold</b>', 'text/plain': 'bold' });\nemit({ 'text/plain': 'progress 0%' }, { displayId: 'bar' });\nemit({ 'text/plain': 'progress 100%' }, { displayId: 'bar', update: true });`,
  `import { answer } from './answer';\nanswer`,
  `import * as fs from 'fs';\nfs.writeFileSync('answer.ts', 'export const answer = 2;\\n');`,
  `import { answer } from './answer';\nanswer`,
];

test('type and runtime errors become error outputs; later cells run (--allow-errors); counts, displays, re-import', async () => {
  fs.writeFileSync(path.join(SCRATCH, 'answer.ts'), 'export const answer = 1;\n');
  const r = await nbconvert(writeNotebook(SCRATCH, 'errors', cells), ['--allow-errors']);
  if (r.code !== 0) throw new Error(`nbconvert failed (${r.code}):\n${r.log.slice(-3000)}`);
  const [typeErr, runtimeErr, ok, display, import1, , import2] = r.cells;
  expect(r.cells.map((c) => c.execution_count)).toEqual([1, 2, 3, 4, 5, 6, 7]);

  const e1 = typeErr.outputs!.find((o) => o.output_type === 'error')!;
  expect(e1.evalue).toMatch(/Type 'string' is not assignable to type 'number'/);
  expect(e1.traceback!.join('\n')).toMatch(/line 1/);

  const e2 = runtimeErr.outputs!.find((o) => o.output_type === 'error')!;
  expect([e2.ename, e2.evalue]).toEqual(['RangeError', 'n too large: 3']);
  expect(e2.traceback!.join('\n')).toMatch(/line 2/);

  expect(ok.outputs!.map((o) => o.output_type)).toEqual(['stream', 'execute_result']);
  expect(text(ok.outputs![0].text)).toBe('still running\n');
  expect(ok.outputs![1].execution_count).toBe(3);
  expect(result(ok)).toBe('42');

  const shown = display.outputs!.filter((o) => o.output_type === 'display_data');
  expect(shown).toHaveLength(2);
  expect(text(shown[0].data!['text/html'] as string[])).toBe('<b>bold</b>');
  // nbclient applies update_display_data to the output with the same display_id.
  expect(text(shown[1].data!['text/plain'] as string[])).toBe('progress 100%');

  // A local module edited on disk is reloaded when a cell imports it again.
  expect([result(import1), result(import2)]).toEqual(['1', '2']);
  process.stdout.write(`nbconvert, 7-cell notebook: ${r.seconds.toFixed(1)} s\n`);
});

test('without --allow-errors the run stops at the first error and names it', async () => {
  const r = await nbconvert(writeNotebook(SCRATCH, 'stops', cells.slice(0, 3)), []);
  expect(r.code).not.toBe(0);
  expect(r.log).toMatch(/Type 'string' is not assignable to type 'number'/);
  expect(r.cells).toEqual([]); // nbconvert writes no notebook when a cell fails
});
