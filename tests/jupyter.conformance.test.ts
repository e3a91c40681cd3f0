/**
 * The official conformance suite, jupyter_kernel_test (Debian's python3-jupyter-kernel-test on
 * /usr/bin/python3), against the ts231n kernelspec: every applicable test passes; the two that
 * do not apply (pager payloads, clear_output — the runtime has neither) are the only skips.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const REPO = path.resolve(__dirname, '..');

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const p = spawn(cmd, args, { cwd: REPO, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (out += d));
    const t = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.on('close', (code) => {
      clearTimeout(t);
      resolve({ code, out });
    });
  });
}

test('jupyter_kernel_test: all applicable tests pass, only pager and clear_output are skipped', async () => {
  const runtime = fs.mkdtempSync(path.join(os.tmpdir(), 'ts231n-jrt-'));
  const env = { ...process.env, JUPYTER_PATH: path.join(REPO, 'kernel', 'share', 'jupyter'), JUPYTER_RUNTIME_DIR: runtime };
  const probe = await run('/usr/bin/python3', ['-c', 'import jupyter_kernel_test'], env, 30000);
  if (probe.code !== 0) throw new Error('jupyter_kernel_test is not installed for /usr/bin/python3: run `npm run setup` (installs python3-jupyter-kernel-test)');
  const t0 = Date.now();
  const r = await run('/usr/bin/python3', ['-m', 'unittest', '-v', 'tests/python/test_kernel.py'], env, 110000);
  const seconds = (Date.now() - t0) / 1000;
  fs.rmSync(runtime, { recursive: true, force: true });
  const ran = /Ran (\d+) tests? in/.exec(r.out);
  const verdicts = new Map<string, string>();
  for (const m of r.out.matchAll(/^(test_\w+) \(.*?\)(?: \(.*?\))? \.\.\. (ok|FAIL|ERROR|skipped.*)$/gm)) verdicts.set(m[1], m[2]);
  const failures = [...r.out.matchAll(/^(FAIL|ERROR): (test_\w+)/gm)].map((m) => m[2]);
  if (failures.length || r.code !== 0) throw new Error(`conformance failures: ${failures.join(', ') || '(none parsed)'} exit ${r.code}\n${r.out.slice(-4000)}`);
  expect(ran && Number(ran[1])).toBe(12);
  const skipped = [...verdicts].filter(([, v]) => v.startsWith('skipped')).map(([k]) => k).sort();
  expect(skipped).toEqual(['test_clear_output', 'test_pager']);
  for (const name of ['test_kernel_info', 'test_execute_stdout', 'test_execute_stderr', 'test_completion', 'test_is_complete', 'test_error', 'test_execute_result', 'test_display_data', 'test_history', 'test_inspect']) {
    expect([name, verdicts.get(name)]).toEqual([name, 'ok']);
  }
  expect(r.out).toMatch(/OK \(skipped=2\)/);
  process.stdout.write(`jupyter_kernel_test: 10 passed, 0 failed, 2 skipped in ${seconds.toFixed(1)} s\n`);
});
