// Tries one OpenBLAS core type in a throw-away process (a wrong one can crash the process that
// loads it, as Cooperlake does under OpenBLAS 0.3.21 on Sapphire Rapids):
//   node probe.js ADDON LIBRARY CORETYPE
// Prints one JSON line {config, coreName, error1, error2} (relative errors at 1 and 2 threads).
'use strict';
const { selfTest } = require('./selfTest');

const [addonPath, libPath, coreType] = process.argv.slice(2);
const blas = require(addonPath);
const info = blas.load(libPath, coreType || '', 1);
const error1 = selfTest(blas);
blas.setThreads(2);
const error2 = selfTest(blas);
process.stdout.write(`${JSON.stringify({ config: info.config, coreName: info.coreName, error1, error2 })}\n`);
