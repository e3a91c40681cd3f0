/**
 * tslab's public API in cells: `import * as tslab from 'tslab'` then `tslab.display.html(…)`,
 * `.markdown`, `.png(bytes)`, …, `tslab.newDisplay()` and `tslab.versions`.
 *
 * tslab's `Display` sends every bundle through `lastWriteDisplayData` of its own Jupyter module
 * (tslab/dist/jupyter.js), which only tslab's kernel sets; elsewhere each call threw `Not ready`.
 * The engine sets it, in each copy of tslab a cell can load, to a writer that hands the bundle to
 * the display sink of the running cell — the path the runtime's helpers take (`emit` in
 * kernel/runtime/output.ts). A `newDisplay()` names its output with tslab's display id: its first
 * call is `display_data`, later ones `update_display_data`.
 */
import { mainGlobal, mainProcess } from './mainContext';
import { DISPLAY_SINK_KEY, type DisplayOptions, type DisplaySink, type MimeBundle } from '../protocol';

/** What tslab's Display passes (tslab 1.0.22, dist/public.js `DisplayImpl.raw`). */
interface TslabDisplayMessage {
  data: MimeBundle;
  metadata?: Record<string, unknown>;
  transient?: { display_id?: string };
}

type TslabJupyterModule = { lastWriteDisplayData?: unknown };

const WRITER = Symbol.for('ts231n.engine.tslabDisplayWriter');

function writeDisplayData(msg: TslabDisplayMessage, update: boolean | undefined): void {
  const displayId = msg.transient?.display_id;
  const options: DisplayOptions = {};
  if (displayId) options.displayId = displayId;
  if (update && displayId) options.update = true;
  if (msg.metadata && Object.keys(msg.metadata).length > 0) options.metadata = msg.metadata;
  const sink = mainGlobal[DISPLAY_SINK_KEY] as DisplaySink | null | undefined;
  if (sink) return sink.display(msg.data, options);
  // No cell is running: its text form, as the runtime's helpers print outside a notebook.
  const text = msg.data['text/plain'];
  if (typeof text === 'string' && !options.update) mainProcess.stdout.write(text.endsWith('\n') ? text : text + '\n');
}
(writeDisplayData as unknown as Record<symbol, true>)[WRITER] = true;

/**
 * Points tslab's display at the engine's sink, in the tslab that `requires` resolve from here (the
 * engine's own) and the one each given require (a cell's) resolves; a require that finds no tslab
 * is skipped. Idempotent.
 */
export function routeTslabDisplay(requires: NodeJS.Require[]): void {
  const modules = new Map<string, NodeJS.Require>();
  for (const req of requires) {
    try {
      const file = req.resolve('tslab/dist/jupyter.js');
      if (!modules.has(file)) modules.set(file, req);
    } catch {
      /* no tslab from there: `import 'tslab'` fails with Node's own message */
    }
  }
  for (const [file, req] of modules) {
    const mod = req(file) as TslabJupyterModule;
    const current = mod.lastWriteDisplayData as Record<symbol, unknown> | null | undefined;
    // tslab's own kernel (never in this process) would have set its writer: leave that one alone.
    if (current && !current[WRITER]) continue;
    mod.lastWriteDisplayData = writeDisplayData;
  }
}
