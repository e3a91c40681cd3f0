/**
 * What the Jupyter front needs of the cell engine: contract 2 (kernel/engine). Declared here as
 * an interface so the protocol layer can be tested with any engine that honours the contract.
 */
import type { DisplayOptions, MimeBundle } from '../runtime/output';

export type { DisplayOptions, MimeBundle };

export interface ExecuteHooks {
  stdout?(t: string): void;
  stderr?(t: string): void;
  display?(bundle: MimeBundle, options: DisplayOptions): void;
}

export interface ExecuteReply {
  status: 'ok' | 'error' | 'aborted';
  executionCount: number;
  result?: MimeBundle;
  error?: { ename: string; evalue: string; traceback: string[] };
}

/** Cursor positions (complete, inspect) are Unicode code points, as Jupyter sends them. */
export interface EngineLike {
  execute(code: string, hooks?: ExecuteHooks): Promise<ExecuteReply>;
  complete(code: string, cursorPos: number): { matches: string[]; cursorStart: number; cursorEnd: number };
  inspect(code: string, cursorPos: number, detailLevel?: number): { found: boolean; data: MimeBundle };
  isComplete(code: string): { status: 'complete' | 'incomplete' | 'invalid'; indent?: string };
  interrupt(): void;
  dispose(): void;
}
