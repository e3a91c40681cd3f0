/**
 * The process's main JavaScript context, where cells run (vm.runInThisContext).
 *
 * Usually this module was loaded in that context too. Under jest it was not: jest gives each test
 * file its own globalThis and its own `module` builtin, whose createRequire loads through jest's
 * registry. The engine must behave there exactly as in the kernel and the grader, so it takes
 * globalThis, process and Node's Module class from the main context.
 */
import * as vm from 'vm';
import Module = require('module');

export const mainGlobal = vm.runInThisContext('globalThis') as typeof globalThis & Record<symbol, unknown>;
export const mainProcess = mainGlobal.process as NodeJS.Process;

function nodeModuleClass(): typeof Module {
  const ctor = (mainProcess as NodeJS.Process & { mainModule?: { constructor: unknown } }).mainModule?.constructor as
    (typeof Module & { _load?: unknown }) | undefined;
  if (ctor && typeof ctor.createRequire === 'function' && typeof ctor._load === 'function') return ctor;
  return Module;
}

/** Node's own Module class. */
export const NodeModule = nodeModuleClass();
