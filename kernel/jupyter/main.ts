/**
 * Kernel entry: `node kernel/share/jupyter/kernels/ts231n/kernel.js <connection_file>` (what
 * Jupyter runs from the kernelspec) ends up in `startKernel`. Cells run on this thread in the
 * process's working directory, which Jupyter sets to the notebook's folder.
 */
import { randomUUID } from 'crypto';
import { writeSync } from 'fs';
import * as path from 'path';
import { Channels } from './channels';
import { readConnectionFile } from './connection';
import { Kernel } from './kernel';
import { kernelInfo } from './kernelInfo';
import type { Engine } from '../engine';
import type { EngineLike, ExecuteReply } from './types';
import { createInterruptBoard, type InterruptBoard } from '../protocol/interrupts';
import { CommandLineError, parseCommandLine } from '../../scripts/commandLine';

/**
 * Stands in when the engine cannot start (e.g. the npm packages are missing): the kernel stays
 * up and every cell answers with the reason, instead of Jupyter seeing a dead kernel.
 */
class UnavailableEngine implements EngineLike {
  constructor(private readonly reason: string) {}
  async execute(): Promise<ExecuteReply> {
    return {
      status: 'error',
      executionCount: 0,
      error: { ename: 'KernelStartError', evalue: this.reason, traceback: [`KernelStartError: ${this.reason}`] },
    };
  }
  complete(_code: string, cursorPos: number) {
    return { matches: [], cursorStart: cursorPos, cursorEnd: cursorPos };
  }
  inspect() {
    return { found: false, data: {} };
  }
  isComplete() {
    return { status: 'complete' as const };
  }
  interrupt(): void {}
  dispose(): void {}
}

export interface StartOptions {
  /** Builds the cell engine; defaults to kernel/engine's Engine with cwd = process.cwd(). */
  createEngine?: (cwd: string, interrupts: InterruptBoard) => EngineLike;
  cwd?: string;
}

/** Type-level check (no code) that kernel/engine's Engine honours the contract used here. */
export type EngineHonoursContract = Engine extends EngineLike ? true : never;
export const engineHonoursContract: EngineHonoursContract = true;

function defaultEngine(cwd: string, interrupts: InterruptBoard): EngineLike {
  // Loaded lazily so the protocol layer (and its tests) do not pull in the compiler.
  const { Engine: EngineClass } = require(path.join(__dirname, '..', 'engine')) as typeof import('../engine');
  return new EngineClass({ cwd, interrupts });
}

/** Kernel diagnostics go to fd 2 (Jupyter's log), never through a stream a cell may capture. */
function log(text: string): void {
  try {
    writeSync(2, `[ts231n kernel] ${text}\n`);
  } catch {
    /* nowhere left to report */
  }
}

/**
 * Between cells, process.stdout/stderr and uncaught errors (a timer or promise a cell left
 * behind) go to the cell that ran last; before any cell, to Jupyter's log. The engine captures
 * the streams during a cell and restores these writers afterwards.
 */
function routeLateOutput(kernel: Kernel): void {
  for (const name of ['stdout', 'stderr'] as const) {
    const stream = process[name];
    const real = stream.write.bind(stream);
    stream.write = ((
      chunk: string | Uint8Array,
      enc?: BufferEncoding | ((e?: Error | null) => void),
      cb?: (e?: Error | null) => void,
    ): boolean => {
      const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
      if (!kernel.lateOutput(name, text)) return real(chunk, enc as BufferEncoding, cb);
      const done = typeof enc === 'function' ? enc : cb;
      done?.();
      return true;
    }) as typeof stream.write;
  }
  process.on('uncaughtException', (e) => {
    if (!kernel.lateOutput('stderr', `Uncaught ${(e as Error)?.stack ?? e}\n`))
      log(`uncaught exception: ${(e as Error)?.stack ?? e}`);
  });
  process.on('unhandledRejection', (e) => {
    if (!kernel.lateOutput('stderr', `Unhandled promise rejection: ${(e as Error)?.stack ?? e}\n`))
      log(`unhandled rejection: ${(e as Error)?.stack ?? e}`);
  });
}

export async function startKernel(connectionFile: string, opts: StartOptions = {}): Promise<Kernel> {
  const connection = readConnectionFile(connectionFile);
  const info = kernelInfo();
  const cwd = opts.cwd ?? process.cwd();
  let kernel: Kernel | null = null;
  let channels: Channels | null = null;
  let engine: EngineLike | null = null;
  let exiting = false;
  const exit = async (): Promise<void> => {
    if (exiting) return;
    exiting = true;
    kernel?.close();
    try {
      engine?.dispose();
    } catch {
      /* the process ends anyway */
    }
    await channels?.close();
    process.exit(0);
  };
  const early: Parameters<Kernel['receive']>[0][] = [];
  const interrupts = createInterruptBoard();
  channels = await Channels.start(
    { connection, session: randomUUID(), kernelInfo: info, shutdownGraceSeconds: 3, interrupts },
    {
      request: (req) => (kernel ? kernel.receive(req) : early.push(req)),
      shutdown: () => void exit(),
      interrupt: () => engine?.interrupt(),
      fatal: (message) => {
        log(`${message}; exiting so that Jupyter can restart the kernel`);
        process.exit(1);
      },
    },
  );
  // Jupyter interrupts with interrupt_request (kernel.json's interrupt_mode "message"; see
  // sockets.ts); a front end that sends SIGINT itself (mode "signal") still works: while a cell
  // runs synchronously the engine's vm breaks on it, otherwise this handler interrupts pending
  // async work. Either way the kernel itself must not die of it.
  process.on('SIGINT', () => engine?.interrupt());
  try {
    engine = (opts.createEngine ?? defaultEngine)(cwd, interrupts);
  } catch (e) {
    engine = new UnavailableEngine(`the TypeScript engine did not start in ${cwd}: ${(e as Error).message}`);
  }
  const k = new Kernel(channels, engine, { info, log, onShutdown: () => void exit() });
  kernel = k;
  routeLateOutput(k);
  for (const req of early.splice(0)) kernel.receive(req);
  return kernel;
}

/** CLI: one argument, the connection file. Prints one line and exits 2 on bad input. */
export function main(argv: string[]): void {
  const usage = 'usage: kernel.js <connection_file>  (Jupyter passes {connection_file}; see docs/kernel.md)';
  let positionals: string[];
  try {
    positionals = parseCommandLine(argv, {}, true).positionals;
  } catch (e) {
    if (!(e instanceof CommandLineError)) throw e;
    process.stderr.write(`ts231n kernel: ${e.message}; ${usage}\n`);
    process.exit(2);
  }
  const file = positionals[0];
  if (!file || positionals.length > 1) {
    process.stderr.write(`${usage}\n`);
    process.exit(2);
  }
  startKernel(file).catch((e: Error) => {
    process.stderr.write(`ts231n kernel: ${e.message}\n`);
    process.exit(1);
  });
}

if (require.main === module) main(process.argv.slice(2));
