/**
 * OpenBLAS by a plan (kernel/runtime/blas/openblas.ts, openBlasPlan and useBlasPlan): what the
 * grader makes in its own process and hands to a sandboxed child, which then loads exactly that
 * addon and library without probing. Each case starts a fresh process (the library loads once per
 * process). Skipped with the reason where OpenBLAS is not usable here (npm run setup installs it).
 */
import * as fs from 'fs';
import * as path from 'path';
import { spawnSync } from 'child_process';
import { openBlasLibrary, openBlasPlan, type BlasPlan } from '../../../kernel/runtime/blas/openblas';

const REPO = path.resolve(__dirname, '..', '..', '..');
const { plan, note } = openBlasPlan();
const maybe = plan ? it : it.skip;
if (!plan) process.stdout.write(`OpenBLAS plan cases skipped: ${note}\n`);

/** backendInfo() of a fresh wasm runtime that was handed `p` before it started. */
function startWith(p: BlasPlan, env: Record<string, string> = {}): { blas?: { coreType: string }; blasNote?: string } {
  const script =
    `const ob = require('./kernel/runtime/blas/openblas'); ob.useBlasPlan(JSON.parse(process.argv[1]));` +
    `const t = require('./kernel/runtime/tensor');` +
    `t.ready().then(() => { let late = 'accepted'; try { ob.useBlasPlan(JSON.parse(process.argv[1])); } catch (e) { late = e.message; }` +
    ` console.log(JSON.stringify({ ...t.backendInfo(), late })); });`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', script, JSON.stringify(p)], {
    cwd: REPO,
    encoding: 'utf8',
    env: { ...process.env, TS231N_BACKEND: 'wasm', TS231N_BLAS: 'openblas', ...env },
    timeout: 120_000,
  });
  if (r.status !== 0) throw new Error(`the child failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

describe('OpenBLAS by plan', () => {
  maybe('names the built addon by its real path, the system library and the verdict’s core type', () => {
    expect(plan!.addon).toBe(
      fs.realpathSync(path.join(REPO, 'kernel', 'runtime', 'blas', 'build', 'ts231n_blas.node')),
    );
    expect(plan!.library).toBe(openBlasLibrary());
    const verdict = JSON.parse(
      fs.readFileSync(path.join(REPO, 'kernel', 'runtime', 'blas', 'build', 'openblas-verdict.json'), 'utf8'),
    );
    expect(plan!.coreType).toBe(verdict.coreType);
  });

  maybe('a process handed the plan runs on it, and refuses a plan once started', () => {
    const info = startWith(plan!) as { blas?: { coreType: string }; late: string };
    expect(info.blas?.coreType).toBeTruthy();
    expect(info.late).toMatch(/OpenBLAS has already started in this process/);
  });

  maybe('a plan naming a library that is not a system OpenBLAS leaves the process on XNNPACK, saying why', () => {
    const info = startWith({ ...plan!, library: path.join(REPO, 'package.json') });
    expect(info.blas).toBeUndefined();
    expect(info.blasNote).toMatch(/libPath must be libopenblas.so.0 or an OpenBLAS library under/);
  });

  maybe('TS231N_BLAS=off wins over a plan', () => {
    const info = startWith(plan!, { TS231N_BLAS: 'off' });
    expect(info.blas).toBeUndefined();
    expect(info.blasNote).toBe('TS231N_BLAS=off');
  });
});
