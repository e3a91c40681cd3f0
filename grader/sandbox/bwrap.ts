/**
 * The outer sandbox layer: bubblewrap. Each submission's child runs in new mount, network, PID,
 * IPC and UTS namespaces (and a user namespace with an unprivileged uid where the kernel allows),
 * whose file system holds only what the child needs, at the same paths as outside:
 *
 * - read-only: node and its shared libraries, the runner, the repository's `kernel/`, `datasets/`
 *   and `node_modules/` (the denied packages hidden under empty folders), the workspace's folder of
 *   package links, the data sets and fonts;
 * - read-write: a size-capped tmpfs at the workspace path holding the scratch home and the copy of
 *   the submission the child makes from a read-only view of the intake copy before any submission
 *   code runs (so that everything a submission writes counts against the cap).
 *
 * The solutions, the specs, the hidden-test sources, the grader's output folder and the rest of the
 * machine do not exist inside; the root is read-only. Native code a submission loads (an addon, a
 * shared library it wrote) runs inside this and can reach nothing else. `--die-with-parent`.
 */
import * as fs from 'fs';
import * as path from 'path';
import { spawnSync } from 'child_process';

/** Set to 1 to grade without bubblewrap (the permission-model sandbox alone), e.g. to test that fallback. */
export const FORCE_FALLBACK_ENV = 'TS231N_GRADER_NO_BWRAP';

export interface MountPlan {
  repoRoot: string;
  /** The workspace folder: a tmpfs at this path inside. */
  scratch: string;
  /** Where the intake copy is on disk (it is mounted read-only at `source`). */
  intakeCopy: string;
  /** The read-only view of the intake copy inside the sandbox (the child copies it to assignmentRoot). */
  source: string;
  home: string;
  runnerDir: string;
  readPaths: string[];
  /** Entries of node_modules the child must not see. */
  deniedPackages: string[];
  scratchBytes: number;
}

interface Probe {
  /** Namespace flags that worked in the probe. */
  flags: string[];
  userNs: boolean;
}
let probed: Probe | { note: string } | undefined;

/** Whether bubblewrap works here (probed once with a real `node -e 0` inside), or why not. */
export function bubblewrap(): Probe | { note: string } {
  if (probed) return probed;
  if (process.env[FORCE_FALLBACK_ENV] === '1')
    return (probed = { note: `bubblewrap turned off by ${FORCE_FALLBACK_ENV}=1` });
  const base = [
    '--die-with-parent',
    '--new-session',
    '--unshare-net',
    '--unshare-pid',
    '--unshare-ipc',
    '--unshare-uts',
    '--unshare-cgroup-try',
  ];
  const user = ['--unshare-user', '--uid', '65534', '--gid', '65534'];
  let why = 'bwrap not found';
  for (const flags of [[...base, ...user], base]) {
    const r = spawnSync('bwrap', [...flags, ...systemMounts(), '--remount-ro', '/', process.execPath, '-e', '0'], {
      encoding: 'utf8',
      timeout: 10000,
    });
    if (r.status === 0) return (probed = { flags, userNs: flags.includes('--unshare-user') });
    why = r.error
      ? (r.error as NodeJS.ErrnoException).code === 'ENOENT'
        ? 'bwrap is not installed (Debian package bubblewrap)'
        : r.error.message
      : (r.stderr || `exit ${r.status}`).trim().split('\n')[0];
  }
  return (probed = { note: `bubblewrap unavailable: ${why}` });
}

/** node, the shared libraries it links against, /proc and a minimal /dev. */
function systemMounts(): string[] {
  const out: string[] = ['--ro-bind', process.execPath, process.execPath];
  for (const d of ['/lib', '/lib64', '/lib32', '/usr/lib', '/usr/lib64', '/usr/lib32']) {
    let st: fs.Stats;
    try {
      st = fs.lstatSync(d);
    } catch {
      continue;
    }
    if (st.isSymbolicLink()) out.push('--symlink', fs.readlinkSync(d), d);
    else if (st.isDirectory()) out.push('--ro-bind', d, d);
  }
  out.push('--proc', '/proc', '--dev', '/dev');
  return out;
}

/** The bwrap command line (without the command to run) for one child. */
export function bwrapArgs(p: MountPlan, probe: Probe): string[] {
  const a = [...probe.flags, ...systemMounts()];
  for (const name of ['kernel', 'datasets', 'node_modules']) {
    const real = path.join(p.repoRoot, name);
    if (!fs.existsSync(real)) continue;
    a.push('--ro-bind', real, real);
  }
  for (const pkg of p.deniedPackages) {
    const dir = path.join(p.repoRoot, 'node_modules', pkg);
    if (fs.existsSync(dir) && fs.statSync(dir).isDirectory()) a.push('--tmpfs', dir, '--remount-ro', dir);
  }
  a.push('--ro-bind', p.runnerDir, p.runnerDir);
  for (const r of p.readPaths) a.push('--ro-bind', r, r);
  a.push('--size', String(p.scratchBytes), '--tmpfs', p.scratch);
  // The workspace's folder of package links (createWorkspace): notebooks import the kit as `ts231n`.
  const links = path.join(p.scratch, 'node_modules');
  if (fs.existsSync(links)) a.push('--ro-bind', links, links);
  a.push('--dir', path.join(p.home, 'tmp'));
  a.push('--ro-bind', p.intakeCopy, p.source);
  a.push('--remount-ro', '/');
  return a;
}
