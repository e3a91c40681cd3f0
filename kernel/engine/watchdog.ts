/**
 * A timer that runs on its own thread, so that it fires even while a cell blocks the main thread
 * in a synchronous loop. When it fires it sends SIGINT to this process, which stops the cell
 * (breakOnSigint) or, for an awaiting cell, the engine's SIGINT handler.
 */
import { Worker } from 'worker_threads';

const WORKER_SOURCE = `
const { parentPort } = require('worker_threads');
let timer = null;
parentPort.on('message', (m) => {
  if (timer) clearTimeout(timer);
  timer = null;
  if (m && m.ms > 0) timer = setTimeout(() => { timer = null; process.kill(process.pid, 'SIGINT'); }, m.ms);
});
`;

export class Watchdog {
  private readonly worker: Worker;

  constructor() {
    this.worker = new Worker(WORKER_SOURCE, { eval: true });
    this.worker.unref();
  }

  /** Fires SIGINT after `ms` unless disarmed first. */
  arm(ms: number): void {
    this.worker.postMessage({ ms });
  }

  disarm(): void {
    this.worker.postMessage({ ms: 0 });
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }
}
