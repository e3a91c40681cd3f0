#!/usr/bin/env node
// Launcher named by kernel.json: `node {resource_dir}/kernel.js {connection_file}`.
// Plain JavaScript so Jupyter can start it with nothing but `node`; it registers tsx (the
// project's pinned TypeScript loader) and runs kernel/jupyter/main.ts from the repository
// this kernelspec lives in (or TS231N_HOME, if the kernelspec was copied elsewhere).
// Jupyter starts it with the notebook's folder as working directory.
'use strict';
const fs = require('fs');
const path = require('path');
const repo = process.env.TS231N_HOME || path.resolve(__dirname, '..', '..', '..', '..', '..');
const entry = path.join(repo, 'kernel', 'jupyter', 'main.ts');
if (!fs.existsSync(entry)) {
  process.stderr.write(`ts231n kernel: ${entry} not found; this kernelspec must stay in the ts231n repository (kernel/share/jupyter), or set TS231N_HOME to the repository.\n`);
  process.exit(1);
}
let tsx;
try {
  tsx = require(require.resolve('tsx/cjs/api', { paths: [repo] }));
} catch {
  process.stderr.write(`ts231n kernel: the npm packages are not installed in ${repo}; run \`npm run setup\` there, then start the kernel again.\n`);
  process.exit(1);
}
tsx.register();
require(entry).main(process.argv.slice(2));
