/**
 * The interrupt board: shared memory between the engine (main thread) and whoever asks for an
 * interrupt from another thread (the kernel's socket thread). A signal can arrive while the main
 * thread compiles a cell synchronously and be lost to its handler; a counter in shared memory
 * cannot, so the engine reads it just before the cell's code starts (docs/kernel-engine.md).
 */

/**
 * Slot 0: interrupt requests so far. Slot 1: the number of the cell running now, 0 when idle.
 * Slot 2: 1 while that cell's synchronous code runs (the only time a SIGINT is needed to stop it).
 */
export type InterruptBoard = Int32Array;

const REQUESTS = 0;
const RUNNING = 1;
const SYNCHRONOUS = 2;

export function createInterruptBoard(): InterruptBoard {
  return new Int32Array(new SharedArrayBuffer(3 * Int32Array.BYTES_PER_ELEMENT));
}

/** Asks the running cell, if any, to stop; safe from any thread. */
export function requestInterrupt(board: InterruptBoard): void {
  Atomics.add(board, REQUESTS, 1);
}

export function interruptRequests(board: InterruptBoard): number {
  return Atomics.load(board, REQUESTS);
}

export function setRunningCell(board: InterruptBoard, executionCount: number): void {
  Atomics.store(board, RUNNING, executionCount);
}

/** The cell running now (0 when idle): lets another thread wait until a cell has started. */
export function runningCell(board: InterruptBoard): number {
  return Atomics.load(board, RUNNING);
}

export function setSynchronousRun(board: InterruptBoard, running: boolean): void {
  Atomics.store(board, SYNCHRONOUS, running ? 1 : 0);
}

/** Whether a cell's synchronous code is running now, where only SIGINT (vm's breakOnSigint) stops it. */
export function inSynchronousRun(board: InterruptBoard): boolean {
  return Atomics.load(board, SYNCHRONOUS) === 1;
}
