/**
 * The cell engine's contract (docs/architecture.md, contract 2): what kernel/engine's `Engine`
 * offers and what the Jupyter kernel, the notebook runner and the grader's child rely on. Also the
 * display channel's types (contract 4), since a cell's displays reach the caller through the hooks.
 */

/** A Jupyter MIME bundle: MIME type → data (`text/plain`, `text/html`, `image/png`, …). */
export type MimeBundle = Record<string, unknown>;

export interface DisplayOptions {
  /** Names the output so a later call with `update: true` replaces it in place. */
  displayId?: string;
  /** Replace the output with this displayId (Jupyter `update_display_data`). */
  update?: boolean;
  /** nbformat output metadata, e.g. `{ 'image/png': { width: 320 } }`. */
  metadata?: Record<string, unknown>;
}

/**
 * Where runtime helpers send what they display, and how they reach the front end (installed by
 * the engine under DISPLAY_SINK_KEY while a cell runs).
 */
export interface DisplaySink {
  display(bundle: MimeBundle, options?: DisplayOptions): void;
  /** Clear the cell's output (Jupyter `clear_output`); with `wait`, only when the next output arrives. */
  clearOutput?(wait: boolean): void;
  /** Ask the front end for a line of text (Jupyter `input_request`); absent when it allows no stdin. */
  input?(request: InputRequest): Promise<string>;
}

/** A prompt for the user (Jupyter's `input_request` content). */
export interface InputRequest {
  prompt: string;
  /** Hide what is typed (a password field). */
  password: boolean;
}

/** Where a running cell's output goes. */
export interface ExecuteHooks {
  stdout?(text: string): void;
  stderr?(text: string): void;
  display?(bundle: MimeBundle, options: DisplayOptions): void;
  /** The cell cleared its output so far (`clear_output`; with `wait`, when its next output arrives). */
  clearOutput?(wait: boolean): void;
  /** Only when the front end allows stdin (`allow_stdin`): the user's answer to a prompt. */
  input?(request: InputRequest): Promise<string>;
}

/** How the host asked for a cell (beyond its code and where its output goes). */
export interface ExecuteOptions {
  /**
   * Interrupt requests counted on the engine's board (kernel/protocol/interrupts.ts) when the host
   * received this cell's request. A request counted after that stops the cell, even one made
   * before the cell started (a ■ pressed right after ▶, while the cell waited its turn); one that
   * an earlier cell already ended with does not. Without it, only requests made after the cell
   * started count.
   */
  interruptsAtArrival?: number;
}

/** Jupyter's error triple; traceback lines point at the cell's line and at `file:line` of local modules. */
export interface ErrorInfo {
  ename: string;
  evalue: string;
  traceback: string[];
}

export interface ExecuteReply {
  /** `aborted`: the cell never ran (Jupyter's stop_on_error after an earlier failure). */
  status: 'ok' | 'error' | 'aborted';
  executionCount: number;
  /** The value of a final expression (execute_result), if any. */
  result?: MimeBundle;
  error?: ErrorInfo;
  /**
   * An empty TODO (NotImplementedError) ended the cell early; the status stays 'ok' and the cell
   * printed a one-line notice. For hosts that report it (the grader explains a missing record).
   */
  todo?: ErrorInfo;
}

/** One match's type for the completer (`metadata._jupyter_types_experimental` of a complete_reply). */
export interface CompletionType {
  /** Code points, as cursorStart and cursorEnd. */
  start: number;
  end: number;
  /** The match. */
  text: string;
  /** IPython's kind names: function, class, module, instance, param, property, keyword, path, statement, <unknown>. */
  type: string;
  /** TypeScript's hover text for the match (`function f(x: number): string`); '' when not computed. */
  signature: string;
}

export interface CompleteReply {
  matches: string[];
  cursorStart: number;
  cursorEnd: number;
  /** One per match, in the same order. */
  types?: CompletionType[];
}

/**
 * The engine as its callers see it. Cursor positions (complete, inspect) are Unicode code points,
 * as Jupyter sends them. `execute` calls are queued: a second starts when the first has finished.
 */
export interface EngineLike {
  execute(code: string, hooks?: ExecuteHooks, options?: ExecuteOptions): Promise<ExecuteReply>;
  complete(code: string, cursorPos: number): CompleteReply;
  inspect(code: string, cursorPos: number, detailLevel?: number): { found: boolean; data: MimeBundle };
  isComplete(code: string): { status: 'complete' | 'incomplete' | 'invalid'; indent?: string };
  interrupt(): void;
  dispose(): void;
}
