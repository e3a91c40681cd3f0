#!/usr/bin/env node
// Launcher named by kernel.json: `node {resource_dir}/kernel.js {connection_file}`.
// Plain JavaScript so Jupyter can start it with nothing but `node`; it registers tsx (the
// project's pinned TypeScript loader) and runs kernel/jupyter/main.ts from the repository
// this kernelspec lives in. Jupyter starts it with the notebook's folder as working directory.
'use strict';
const path = require('path');
const repo = path.resolve(__dirname, '..', '..', '..', '..', '..');
let tsx;
try {
  tsx = require(require.resolve('tsx/cjs/api', { paths: [repo] }));
} catch {
  process.stderr.write(`ts231n kernel: the npm packages are not installed in ${repo}; run \`npm run setup\` there, then start the kernel again.\n`);
  process.exit(1);
}
tsx.register();
require(path.join(repo, 'kernel', 'jupyter', 'main.ts')).main(process.argv.slice(2));
