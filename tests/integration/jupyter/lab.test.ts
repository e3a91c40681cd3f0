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
import { labCommand, parseArgs } from '../../../kernel/jupyter/lab';
import { TESTS_DIR } from '../../helpers/paths';

const REPO = path.resolve(TESTS_DIR, '..');
const TSX = path.join(REPO, 'node_modules', '.bin', 'tsx');
const LAB = path.join(REPO, 'kernel', 'jupyter', 'lab.ts');

/** GET JSON without keep-alive (no socket left open when the test ends). */
function getJson(url: string, token: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent: false, headers: { Authorization: `token ${token}` } }, (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () =>
          res.statusCode === 200 ? resolve(JSON.parse(body)) : reject(new Error(`HTTP ${res.statusCode}`)),
        );
      })
      .on('error', reject);
  });
}

/** PUT JSON (a save through the contents API, as the notebook's Save button does). */
function putJson(url: string, token: string, body: unknown): Promise<number> {
  return new Promise((resolve, reject) => {
    const data = JSON.stringify(body);
    const req = http.request(
      url,
      {
        method: 'PUT',
        agent: false,
        headers: {
          Authorization: `token ${token}`,
          'Content-Type': 'application/json',
          'Content-Length': Buffer.byteLength(data),
        },
      },
      (res) => {
        let text = '';
        res.on('data', (d) => (text += d));
        res.on('end', () =>
          res.statusCode === 200 || res.statusCode === 201
            ? resolve(res.statusCode)
            : reject(new Error(`HTTP ${res.statusCode}: ${text}`)),
        );
      },
    );
    req.on('error', reject);
    req.end(data);
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
  expect(cmd.args).toEqual(
    expect.arrayContaining([
      '-m',
      'notebook',
      '--ip=127.0.0.1',
      `--notebook-dir=${path.join(REPO, 'assignments')}`,
      '--no-browser',
      '--port=9999',
    ]),
  );
  const first = cmd.env.JUPYTER_PATH!.split(path.delimiter)[0];
  expect(first).toBe(path.join(REPO, 'kernel', 'share', 'jupyter'));
  expect(path.isAbsolute(first)).toBe(true);
  // the pre-save hook that gives cells added in the classic notebook their nbformat 4.5 id
  expect(cmd.args).toContain('--ContentsManager.pre_save_hook=ts231n_hooks.give_cells_ids');
  expect(cmd.env.PYTHONPATH!.split(path.delimiter)[0]).toBe(path.join(REPO, 'kernel', 'jupyter', 'python'));
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
  const scratch = path.join(TESTS_DIR, 'fixtures', 'jupyter', '.scratch', `lab-${process.pid}`);
  fs.mkdirSync(scratch, { recursive: true });
  const child = spawn(
    TSX,
    [
      LAB,
      '--classic',
      '--no-browser',
      `--port=${port}`,
      '--port-retries=0',
      `--NotebookApp.token=${token}`,
      '--ContentsManager.allow_hidden=True',
    ],
    {
      cwd: REPO,
      env: {
        ...process.env,
        JUPYTER_CONFIG_DIR: path.join(cfg, 'config'),
        JUPYTER_RUNTIME_DIR: path.join(cfg, 'runtime'),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
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

    // Saving a 4.5 notebook with a cell the classic UI added (it has no id): the cell gets an id
    // and the server prints no MissingIDFieldWarning.
    const rel = path.relative(REPO, scratch).split(path.sep).join('/');
    const nb = {
      nbformat: 4,
      nbformat_minor: 5,
      metadata: {},
      cells: [
        { id: 'kept-id', cell_type: 'code', metadata: {}, source: '1', outputs: [], execution_count: null },
        { cell_type: 'code', metadata: {}, source: '2', outputs: [], execution_count: null },
      ],
    };
    expect(
      await putJson(`http://127.0.0.1:${port}/api/contents/${rel}/added.ipynb`, token, {
        type: 'notebook',
        format: 'json',
        content: nb,
      }),
    ).toBe(201); // created
    const saved = JSON.parse(fs.readFileSync(path.join(scratch, 'added.ipynb'), 'utf8')) as {
      cells: Array<{ id?: string }>;
    };
    expect(saved.cells[0].id).toBe('kept-id');
    expect(saved.cells[1].id).toMatch(/^[0-9a-f]{8}$/);
    expect(log).not.toMatch(/MissingIDFieldWarning/);
  } finally {
    child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const code = await Promise.race([
      exited,
      new Promise<string>((r) => (timer = setTimeout(() => r('timeout'), 20000))),
    ]);
    clearTimeout(timer);
    if (code === 'timeout') child.kill('SIGKILL');
    fs.rmSync(cfg, { recursive: true, force: true });
    fs.rmSync(scratch, { recursive: true, force: true });
    expect(code).not.toBe('timeout');
  }
});
