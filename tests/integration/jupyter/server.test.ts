/**
 * The classic notebook server (Debian's notebook 6.4 on /usr/bin/python3) with the ts231n
 * kernel, driven as a browser would by tests/python/notebook_server.py: REST kernelspecs,
 * start, a cell over the kernels websocket, REST interrupt of `while (true) {}`, delete.
 */
import { spawn } from 'child_process';
import * as path from 'path';
import { TESTS_DIR } from '../../helpers/paths';

const REPO = path.resolve(TESTS_DIR, '..');

test('notebook server on 127.0.0.1: lists, starts, runs a cell over the websocket, interrupts, shuts down', async () => {
  const { code, out } = await new Promise<{ code: number | null; out: string }>((resolve) => {
    const p = spawn('/usr/bin/python3', [path.join(TESTS_DIR, 'python', 'notebook_server.py'), REPO], {
      cwd: REPO,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (err += d));
    const t = setTimeout(() => p.kill('SIGKILL'), 110000);
    p.on('close', (c) => {
      clearTimeout(t);
      resolve({ code: c, out: out || err });
    });
  });
  let seen: Record<string, unknown>;
  try {
    seen = JSON.parse(out.trim().split('\n').pop()!);
  } catch {
    throw new Error(`notebook_server.py printed no JSON (exit ${code}):\n${out.slice(-3000)}`);
  }
  if (code !== 0)
    throw new Error(`notebook_server.py failed: ${seen.error}\n${String(seen.server_log ?? '').slice(-2000)}`);
  expect(seen.kernelspecs).toContain('ts231n');
  expect(seen.display_name).toBe('TypeScript (ts231n)');
  expect(seen.start_status).toBe(201);
  expect(seen.reply).toEqual({ status: 'ok', execution_count: 1 });
  expect(seen.outputs).toEqual([
    expect.objectContaining({ type: 'stream', name: 'stdout', text: 'from the websocket\n' }),
    expect.objectContaining({ type: 'execute_result', execution_count: 1, data: { 'text/plain': '6' } }),
  ]);
  expect(seen.interrupt_reply).toEqual({ status: 'error', ename: 'InterruptError' });
  expect(seen.after_interrupt).toEqual(['3']);
  expect(seen.delete_status).toBe(204);
  expect(seen.kernels_after_delete).toBe(0);
  process.stdout.write(`notebook server: kernel start + first cell ${seen.first_cell_seconds} s\n`);
});
