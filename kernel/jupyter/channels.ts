/**
 * Main-thread side of the socket worker: starts it, waits until the sockets are bound, and
 * turns its messages into kernel requests and kernel sends into its messages.
 */
import * as path from 'path';
import { Worker } from 'worker_threads';
import type { KernelIo, OutChannel, Request } from './kernel';
import type { ToMain, ToWorker, WorkerData } from './protocol';
import type { Header, Json } from './wire';

export interface ChannelsEvents {
  request(req: Request): void;
  shutdown(restart: boolean): void;
  /** interrupt_request arrived (the socket thread has also marked the board and sent SIGINT). */
  interrupt(): void;
  /** The socket thread is gone: the kernel cannot hear Jupyter any more and must end. */
  fatal(message: string): void;
}

export class Channels implements KernelIo {
  private constructor(private readonly worker: Worker) {}

  /** Start the worker and resolve once all five sockets are bound. */
  static start(data: WorkerData, events: ChannelsEvents): Promise<Channels> {
    const file = path.join(__dirname, 'sockets' + path.extname(__filename));
    // Run from TypeScript sources (tsx), the worker registers tsx itself; compiled, it is plain JS.
    const code = file.endsWith('.ts')
      ? `require(${JSON.stringify(require.resolve('tsx/cjs/api'))}).register(); require(${JSON.stringify(file)});`
      : `require(${JSON.stringify(file)});`;
    const worker = new Worker(code, { eval: true, workerData: data });
    return new Promise<Channels>((resolve, reject) => {
      const channels = new Channels(worker);
      let started = false;
      worker.on('message', (m: ToMain) => {
        switch (m.kind) {
          case 'ready':
            started = true;
            return resolve(channels);
          case 'fatal':
            return reject(new Error(m.message));
          case 'request':
            return events.request({
              channel: m.channel,
              identities: m.msg.identities,
              header: m.msg.header,
              content: m.msg.content,
              metadata: m.msg.metadata,
              interruptsAtArrival: m.interruptsAtArrival,
            });
          case 'shutdown':
            return events.shutdown(m.restart);
          case 'interrupt':
            return events.interrupt();
          case 'closed':
            channels.onClosed?.();
        }
      });
      worker.on('error', (e) => (started ? events.fatal(`the socket thread failed: ${e.message}`) : reject(e)));
      worker.on('exit', (code) => {
        if (started && !channels.closing) events.fatal(`the socket thread exited (code ${code})`);
      });
    });
  }

  private onClosed?: () => void;
  closing = false;

  send(
    channel: OutChannel,
    identities: Uint8Array[],
    msgType: string,
    parent: Header | Record<string, never>,
    content: Json,
    metadata: Json = {},
  ): void {
    const m: ToWorker = { kind: 'send', channel, identities, msgType, parent, content, metadata };
    this.worker.postMessage(m);
  }

  /** Flush pending sends and close the sockets (at most `timeoutMs`). */
  close(timeoutMs = 1500): Promise<void> {
    this.closing = true;
    return new Promise((resolve) => {
      const t = setTimeout(resolve, timeoutMs);
      this.onClosed = () => {
        clearTimeout(t);
        resolve();
      };
      this.worker.postMessage({ kind: 'close' } satisfies ToWorker);
    });
  }
}
