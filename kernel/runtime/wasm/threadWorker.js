/*
 * Entry point of one wasm pthread worker under Node (used only when TS231N_THREADS > 1).
 *
 * tfjs-backend-wasm hands its pthread workers two Blob URLs: the worker script and the main
 * module script. Node's worker_threads cannot load either (tfjs issue #3830). This shim is given
 * to `new Worker()` instead of the worker Blob URL; it rewrites the "load" message so the worker
 * imports the module script that the package ships as a file, then runs the package's own
 * worker script unchanged.
 */
'use strict';
const path = require('path');
const { parentPort } = require('worker_threads');

const wasmOut = path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'wasm-out');
const mainScript = path.join(wasmOut, 'tfjs-backend-wasm-threaded-simd.js');

const on = parentPort.on.bind(parentPort);
parentPort.on = (event, handler) =>
  on(
    event,
    event !== 'message'
      ? handler
      : (data) => {
          if (data && data.cmd === 'load' && typeof data.urlOrBlob !== 'string') data.urlOrBlob = mainScript;
          handler(data);
        },
  );

// The package ships the worker script as a string (a template literal, so its "\\n" escapes
// arrived as real newlines: put them back, as tfjs does before making its Blob).
const { wasmWorkerContents } = require(path.join(wasmOut, 'tfjs-backend-wasm-threaded-simd.worker.js'));
new Function('require', '__filename', wasmWorkerContents.replace(/\n/g, '\\n'))(require, __filename);
