/**
 * Routes what a cell prints and displays to the caller's hooks while it runs, then restores the
 * real streams and the previous display sink (contracts 2 and 4 in docs/architecture.md).
 *
 * Cells run in the process's main context, so the streams and the display sink are taken from
 * there (see mainContext.ts).
 */
import { mainGlobal, mainProcess } from './mainContext';
import {
  DISPLAY_SINK_KEY as SINK,
  type DisplayOptions,
  type DisplaySink,
  type ExecuteHooks,
  type InputRequest,
  type MimeBundle,
} from '../protocol';

export type { DisplayOptions, ExecuteHooks, MimeBundle };

type Write = NodeJS.WriteStream['write'];

function toText(chunk: unknown, encoding?: unknown): string {
  if (typeof chunk === 'string') return chunk;
  if (ArrayBuffer.isView(chunk))
    return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString(
      typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8',
    );
  return String(chunk);
}

function redirect(stream: NodeJS.WriteStream, hook: (t: string) => void): () => void {
  const own = Object.prototype.hasOwnProperty.call(stream, 'write');
  const previous = stream.write;
  const write = function (chunk: unknown, encoding?: unknown, cb?: unknown): boolean {
    const done = typeof encoding === 'function' ? encoding : cb;
    try {
      hook(toText(chunk, encoding));
    } finally {
      if (typeof done === 'function') process.nextTick(done as () => void);
    }
    return true;
  };
  stream.write = write as Write;
  return () => {
    if (own) stream.write = previous;
    else delete (stream as { write?: Write }).write;
  };
}

/** Installs the hooks; the returned function undoes exactly what was installed. */
export function captureOutput(hooks: ExecuteHooks): () => void {
  const undo: Array<() => void> = [];
  if (hooks.stdout) undo.push(redirect(mainProcess.stdout, hooks.stdout));
  if (hooks.stderr) undo.push(redirect(mainProcess.stderr, hooks.stderr));
  const previousSink = mainGlobal[SINK];
  const display = hooks.display;
  const stdout = hooks.stdout;
  const sink: DisplaySink = {
    display(bundle: MimeBundle, options?: DisplayOptions) {
      if (display) return display(bundle, options ?? {});
      // No display hook: show the text form, as the runtime does outside a notebook.
      const text = bundle['text/plain'];
      if (typeof text === 'string' && !options?.update)
        (stdout ?? ((t: string) => mainProcess.stdout.write(t)))(text.endsWith('\n') ? text : text + '\n');
    },
    // A host that keeps no outputs (the grader) has nothing to clear.
    clearOutput: (wait: boolean) => hooks.clearOutput?.(wait),
  };
  // Only a host whose front end allows stdin offers input; the runtime's input() explains its absence.
  const input = hooks.input;
  if (input) sink.input = (request: InputRequest) => input(request);
  mainGlobal[SINK] = sink;
  undo.push(() => {
    mainGlobal[SINK] = previousSink;
  });
  return () => {
    for (const u of undo.reverse()) u();
  };
}
