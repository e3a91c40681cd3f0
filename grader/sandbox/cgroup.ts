/**
 * Resource caps for one sandboxed child: a cgroup with a memory limit, a CPU quota and a process
 * count limit, on cgroup v1 (one hierarchy per controller) or v2 (one unified hierarchy), where the
 * machine lets the grader create one. The child joins the cgroup before it execs (see ../run.ts:
 * a shell writes its own pid into each `cgroup.procs`, then execs the sandbox), so every process
 * it ever starts is counted from the first instruction on.
 */
import * as fs from 'fs';
import * as path from 'path';

export interface CgroupLimits {
  memoryBytes: number;
  /** CPU time per wall-clock time, in cores (1 = one core's worth). */
  cpuCores: number;
  /** Most tasks (processes and threads) in the cgroup. */
  pidsMax: number;
}

export interface Cgroup {
  /** The `cgroup.procs` files a process writes its pid to, to join. */
  procsFiles: string[];
  /** What was applied, for the report: `cgroup v1: memory 3328 MB, cpu 1 core, pids 128`. */
  applied: string;
  /** Whether the kernel's OOM killer stopped a process of this cgroup. */
  oomKilled(): boolean;
  /**
   * Anonymous memory of all its processes in bytes, each page once (a forked child shares its
   * parent's pages, which summing RSS would count again), or null without a memory controller.
   */
  anonBytes(): number | null;
  /** Kill what is left in the cgroup and remove it. */
  remove(): void;
}

interface Layout {
  version: 'v1' | 'v2';
  /** controller → the folder new cgroups are created in. */
  parents: Partial<Record<'memory' | 'cpu' | 'pids', string>>;
}

const CONTROLLERS = ['memory', 'cpu', 'pids'] as const;
let layout: Layout | { note: string } | undefined;
let counter = 0;

function mounts(): Array<{ dir: string; type: string; options: string[] }> {
  try {
    return fs
      .readFileSync('/proc/self/mounts', 'utf8')
      .split('\n')
      .map((l) => l.split(' '))
      .filter((f) => f.length > 3)
      .map((f) => ({ dir: f[1].replace(/\\040/g, ' '), type: f[2], options: f[3].split(',') }));
  } catch {
    return [];
  }
}

/** This process's cgroup path per v1 controller, and its v2 path (key ''). */
function ownPaths(): Map<string, string> {
  const out = new Map<string, string>();
  try {
    for (const line of fs.readFileSync('/proc/self/cgroup', 'utf8').trim().split('\n')) {
      const m = line.match(/^\d+:([^:]*):(.*)$/); // hierarchy-id:controllers:path ('' controllers: v2)
      if (m) for (const c of m[1].split(',')) out.set(c, m[2]);
    }
  } catch {
    /* no /proc: no cgroups */
  }
  return out;
}

function writable(dir: string): boolean {
  const probe = path.join(dir, `ts231n-probe-${process.pid}`);
  try {
    fs.mkdirSync(probe);
    fs.rmdirSync(probe);
    return true;
  } catch {
    return false;
  }
}

/** Which cgroup hierarchy this machine has and where the grader may create cgroups (detected once). */
export function cgroupLayout(): Layout | { note: string } {
  if (layout) return layout;
  const all = mounts();
  const own = ownPaths();
  const v1: Layout['parents'] = {};
  for (const c of CONTROLLERS) {
    const m = all.find((x) => x.type === 'cgroup' && x.options.includes(c));
    if (!m) continue;
    const dir = path.join(m.dir, own.get(c) ?? '/');
    if (writable(dir)) v1[c] = dir;
  }
  if (Object.keys(v1).length) return (layout = sweep({ version: 'v1', parents: v1 }));
  const unified = all.find((x) => x.type === 'cgroup2');
  if (unified) {
    // v2: a new cgroup is a sibling of ours (a cgroup with processes may not enable controllers for
    // children), in the parent whose subtree_control lists the controllers we got.
    const mine = path.join(unified.dir, own.get('') ?? '/');
    const parent = path.dirname(mine);
    let enabled: string[] = [];
    try {
      enabled = fs.readFileSync(path.join(mine, 'cgroup.controllers'), 'utf8').trim().split(/\s+/);
    } catch {
      /* not readable */
    }
    const dir = mine === unified.dir ? mine : parent;
    const usable = CONTROLLERS.filter((c) => enabled.includes(c));
    if (usable.length && writable(dir))
      return (layout = sweep({ version: 'v2', parents: Object.fromEntries(usable.map((c) => [c, dir])) }));
  }
  return (layout = {
    note: 'no cgroup the grader may create (memory, CPU and process count are not capped by the OS; the RSS watchdog and the timeouts still apply)',
  });
}

/** Remove the cgroups a grader that was killed (kill -9) left behind: named after a pid that is gone. */
function sweep(l: Layout): Layout {
  for (const parent of new Set(Object.values(l.parents))) {
    let names: string[] = [];
    try {
      names = fs.readdirSync(parent).filter((n) => /^ts231n-\d+-\d+$/.test(n));
    } catch {
      continue;
    }
    for (const n of names) {
      const pid = Number(n.split('-')[1]);
      let alive = true;
      try {
        process.kill(pid, 0);
      } catch (e) {
        alive = (e as NodeJS.ErrnoException).code === 'EPERM';
      }
      if (!alive && readPids(path.join(parent, n)).length === 0) rmdir(path.join(parent, n));
    }
  }
  return l;
}

function put(file: string, value: string): boolean {
  try {
    fs.writeFileSync(file, value);
    return true;
  } catch {
    return false;
  }
}

function readNumber(file: string, key?: string): number {
  try {
    const text = fs.readFileSync(file, 'utf8');
    if (!key) return Number(text.trim()) || 0;
    return Number(text.match(new RegExp(`^${key} (\\d+)`, 'm'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/** Create a cgroup with these limits, or say why none could be (a note for the report). */
export function createCgroup(limits: CgroupLimits): Cgroup | { note: string } {
  const l = cgroupLayout();
  if ('note' in l) return l;
  const name = `ts231n-${process.pid}-${++counter}`;
  const dirs = new Map<string, string>();
  const applied: string[] = [];
  const mb = Math.round(limits.memoryBytes / 1048576);
  const cores = Math.round(limits.cpuCores * 100) / 100;
  const period = 100000;
  for (const c of CONTROLLERS) {
    const parent = l.parents[c];
    if (!parent) continue;
    const dir = path.join(parent, name);
    try {
      if (!dirs.has(dir) && ![...dirs.values()].includes(dir)) fs.mkdirSync(dir);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') continue;
    }
    dirs.set(c, dir);
    let ok = false;
    if (l.version === 'v1') {
      if (c === 'memory') {
        ok = put(path.join(dir, 'memory.limit_in_bytes'), String(limits.memoryBytes));
        put(path.join(dir, 'memory.memsw.limit_in_bytes'), String(limits.memoryBytes)); // no swap beyond it, where accounted
      } else if (c === 'cpu')
        ok =
          put(path.join(dir, 'cpu.cfs_period_us'), String(period)) &&
          put(path.join(dir, 'cpu.cfs_quota_us'), String(Math.round(period * limits.cpuCores)));
      else ok = put(path.join(dir, 'pids.max'), String(limits.pidsMax));
    } else {
      if (c === 'memory') {
        ok = put(path.join(dir, 'memory.max'), String(limits.memoryBytes));
        put(path.join(dir, 'memory.swap.max'), '0');
      } else if (c === 'cpu') ok = put(path.join(dir, 'cpu.max'), `${Math.round(period * limits.cpuCores)} ${period}`);
      else ok = put(path.join(dir, 'pids.max'), String(limits.pidsMax));
    }
    if (ok)
      applied.push(
        c === 'memory'
          ? `memory ${mb} MB`
          : c === 'cpu'
            ? `cpu ${cores} core${cores === 1 ? '' : 's'}`
            : `pids ${limits.pidsMax}`,
      );
  }
  const unique = [...new Set(dirs.values())];
  if (!applied.length) {
    for (const d of unique) rmdir(d);
    return {
      note: `cgroup ${l.version}: no limit could be set (memory, CPU and process count are not capped by the OS)`,
    };
  }
  const memDir = dirs.get('memory');
  return {
    procsFiles: unique.map((d) => path.join(d, 'cgroup.procs')),
    applied: `cgroup ${l.version}: ${applied.join(', ')}`,
    oomKilled: () =>
      !!memDir &&
      readNumber(path.join(memDir, l.version === 'v1' ? 'memory.oom_control' : 'memory.events'), 'oom_kill') > 0,
    anonBytes: () =>
      memDir ? readNumber(path.join(memDir, 'memory.stat'), l.version === 'v1' ? 'total_rss' : 'anon') : null,
    remove: () => {
      for (const d of unique) {
        for (const pid of readPids(d)) {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            /* gone */
          }
        }
        rmdir(d);
      }
    },
  };
}

function readPids(dir: string): number[] {
  try {
    return fs.readFileSync(path.join(dir, 'cgroup.procs'), 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** A cgroup can be removed once its last process is reaped: retry briefly, then leave it (empty, harmless). */
function rmdir(dir: string): void {
  for (let i = 0; i < 50; i++) {
    try {
      fs.rmdirSync(dir);
      return;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
      const until = Date.now() + 20;
      while (Date.now() < until) {
        /* the kernel reaps the killed processes */
      }
    }
  }
}
