// Tries one OpenBLAS core type in a throw-away process (a wrong one can crash the process that
// loads it, as Cooperlake does under OpenBLAS 0.3.21 on Sapphire Rapids):
//   node probe.js ADDON LIBRARY CORETYPE
// Prints one JSON line {config, coreName, error1, error2}: relative errors at 1 thread (against a
// float64 reference) and at 2 (a product large enough to be split, against the 1-thread result).
'use strict';
const { selfTest, threadedSelfTest } = require('./selfTest');

const [addonPath, libPath, coreType] = process.argv.slice(2);
const blas = require(addonPath);
const info = blas.load(libPath, coreType || '', 1);
const error1 = selfTest(blas);
const error2 = threadedSelfTest(blas, 2);
process.stdout.write(`${JSON.stringify({ config: info.config, coreName: info.coreName, error1, error2 })}\n`);
