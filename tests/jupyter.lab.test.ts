/**
 * `npm run lab` (kernel/jupyter/lab.ts): finds a Jupyter front end, serves on 127.0.0.1 with
 * JUPYTER_PATH pointing at the repository's kernelspec, and stops cleanly on SIGTERM.
 */
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { labCommand, parseArgs } from '../kernel/jupyter/lab';

const REPO = path.resolve(__dirname, '..');
const TSX = path.join(REPO, 'node_modules', '.bin', 'tsx');
const LAB = path.join(REPO, 'kernel', 'jupyter', 'lab.ts');

/** GET JSON without keep-alive (no socket left open when the test ends). */
function getJson(url: string, token: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent: false, headers: { Authorization: `token ${token}` } }, (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => (res.statusCode === 200 ? resolve(JSON.parse(body)) : reject(new Error(`HTTP ${res.statusCode}`))));
      })
      .on('error', reject);
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

test('the command: 127.0.0.1, notebook dir inside the repo, absolute JUPYTER_PATH first, options passed on', () => {
  const opts = parseArgs(['--dir', 'assignments', '--no-browser', '--port=9999']);
  const cmd = labCommand({ name: 'classic notebook', command: '/usr/bin/python3', args: ['-m', 'notebook'] }, opts);
  expect(cmd.args).toEqual(expect.arrayContaining(['-m', 'notebook', '--ip=127.0.0.1', `--notebook-dir=${path.join(REPO, 'assignments')}`, '--no-browser', '--port=9999']));
  const first = cmd.env.JUPYTER_PATH!.split(path.delimiter)[0];
  expect(first).toBe(path.join(REPO, 'kernel', 'share', 'jupyter'));
  expect(path.isAbsolute(first)).toBe(true);
  expect(() => parseArgs(['--dir'])).toThrow(/--dir needs a folder/);
  // Ours are taken out wherever they are; the rest reach Jupyter in order, everything after `--` included.
  expect(parseArgs(['--port', '9000', '--dir=assignments', '--classic', '-y', '--', '--dir', 'x'])).toEqual({
    dir: 'assignments',
    classic: true,
    dryRun: false,
    passThrough: ['--port', '9000', '-y', '--', '--dir', 'x'],
  });
});

test('bad --dir is one line and exit 2', () => {
  const r = spawnSync(TSX, [LAB, '--dir', 'no-such-folder', '--dry-run'], { cwd: REPO, encoding: 'utf8' });
  expect(r.status).toBe(2);
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  expect(r.stderr).toMatch(/is not a folder; pass --dir/);
});

test('npm run lab --classic serves the ts231n kernelspec on 127.0.0.1 and stops on SIGTERM', async () => {
  const port = await freePort();
  const token = 'ts231n-test-' + process.pid;
  const cfg = fs.mkdtempSync(path.join(os.tmpdir(), 'ts231n-lab-'));
  const child = spawn(TSX, [LAB, '--classic', '--no-browser', `--port=${port}`, '--port-retries=0', `--NotebookApp.token=${token}`], {
    cwd: REPO,
    env: { ...process.env, JUPYTER_CONFIG_DIR: path.join(cfg, 'config'), JUPYTER_RUNTIME_DIR: path.join(cfg, 'runtime') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout.on('data', (d) => (log += d));
  child.stderr.on('data', (d) => (log += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    type Specs = { kernelspecs: Record<string, { spec: { display_name: string } }> };
    let specs: Specs | null = null as Specs | null;
    for (let i = 0; i < 120 && !specs; i++) {
      await new Promise((r) => setTimeout(r, 500));
      try {
        specs = (await getJson(`http://127.0.0.1:${port}/api/kernelspecs`, token)) as Specs;
      } catch {
        /* not up yet */
      }
    }
    if (!specs) throw new Error(`the notebook server did not come up:\n${log.slice(-2000)}`);
    expect(specs.kernelspecs.ts231n.spec.display_name).toBe('TypeScript (ts231n)');
    expect(log).toMatch(/starting the classic notebook/);
  } finally {
    child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const code = await Promise.race([exited, new Promise<string>((r) => (timer = setTimeout(() => r('timeout'), 20000)))]);
    clearTimeout(timer);
    if (code === 'timeout') child.kill('SIGKILL');
    fs.rmSync(cfg, { recursive: true, force: true });
    expect(code).not.toBe('timeout');
  }
});
