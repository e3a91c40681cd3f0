/**
 * `npm run lab [-- <options>]`: open JupyterLab (or, without it, the classic notebook) on
 * 127.0.0.1 with the ts231n kernel, found through JUPYTER_PATH — nothing is installed globally.
 *
 * Options of our own (the rest go to Jupyter unchanged, e.g. `--no-browser --port 9000`):
 *   --dir <folder>   notebook folder, relative to the repository (default: the repository)
 *   --classic        use the classic notebook even when JupyterLab is installed
 *   --dry-run        print the command that would run and exit
 */
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { parseArgs as parseCommandLine } from 'util';

const REPO = path.resolve(__dirname, '..', '..');
export const KERNELSPEC_DIR = path.join(REPO, 'kernel', 'share', 'jupyter');

export interface Frontend {
  name: 'JupyterLab' | 'classic notebook';
  command: string;
  args: string[];
}

function works(cmd: string, args: string[]): boolean {
  const r = spawnSync(cmd, args, { stdio: 'ignore', timeout: 20000 });
  return r.status === 0;
}

/**
 * JupyterLab from PATH (pip puts `jupyter-lab` there) or as a module of either Python; else
 * Debian's classic notebook, whose scripts need /usr/bin/python3 (a pyenv python3 earlier on
 * PATH does not have its modules).
 */
export function findFrontend(preferClassic = false): Frontend | null {
  if (!preferClassic) {
    if (works('jupyter-lab', ['--version'])) return { name: 'JupyterLab', command: 'jupyter-lab', args: [] };
    for (const py of ['python3', '/usr/bin/python3']) {
      if (works(py, ['-m', 'jupyterlab', '--version']))
        return { name: 'JupyterLab', command: py, args: ['-m', 'jupyterlab'] };
    }
  }
  if (fs.existsSync('/usr/bin/python3') && works('/usr/bin/python3', ['-m', 'notebook', '--version'])) {
    return { name: 'classic notebook', command: '/usr/bin/python3', args: ['-m', 'notebook'] };
  }
  if (works('jupyter-notebook', ['--version']))
    return { name: 'classic notebook', command: 'jupyter-notebook', args: [] };
  return null;
}

export interface LabOptions {
  dir: string;
  classic: boolean;
  dryRun: boolean;
  passThrough: string[];
}

/** Our options through Node's parseArgs; every other argument goes to Jupyter unchanged, in order. */
export function parseArgs(argv: string[]): LabOptions {
  const { tokens } = parseCommandLine({
    args: argv,
    options: { dir: { type: 'string' }, classic: { type: 'boolean' }, 'dry-run': { type: 'boolean' } },
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const o: LabOptions = { dir: '.', classic: false, dryRun: false, passThrough: [] };
  const ours = new Set<number>();
  for (const t of tokens) {
    if (t.kind === 'option-terminator') break; // everything after `--` is Jupyter's
    if (t.kind !== 'option' || !['dir', 'classic', 'dry-run'].includes(t.name) || !t.rawName.startsWith('--')) continue;
    ours.add(t.index);
    if (t.name === 'dir') {
      if (!t.value) throw new Error('--dir needs a folder, e.g. `npm run lab -- --dir assignments`');
      if (!t.inlineValue) ours.add(t.index + 1);
      o.dir = t.value;
    } else if (t.name === 'classic') o.classic = true;
    else o.dryRun = true;
  }
  o.passThrough = argv.filter((_, i) => !ours.has(i));
  return o;
}

/** Python hooks for the server (kernel/jupyter/python/ts231n_hooks.py), found through PYTHONPATH. */
export const HOOKS_DIR = path.join(REPO, 'kernel', 'jupyter', 'python');
/** Cells added in the classic notebook have no nbformat 4.5 id; the hook gives them one before a save. */
export const SAVE_HOOK_ARG = '--ContentsManager.pre_save_hook=ts231n_hooks.give_cells_ids';

export function labCommand(
  front: Frontend,
  opts: LabOptions,
): { command: string; args: string[]; env: NodeJS.ProcessEnv; dir: string } {
  const dir = path.resolve(REPO, opts.dir);
  const env = {
    ...process.env,
    JUPYTER_PATH: [KERNELSPEC_DIR, process.env.JUPYTER_PATH].filter(Boolean).join(path.delimiter),
    PYTHONPATH: [HOOKS_DIR, process.env.PYTHONPATH].filter(Boolean).join(path.delimiter),
  };
  // Containers often run as root, which Jupyter refuses without --allow-root.
  const root = process.getuid?.() === 0 && !opts.passThrough.includes('--allow-root') ? ['--allow-root'] : [];
  const args = [...front.args, '--ip=127.0.0.1', `--notebook-dir=${dir}`, SAVE_HOOK_ARG, ...root, ...opts.passThrough];
  return { command: front.command, args, env, dir };
}

export function main(argv: string[]): void {
  let opts: LabOptions;
  try {
    opts = parseArgs(argv);
  } catch (e) {
    console.error(`npm run lab: ${(e as Error).message}`);
    process.exit(2);
  }
  const dir = path.resolve(REPO, opts.dir);
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    console.error(
      `npm run lab: ${dir} is not a folder; pass --dir with a folder of this repository (e.g. assignments).`,
    );
    process.exit(2);
  }
  const front = findFrontend(opts.classic);
  if (!front) {
    console.error(
      'npm run lab: neither JupyterLab nor the classic notebook is installed. Install one:\n' +
        '  pip install jupyterlab                                             # JupyterLab (not packaged by Debian)\n' +
        '  sudo apt-get install -y --no-install-recommends jupyter-notebook   # classic notebook (Debian/Ubuntu)',
    );
    process.exit(1);
  }
  const cmd = labCommand(front, opts);
  console.log(
    `ts231n: starting the ${front.name} in ${path.relative(process.cwd(), cmd.dir) || '.'} with kernel "TypeScript (ts231n)" (JUPYTER_PATH=${KERNELSPEC_DIR})`,
  );
  console.log(`  ${cmd.command} ${cmd.args.join(' ')}`);
  if (front.name === 'classic notebook')
    console.log('  (for JupyterLab: pip install jupyterlab, then npm run lab again)');
  if (opts.dryRun) return;
  const child = spawn(cmd.command, cmd.args, { env: cmd.env, stdio: 'inherit', cwd: cmd.dir });
  // Ctrl-C reaches the server through the terminal's process group; do not die before it does.
  process.on('SIGINT', () => {});
  process.on('SIGTERM', () => child.kill('SIGTERM'));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

if (require.main === module) main(process.argv.slice(2));
