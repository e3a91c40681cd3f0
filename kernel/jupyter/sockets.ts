/**
 * The socket worker (a worker_thread): binds shell, control, stdin, IOPub and heartbeat, signs
 * and verifies every message, and forwards shell requests to the main thread in arrival order.
 *
 * It answers on its own what must work while a cell blocks the main thread: heartbeat echo,
 * kernel_info and interrupt_request on control (the interrupt board, a message to the main
 * thread, and SIGINT to this process for a cell stuck in synchronous code), and shutdown_request (reply first, then ask the main thread to exit;
 * if it is stuck in a cell, end the process after a grace period).
 */
import { readFileSync, writeSync } from 'fs';
import { parentPort, workerData } from 'worker_threads';
import * as zmq from 'zeromq';
import { endpoint } from './connection';
import type { ToMain, ToWorker, WireMessage, WorkerData } from './protocol';
import { inSynchronousRun, interruptRequests, requestInterrupt, runningCell } from '../protocol/interrupts';
import { decode, encode, newHeader, type Header, type Json, type Message } from './wire';

const data = workerData as WorkerData;
const port = parentPort!;
const key = data.connection.key;

const post = (m: ToMain): void => port.postMessage(m);
/** A request for the main thread, stamped with the interrupts asked for before it arrived. */
const forward = (channel: 'shell' | 'control' | 'stdin', m: Message): void =>
  post({ kind: 'request', channel, msg: toWire(m), interruptsAtArrival: interruptRequests(data.interrupts) });
/** Kernel diagnostics go to fd 2 (Jupyter's log), never through a stream a cell may capture. */
const log = (text: string): void => {
  try {
    writeSync(2, `[ts231n kernel] ${text}\n`);
  } catch {
    /* nowhere left to report */
  }
};
const toBuffer = (u: Uint8Array): Buffer => Buffer.from(u.buffer, u.byteOffset, u.byteLength);

/** zeromq 6 allows one send in flight per socket: queue the rest, in order. */
class Sender {
  private chain: Promise<void> = Promise.resolve();
  constructor(
    readonly socket: zmq.Writable & zmq.Socket,
    readonly name: string,
  ) {}
  send(frames: Buffer[]): void {
    this.chain = this.chain
      .then(() => this.socket.send(frames))
      .catch((e: Error) => {
        if (!this.socket.closed) log(`${this.name} send failed: ${e.message}`);
      });
  }
  flush(): Promise<void> {
    return this.chain;
  }
}

const shell = new zmq.Router();
const control = new zmq.Router();
const stdin = new zmq.Router();
const iopub = new zmq.Publisher();
const hb = new zmq.Reply();
const senders = {
  shell: new Sender(shell, 'shell'),
  control: new Sender(control, 'control'),
  stdin: new Sender(stdin, 'stdin'),
  iopub: new Sender(iopub, 'iopub'),
};

function send(
  channel: keyof typeof senders,
  identities: Buffer[],
  msgType: string,
  parent: Header | Record<string, never>,
  content: Json,
  metadata: Json = {},
  buffers: Buffer[] = [],
): void {
  // IOPub's first frame is a topic; ipykernel uses kernel.<id>.<msg_type>, clients subscribe to all.
  const ids = channel === 'iopub' ? [Buffer.from(`kernel.${data.session}.${msgType}`)] : identities;
  const msg: Message = {
    identities: ids,
    header: newHeader(msgType, data.session),
    parent_header: parent,
    metadata,
    content,
    buffers,
  };
  senders[channel].send(encode(msg, key));
}

function toWire(m: Message): WireMessage {
  return {
    ...m,
    identities: m.identities.map((b) => new Uint8Array(b)),
    buffers: m.buffers.map((b) => new Uint8Array(b)),
  };
}

async function* received(socket: zmq.Readable & zmq.Socket, name: string): AsyncGenerator<Message> {
  for await (const frames of socket) {
    try {
      yield decode(frames as Buffer[], key);
    } catch (e) {
      log(`${name}: ${(e as Error).message}`);
    }
  }
}

async function serveHeartbeat(): Promise<void> {
  for await (const frames of hb) await hb.send(frames as Buffer[]);
}

async function serveShell(): Promise<void> {
  // Even kernel_info waits for the main thread: Jupyter should see the kernel as ready only
  // when cells can run, or a short per-cell timeout would count the compiler's start-up.
  for await (const m of received(shell, 'shell')) forward('shell', m);
}

/** `input_reply` from the client: to the main thread, where the cell that asked is waiting. */
async function serveStdin(): Promise<void> {
  for await (const m of received(stdin, 'stdin')) forward('stdin', m);
}

/** How long a cell's synchronous code must still be running after ■ before SIGINT is sent. */
const SIGINT_GRACE_MS = 100;

function breakIfStillSynchronous(cell: number): void {
  if (cell === 0) return;
  setTimeout(() => {
    if (runningCell(data.interrupts) === cell && inSynchronousRun(data.interrupts)) process.kill(process.pid, 'SIGINT');
  }, SIGINT_GRACE_MS);
}

let shuttingDown = false;

async function serveControl(): Promise<void> {
  for await (const m of received(control, 'control')) {
    const reply = (type: string, content: Json): void => send('control', m.identities, type, m.header, content);
    const handled = ['kernel_info_request', 'interrupt_request', 'shutdown_request'].includes(m.header.msg_type);
    // Anything else (e.g. comm messages sent on control) goes to the main thread, which
    // publishes its busy/idle itself.
    if (!handled) {
      forward('control', m);
      continue;
    }
    send('iopub', [], 'status', m.header, { execution_state: 'busy' });
    switch (m.header.msg_type) {
      case 'kernel_info_request':
        reply('kernel_info_reply', data.kernelInfo);
        break;
      case 'interrupt_request':
        reply('interrupt_reply', { status: 'ok' });
        // Three ways, because each covers a case the others miss: the board stops a cell that is
        // still compiling (the main thread cannot hear anything then), the message stops an
        // awaiting cell, and SIGINT breaks a synchronous loop (the main thread's vm runs cells
        // with breakOnSigint). SIGINT only for a cell whose synchronous code still runs a while
        // later: one that reaches a run about to end on its own can break a later cell instead
        // (Node's SIGINT watchdog; docs/kernel.md, Interrupt).
        requestInterrupt(data.interrupts);
        post({ kind: 'interrupt' });
        breakIfStillSynchronous(runningCell(data.interrupts));
        break;
      case 'shutdown_request': {
        const restart = m.content.restart === true;
        reply('shutdown_reply', { status: 'ok', restart });
        if (!shuttingDown) {
          shuttingDown = true;
          post({ kind: 'shutdown', restart });
          const t = setTimeout(() => process.kill(process.pid, 'SIGTERM'), data.shutdownGraceSeconds * 1000);
          t.unref();
        }
        break;
      }
    }
    send('iopub', [], 'status', m.header, { execution_state: 'idle' });
  }
}

async function closeAll(): Promise<void> {
  await Promise.race([
    Promise.all(Object.values(senders).map((s) => s.flush())),
    new Promise((r) => setTimeout(r, 500)),
  ]);
  for (const s of [shell, control, stdin, iopub, hb]) {
    s.linger = 200;
    s.close();
  }
  post({ kind: 'closed' });
}

port.on('message', (m: ToWorker) => {
  if (m.kind === 'send')
    send(
      m.channel,
      m.identities.map(toBuffer),
      m.msgType,
      m.parent,
      m.content,
      m.metadata ?? {},
      (m.buffers ?? []).map(toBuffer),
    );
  else if (m.kind === 'close') void closeAll();
});

async function main(): Promise<void> {
  const conn = data.connection;
  try {
    await Promise.all([
      shell.bind(endpoint(conn, 'shell')),
      control.bind(endpoint(conn, 'control')),
      stdin.bind(endpoint(conn, 'stdin')),
      iopub.bind(endpoint(conn, 'iopub')),
      hb.bind(endpoint(conn, 'hb')),
    ]);
  } catch (e) {
    post({
      kind: 'fatal',
      message: `cannot bind the kernel's sockets on ${conn.ip} (${(e as Error).message}); another process holds a port, start the kernel again`,
    });
    return;
  }
  post({ kind: 'ready' });
  send('iopub', [], 'status', {}, { execution_state: 'starting' });
  const swallowClosed = (e: Error & { code?: string }): void => {
    if (e.code !== 'EAGAIN' && !/closed|terminated/i.test(e.message)) log(`socket loop ended: ${e.message}`);
  };
  serveHeartbeat().catch(swallowClosed);
  serveShell().catch(swallowClosed);
  serveControl().catch(swallowClosed);
  serveStdin().catch(swallowClosed);
}

/**
 * jupyter_client names the process that started the kernel in JPY_PARENT_PID; like ipykernel's
 * parent poller, end the kernel when that process is gone, so a crashed client or server
 * leaves no orphan kernel behind. Checked here because the main thread may be busy in a cell.
 */
function watchParent(): void {
  const parent = Number(process.env.JPY_PARENT_PID);
  if (!Number.isInteger(parent) || parent <= 1) return;
  // A parent that died but was not reaped yet is a zombie and still answers kill(pid, 0):
  // being re-parented (our ppid changes) or its /proc state 'Z' say it is gone too.
  const firstPpid = process.ppid;
  const zombie = (): boolean => {
    try {
      return /^\d+ \(.*\) Z/.test(readFileSync(`/proc/${parent}/stat`, 'utf8'));
    } catch {
      return false;
    }
  };
  const gone = (): boolean => {
    if (process.ppid !== firstPpid) return true;
    try {
      process.kill(parent, 0);
    } catch (e) {
      return (e as NodeJS.ErrnoException).code === 'ESRCH';
    }
    return zombie();
  };
  const timer = setInterval(() => {
    if (!gone()) return;
    log(`the process that started this kernel (pid ${parent}) is gone; exiting`);
    process.kill(process.pid, 'SIGTERM');
  }, 1000);
  timer.unref();
}

watchParent();
void main();
