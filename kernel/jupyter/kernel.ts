/**
 * The kernel proper, on the main thread: shell requests are handled one at a time in arrival
 * order (a queue, never dropped), cells run through the engine, and every output goes to IOPub
 * with the request as parent, framed by busy … idle.
 */
import { refineIsComplete } from './completeness';
import { History } from './history';
import type { EngineLike, ExecuteReply, MimeBundle } from './types';
import type { Header, Json } from './wire';

export type OutChannel = 'shell' | 'control' | 'stdin' | 'iopub';

/** Where the kernel sends: the socket worker in production, a recorder in tests. */
export interface KernelIo {
  send(
    channel: OutChannel,
    identities: Uint8Array[],
    msgType: string,
    parent: Header | Record<string, never>,
    content: Json,
    metadata?: Json,
  ): void;
}

export interface Request {
  /** `stdin`: an `input_reply`, answered at once (the cell that asked is still running). */
  channel: 'shell' | 'control' | 'stdin';
  identities: Uint8Array[];
  header: Header;
  content: Json;
  metadata: Json;
  /** Interrupt requests asked for before this request arrived (ExecuteOptions); absent in tests. */
  interruptsAtArrival?: number;
}

export interface KernelOptions {
  /** kernel_info_reply content (see kernelInfo.ts). */
  info: Json;
  /** Kernel diagnostics (to Jupyter's log, not to a notebook). */
  log?(text: string): void;
  /** Called after shutdown_request on shell was answered. */
  onShutdown?(restart: boolean): void;
}

const str = (v: unknown, dflt = ''): string => (typeof v === 'string' ? v : dflt);
const bool = (v: unknown, dflt: boolean): boolean => (typeof v === 'boolean' ? v : dflt);
const num = (v: unknown, dflt: number): number => (typeof v === 'number' && Number.isFinite(v) ? v : dflt);

export class Kernel {
  /** Executions stored in history so far; the next stored cell gets executionCount + 1. */
  executionCount = 0;
  readonly history = new History(1);
  private readonly queue: Request[] = [];
  private running = false;
  private closed = false;
  /** The request whose cell ran last: late output of its timers is shown under it. */
  private lastParent: { header: Header } | null = null;
  /** The running cell's unanswered `input_request`, if any. */
  private pendingInput: { resolve(value: string): void; reject(e: Error): void } | null = null;

  constructor(
    private readonly io: KernelIo,
    private readonly engine: EngineLike,
    private readonly opts: KernelOptions,
  ) {}

  /** Queue a request; handled after every request received before it. */
  receive(req: Request): void {
    if (this.closed) return;
    if (req.channel === 'stdin') return this.inputReply(req);
    this.queue.push(req);
    if (!this.running) void this.drain();
  }

  /** Resolves when the queue is empty (tests). */
  async idle(): Promise<void> {
    while (this.running || this.queue.length > 0) await new Promise((r) => setTimeout(r, 5));
  }

  /**
   * Output that arrives when no cell runs (a timer's console.log, an unhandled rejection) is
   * shown under the cell that ran last, as ipykernel does. False when no cell has run yet.
   */
  lateOutput(name: 'stdout' | 'stderr', text: string): boolean {
    if (!this.lastParent || this.closed) return false;
    this.io.send('iopub', [], 'stream', this.lastParent.header, { name, text });
    return true;
  }

  private inputReply(req: Request): void {
    if (req.header.msg_type !== 'input_reply') {
      this.opts.log?.(`unknown stdin message type ${req.header.msg_type}: ignored`);
      return;
    }
    const pending = this.pendingInput;
    this.pendingInput = null;
    pending?.resolve(str(req.content.value));
  }

  /** Sends `input_request` on stdin to the client that sent `req` and waits for its `input_reply`. */
  private requestInput(req: Request, prompt: string, password: boolean): Promise<string> {
    if (this.pendingInput)
      return Promise.reject(new Error('input(): the cell is already waiting for input; await each input() in turn'));
    return new Promise<string>((resolve, reject) => {
      this.pendingInput = { resolve, reject };
      this.io.send('stdin', req.identities, 'input_request', req.header, { prompt, password });
    });
  }

  close(): void {
    this.closed = true;
    this.queue.length = 0;
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      while (this.queue.length > 0 && !this.closed) {
        const req = this.queue.shift()!;
        this.status('busy', req.header);
        try {
          await this.dispatch(req);
        } catch (e) {
          // A handler bug must not wedge the queue or leave the client waiting: answer with an
          // error reply (the protocol's shape for a failed request) and go on.
          const err = e as Error;
          const ename = err?.name ?? 'Error';
          const evalue = `the kernel could not handle ${req.header.msg_type}: ${err?.message ?? String(e)}`;
          if (req.header.msg_type.endsWith('_request')) {
            this.reply(req, req.header.msg_type.replace(/_request$/, '_reply'), {
              status: 'error',
              ename,
              evalue,
              traceback: [`${ename}: ${evalue}`],
            });
          }
          this.opts.log?.(evalue);
        }
        this.status('idle', req.header);
      }
    } finally {
      this.running = false;
    }
  }

  private status(state: 'busy' | 'idle', parent: Header): void {
    this.io.send('iopub', [], 'status', parent, { execution_state: state });
  }

  private reply(req: Request, type: string, content: Json, metadata: Json = {}): void {
    this.io.send(req.channel, req.identities, type, req.header, content, metadata);
  }

  private async dispatch(req: Request): Promise<void> {
    const c = req.content;
    switch (req.header.msg_type) {
      case 'execute_request':
        return this.execute(req);
      case 'kernel_info_request':
        return this.reply(req, 'kernel_info_reply', this.opts.info);
      // Jupyter sends and expects cursor positions in code points; so does the engine (contract 2,
      // docs/architecture.md).
      case 'complete_request': {
        const code = str(c.code);
        const r = this.engine.complete(code, num(c.cursor_pos, [...code].length));
        return this.reply(req, 'complete_reply', {
          status: 'ok',
          matches: r.matches,
          cursor_start: r.cursorStart,
          cursor_end: r.cursorEnd,
          metadata: r.types ? { _jupyter_types_experimental: r.types } : {},
        });
      }
      case 'inspect_request': {
        const code = str(c.code);
        const r = this.engine.inspect(code, num(c.cursor_pos, [...code].length), num(c.detail_level, 0));
        return this.reply(req, 'inspect_reply', {
          status: 'ok',
          found: r.found,
          data: r.found ? r.data : {},
          metadata: {},
        });
      }
      case 'is_complete_request': {
        const code = str(c.code);
        const r = refineIsComplete(code, this.engine.isComplete(code));
        return this.reply(
          req,
          'is_complete_reply',
          r.status === 'incomplete' ? { status: r.status, indent: r.indent ?? '' } : { status: r.status },
        );
      }
      case 'history_request':
        return this.reply(req, 'history_reply', { status: 'ok', history: this.history.query(c) });
      case 'comm_info_request':
        // No comm targets (no widgets) yet: an empty map is the truthful answer.
        return this.reply(req, 'comm_info_reply', { status: 'ok', comms: {} });
      case 'comm_open':
        // Unknown target: close it, as ipykernel does, so the frontend does not wait.
        this.io.send('iopub', [], 'comm_close', req.header, { comm_id: str(c.comm_id), data: {} });
        return;
      case 'comm_msg':
      case 'comm_close':
        return;
      case 'shutdown_request': {
        const restart = c.restart === true;
        this.reply(req, 'shutdown_reply', { status: 'ok', restart });
        this.close();
        this.opts.onShutdown?.(restart);
        return;
      }
      default:
        this.opts.log?.(`unknown ${req.channel} message type ${req.header.msg_type}: ignored`);
    }
  }

  private async execute(req: Request): Promise<void> {
    const c = req.content;
    const code = str(c.code);
    const silent = bool(c.silent, false);
    const storeHistory = silent ? false : bool(c.store_history, true);
    if (storeHistory) this.executionCount += 1;
    const count = this.executionCount;
    const parent = req.header;
    const iopub = (type: string, content: Json, metadata: Json = {}): void => {
      if (!silent) this.io.send('iopub', [], type, parent, content, metadata);
    };
    // As in ipykernel, a request without allow_stdin (nbconvert sends false) gets no input().
    const allowStdin = bool(c.allow_stdin, false);
    if (storeHistory) this.history.add(count, code);
    iopub('execute_input', { code, execution_count: count });
    this.lastParent = silent ? this.lastParent : { header: parent };

    let r: ExecuteReply;
    try {
      r = await this.engine.execute(
        code,
        {
          stdout: (text) => iopub('stream', { name: 'stdout', text }),
          stderr: (text) => iopub('stream', { name: 'stderr', text }),
          display: (bundle, options) => {
            const transient = options?.displayId ? { display_id: options.displayId } : {};
            const type = options?.update ? 'update_display_data' : 'display_data';
            iopub(type, { data: bundle, metadata: options?.metadata ?? {}, transient });
          },
          clearOutput: (wait) => iopub('clear_output', { wait }),
          ...(allowStdin ? { input: (r) => this.requestInput(req, r.prompt, r.password) } : {}),
        },
        { interruptsAtArrival: req.interruptsAtArrival },
      );
    } catch (e) {
      // The engine promises to report errors in its reply; if it throws anyway, report that.
      const err = e as Error;
      r = {
        status: 'error',
        executionCount: count,
        error: {
          ename: err?.name ?? 'Error',
          evalue: err?.message ?? String(e),
          traceback: [`${err?.name ?? 'Error'}: ${err?.message ?? String(e)}`],
        },
      };
    } finally {
      // An interrupted cell may have left a prompt unanswered; a late reply then goes nowhere.
      const pending = this.pendingInput;
      this.pendingInput = null;
      pending?.reject(new Error('input(): the cell ended before the answer came'));
    }

    if (r.status === 'ok') {
      if (r.result && Object.keys(r.result).length > 0) {
        iopub('execute_result', { execution_count: count, data: r.result as MimeBundle, metadata: {} });
        const text = r.result['text/plain'];
        if (storeHistory && typeof text === 'string') this.history.setOutput(count, text);
      }
      this.reply(req, 'execute_reply', { status: 'ok', execution_count: count, payload: [], user_expressions: {} });
      return;
    }
    // 'error' and 'aborted' (an interrupted cell) both end the cell with an error, as a
    // KeyboardInterrupt does in IPython.
    const error = r.error ?? {
      ename: 'InterruptError',
      evalue: 'the cell was interrupted',
      traceback: ['InterruptError: the cell was interrupted'],
    };
    iopub('error', { ename: error.ename, evalue: error.evalue, traceback: error.traceback });
    const aborted = bool(c.stop_on_error, true) ? await this.takeQueuedExecutes() : [];
    this.reply(req, 'execute_reply', {
      status: 'error',
      execution_count: count,
      ename: error.ename,
      evalue: error.evalue,
      traceback: error.traceback,
    });
    // No execution_count, as in IPython: the notebook then shows `In [ ]` for a cell that never ran.
    for (const q of aborted) this.reply(q, 'execute_reply', { status: 'aborted' }, { status: 'aborted' });
  }

  /**
   * stop_on_error: abort the execute_requests that were sent before the failing cell's reply
   * (IPython's behaviour, so "Run All" stops at the first error). This runs before that reply
   * goes out, so a request sent after the client saw the error — such as nbclient's next cell —
   * is never aborted. Messages the socket thread received but had not yet handed over are let
   * in first (one macrotask). Requests that say stop_on_error: false are kept.
   */
  private async takeQueuedExecutes(): Promise<Request[]> {
    await new Promise((r) => setTimeout(r, 1));
    const aborted: Request[] = [];
    const keep: Request[] = [];
    for (const q of this.queue) {
      if (q.header.msg_type === 'execute_request' && q.content.stop_on_error !== false) aborted.push(q);
      else keep.push(q);
    }
    this.queue.splice(0, this.queue.length, ...keep);
    return aborted;
  }
}
