/**
 * Messages between the kernel's main thread (which runs cells) and its socket worker (which owns
 * every ZeroMQ socket, so heartbeat and control answer while a cell blocks the main thread).
 */
import type { ConnectionInfo } from './connection';
import type { Header, Json } from './wire';
import type { InterruptBoard } from '../protocol/interrupts';

/** What postMessage can carry of a decoded message (Buffers arrive as Uint8Array). */
export interface WireMessage {
  identities: Uint8Array[];
  header: Header;
  parent_header: Header | Record<string, never>;
  metadata: Json;
  content: Json;
  buffers: Uint8Array[];
}

export interface WorkerData {
  connection: ConnectionInfo;
  /** The kernel's session id, the `session` of every header it sends. */
  session: string;
  /** kernel_info_reply content, answered on control without waiting for the main thread. */
  kernelInfo: Json;
  /** Seconds to wait after shutdown_request before the worker ends a main thread that hangs. */
  shutdownGraceSeconds: number;
  /** Where interrupt_request is written for the engine (kernel/protocol/interrupts.ts). */
  interrupts: InterruptBoard;
}

export type ToMain =
  | { kind: 'ready' }
  | { kind: 'fatal'; message: string }
  /** `interruptsAtArrival`: interrupt requests counted on the board when the socket thread received it. */
  | { kind: 'request'; channel: 'shell' | 'control' | 'stdin'; msg: WireMessage; interruptsAtArrival: number }
  | { kind: 'shutdown'; restart: boolean }
  | { kind: 'interrupt' }
  | { kind: 'closed' };

export type ToWorker =
  | {
      kind: 'send';
      channel: 'shell' | 'control' | 'stdin' | 'iopub';
      identities: Uint8Array[];
      msgType: string;
      parent: Header | Record<string, never>;
      content: Json;
      metadata?: Json;
      buffers?: Uint8Array[];
    }
  | { kind: 'close' };
