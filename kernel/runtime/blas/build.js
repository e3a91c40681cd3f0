// Builds ./ts231n_blas.c into ./build/ts231n_blas.node with the system C compiler and the local
// Node headers. Plain CommonJS with no dependencies: scripts/setup.js runs it on a fresh clone,
// and the runtime (./openblas.ts) runs it when the addon is missing. See docs/tensor-core.md.
'use strict';
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const SOURCE = path.join(__dirname, 'ts231n_blas.c');
const OUT_DIR = path.join(__dirname, 'build');
const ADDON = path.join(OUT_DIR, 'ts231n_blas.node');

/** Folders that may hold node_api.h: the node-api-headers package, next to this Node, the distribution's. */
function nodeIncludeDirs() {
  const dirs = [];
  try {
    dirs.push(path.join(path.dirname(require.resolve('node-api-headers/package.json')), 'include'));
  } catch {
    // not installed (npm ci brings it): fall back to the headers that came with Node
  }
  const prefix = path.resolve(path.dirname(process.execPath), '..');
  return [...dirs, path.join(prefix, 'include', 'node'), '/usr/include/node', '/usr/local/include/node'];
}

/** The built addon if it is newer than its source, else null. */
function builtAddon() {
  try {
    return fs.statSync(ADDON).mtimeMs >= fs.statSync(SOURCE).mtimeMs ? ADDON : null;
  } catch {
    return null;
  }
}

/**
 * Build the addon if needed. Returns { addon } or { error } with one line saying what to install.
 */
function buildAddon() {
  const ready = builtAddon();
  if (ready) return { addon: ready };
  const include = nodeIncludeDirs().find((d) => fs.existsSync(path.join(d, 'node_api.h')));
  if (!include) return { error: 'node_api.h not found (npm ci installs node-api-headers)' };
  const cc = process.env.CC || 'cc';
  try {
    fs.mkdirSync(OUT_DIR, { recursive: true });
  } catch (e) {
    return { error: `cannot create ${OUT_DIR} (${e.code || e.message})` };
  }
  const tmp = `${ADDON}.${process.pid}.tmp`;
  const r = spawnSync(cc, ['-O2', '-fPIC', '-shared', `-I${include}`, '-o', tmp, SOURCE, '-ldl'], { encoding: 'utf8' });
  if (r.error)
    return {
      error: `no C compiler (${cc}: ${r.error.code || r.error.message}); install gcc and libc6-dev, then npm run setup`,
    };
  if (r.status !== 0) {
    try {
      fs.unlinkSync(tmp);
    } catch {
      /* nothing to remove */
    }
    const line = (r.stderr || '').split('\n').find((l) => /error/.test(l)) || `exit ${r.status}`;
    return { error: `${cc} failed: ${line.trim()}` };
  }
  fs.renameSync(tmp, ADDON); // atomic: a process loading the addon never sees half a file
  return { addon: ADDON };
}

module.exports = { buildAddon, builtAddon, ADDON, SOURCE };

if (require.main === module) {
  const r = buildAddon();
  console.log(r.addon ? `built ${r.addon}` : `not built: ${r.error}`);
  process.exitCode = r.addon ? 0 : 1;
}
