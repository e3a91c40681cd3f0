#!/usr/bin/env node
// Idempotent set-up for ts231n, run by `npm run setup`, `npm run demo` and `npm test`.
// Plain Node with no dependencies, so it works on a fresh clone before `npm ci`.
//  1. `npm ci` when node_modules is missing or older than package-lock.json.
//  2. The Debian packages the kit needs, when they are missing (apt, as root; otherwise the
//     exact `sudo apt-get install …` line to run).
//  3. The OpenBLAS addon (kernel/runtime/blas): compiled, its core type chosen and self-tested,
//     the verdict cached. Without it the kit runs on XNNPACK (docs/tensor-core.md, "Native GEMM").
'use strict';
const { execFileSync, spawnSync } = require('child_process');
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
let quiet = false;
try {
  quiet = require('util').parseArgs({ options: { quiet: { type: 'boolean' } }, strict: true }).values.quiet === true;
} catch (e) {
  console.error(`[setup] ${String(e.message).split('\n')[0]}\nusage: node scripts/setup.js [--quiet]`);
  process.exit(2);
}
const log = (msg) => console.log(`[setup] ${msg}`);

/** Debian packages, each with the reason the kit needs it. */
const DEBIAN_PACKAGES = [
  ['jupyter-notebook', 'the classic notebook server (npm run lab) and the kernel tests'],
  ['jupyter-nbconvert', 'headless notebook runs (tests, solution checks)'],
  ['python3-nbclient', 'runs notebooks through the kernel for nbconvert'],
  ['python3-nbformat', 'the official nbformat validator used by the tests'],
  ['python3-jupyter-kernel-test', 'the Jupyter kernel conformance suite'],
  ['dataset-fashion-mnist', 'the offline default data set (31 MB, /usr/share/datasets/fashion-mnist)'],
  ['fonts-dejavu-core', 'the font that PNG plots use for their text (SVG plots need none)'],
  ['libopenblas0-pthread', "OpenBLAS: the GEMM under the wasm backend's matMul and conv kernels"],
  [
    'gcc',
    "compiles the kit's small OpenBLAS addon (kernel/runtime/blas/ts231n_blas.c) and the grader's native-code hostile tests",
  ],
  ['libc6-dev', 'C library headers for the addon and those tests'],
  ['bubblewrap', "the grader's OS sandbox around each submission (mount, network, PID namespaces)"],
  [
    'chromium',
    'headless browser: tests/integration/grader/feedbackBrowser.test.ts lays out feedback.html at phone and desktop widths',
  ],
  [
    'chromium-driver',
    'chromedriver: tests/integration/browser/notebook.test.ts drives the classic notebook in chromium',
  ],
  ['python3-selenium', 'selenium for /usr/bin/python3: the browser test clicks through assignment 1 with it'],
];

function lockHash() {
  return crypto
    .createHash('sha256')
    .update(fs.readFileSync(path.join(root, 'package-lock.json')))
    .digest('hex');
}

function ensureNpm() {
  const stamp = path.join(root, 'node_modules', '.ts231n-setup');
  const want = lockHash();
  if (fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8').trim() === want) {
    if (!quiet) log('npm packages are up to date');
    return;
  }
  log(
    'installing npm packages (npm ci); @tensorflow/tfjs-node(-gpu) are optional and are dropped when their libtensorflow download fails',
  );
  const r = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(
      '[setup] npm ci failed: see the npm output above. Check that the npm registry is reachable, then run `npm run setup` again.',
    );
    process.exit(1);
  }
  fs.writeFileSync(stamp, want + '\n');
}

function installed(pkg) {
  const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8' });
  return r.status === 0 && /install ok installed/.test(r.stdout);
}

function ensureDebian() {
  if (spawnSync('dpkg-query', ['--version']).status !== 0) {
    log(
      'not a Debian/Ubuntu system: install Jupyter (notebook, nbconvert, nbclient, jupyter_kernel_test) with pip and, for the offline data set, see README "Data sets".',
    );
    return;
  }
  const missing = DEBIAN_PACKAGES.filter(([p]) => !installed(p));
  if (missing.length === 0) {
    if (!quiet) log('Debian packages are installed: ' + DEBIAN_PACKAGES.map(([p]) => p).join(', '));
    return;
  }
  for (const [p, why] of missing) log(`needs ${p}: ${why}`);
  const names = missing.map(([p]) => p);
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot) {
    console.error(
      `[setup] not root, so nothing was installed. Run:\n  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${names.join(' ')}`,
    );
    return;
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  try {
    execFileSync('apt-get', ['update', '-q'], { stdio: quiet ? 'ignore' : 'inherit', env });
    execFileSync('apt-get', ['install', '-y', '-q', '--no-install-recommends', ...names], {
      stdio: quiet ? 'ignore' : 'inherit',
      env,
    });
    log('installed ' + names.join(', '));
  } catch (e) {
    console.error(
      `[setup] apt-get could not install ${names.join(' ')} (${e.message.split('\n')[0]}). Run it by hand to see why.`,
    );
    process.exitCode = 1;
  }
}

function ensureBlas() {
  const blas = path.join(root, 'kernel', 'runtime', 'blas');
  const built = (f) =>
    fs.existsSync(f) && fs.statSync(f).mtimeMs >= fs.statSync(path.join(blas, 'ts231n_blas.c')).mtimeMs;
  // built and a verdict cached: the runtime re-checks the verdict's key, so nothing to do here
  if (
    quiet &&
    built(path.join(blas, 'build', 'ts231n_blas.node')) &&
    fs.existsSync(path.join(blas, 'build', 'openblas-verdict.json'))
  )
    return;
  const tsx = path.join(root, 'node_modules', '.bin', 'tsx');
  const r = spawnSync(tsx, [path.join(root, 'kernel', 'runtime', 'blas', 'check.ts')], { cwd: root, encoding: 'utf8' });
  const line = (r.stdout || r.stderr || '').trim().split('\n').pop();
  if (r.status !== 0) log(`OpenBLAS check failed (${line || `exit ${r.status}`}); the kit runs on XNNPACK`);
  else if (!quiet || !/^OpenBLAS \S+ \(/.test(line)) log(line);
}

ensureNpm();
ensureDebian();
ensureBlas();
