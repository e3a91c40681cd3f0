/**
 * `--ExecutePreprocessor.timeout=5` on a `while (true) {}` cell, through real nbconvert:
 * with interrupt_on_timeout the kernel is interrupted (interrupt_request, interrupt_mode "message") and
 * keeps its state; without it the run fails and the kernel process ends.
 */
import * as fs from 'fs';
import * as path from 'path';
import { alive, nbconvert, scratchDir, text, writeNotebook } from '../../fixtures/jupyter/nbconvert';

const SCRATCH = scratchDir('interrupt');
afterAll(() => fs.rmSync(SCRATCH, { recursive: true, force: true }));

test('interrupt_on_timeout stops while (true) {}; the kernel survives with its state', async () => {
  const r = await nbconvert(writeNotebook(SCRATCH, 'interrupt', ['let n = 41;', 'while (true) {}', 'n + 1']), [
    '--allow-errors',
    '--ExecutePreprocessor.timeout=5',
    '--ExecutePreprocessor.interrupt_on_timeout=True',
  ]);
  if (r.code !== 0) throw new Error(`nbconvert failed (${r.code}):\n${r.log.slice(-3000)}`);
  const [, loop, after] = r.cells;
  expect(loop.outputs!.find((o) => o.output_type === 'error')!.ename).toBe('InterruptError');
  expect(text(after.outputs!.find((o) => o.output_type === 'execute_result')!.data!['text/plain'] as string[])).toBe(
    '42',
  );
});

test('a timeout without interrupt_on_timeout fails the run and the kernel process ends', async () => {
  const pidFile = path.join(SCRATCH, 'kernel.pid');
  const r = await nbconvert(
    writeNotebook(SCRATCH, 'timeout', [
      `import * as fs from 'fs';\nfs.writeFileSync(${JSON.stringify(pidFile)}, String(process.pid));`,
      'while (true) {}',
    ]),
    ['--ExecutePreprocessor.timeout=5'],
  );
  expect(r.code).not.toBe(0);
  expect(r.log).toMatch(/timed out/i);
  const pid = Number(fs.readFileSync(pidFile, 'utf8'));
  expect(pid).toBeGreaterThan(0);
  for (let i = 0; i < 50 && alive(pid); i++) await new Promise((res) => setTimeout(res, 100));
  expect(alive(pid)).toBe(false);
});
