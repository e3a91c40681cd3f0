/**
 * is_complete refinement. The engine (tslab's rule) answers 'complete' for code that is finished
 * but does not parse, so that running it shows the syntax error. Jupyter's protocol has a third
 * answer for that, 'invalid' (IPython gives it for `1 +* 2)`), which consoles use to run the
 * code at once instead of waiting for more lines. TypeScript's parser tells the two apart.
 */
import type * as TS from 'typescript';

let ts: typeof TS | null = null;

export function refineIsComplete(
  code: string,
  engineAnswer: { status: 'complete' | 'incomplete' | 'invalid'; indent?: string },
): { status: 'complete' | 'incomplete' | 'invalid'; indent?: string } {
  if (engineAnswer.status !== 'complete' || code.trim() === '') return engineAnswer;
  ts ??= require('typescript') as typeof TS;
  const src = ts.createSourceFile('cell.ts', code, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const diagnostics = (src as unknown as { parseDiagnostics?: unknown[] }).parseDiagnostics ?? [];
  return diagnostics.length > 0 ? { status: 'invalid' } : engineAnswer;
}
