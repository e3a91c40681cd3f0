/**
 * Types for the completer (docs/kernel.md, "Completion and inspection"). A `complete_reply` may
 * carry `metadata._jupyter_types_experimental`: one `{ start, end, text, type, signature }` per
 * match, in the order of the matches, as IPython sends it. JupyterLab shows `type` beside each
 * match. `type` is TypeScript's completion kind in IPython's (jedi's) words; `signature` is the
 * first part of TypeScript's hover text for the entry (`function svmLossNaive(W: Tensor, …): […]`).
 *
 * Kinds are free (they come with the completion list). A signature costs TypeScript's hover text
 * of the entry's symbol (0.1–2 ms warm, more for the first of a kind), so signatures are computed
 * in the order of the matches until MAX_SIGNATURES or SIGNATURE_BUDGET_MS is reached (IPython's
 * `jedi_compute_type_timeout` does the same); later matches get `signature: ''`. The first match
 * always gets one.
 */
import type { CompletionEntry, CompletionEntryDetails, Converter } from './tslab';
import type { CompletionType } from '../protocol';

/** Matches that get a signature at most; JupyterLab shows about ten at a time. */
export const MAX_SIGNATURES = 50;
/** Time for signatures per request, so that Tab stays quick. */
export const SIGNATURE_BUDGET_MS = 200;
/** A signature longer than this is cut with `…` (object types can print as pages). */
const MAX_SIGNATURE_CHARS = 300;

/** TypeScript's ScriptElementKind → the names IPython's completer uses. */
const KIND_TO_TYPE: Record<string, string> = {
  function: 'function',
  'local function': 'function',
  method: 'function',
  constructor: 'function',
  call: 'function',
  construct: 'function',
  class: 'class',
  'local class': 'class',
  interface: 'class',
  type: 'class',
  enum: 'class',
  'type parameter': 'class',
  'primitive type': 'class',
  module: 'module',
  'external module name': 'module',
  script: 'module',
  directory: 'path',
  var: 'instance',
  'local var': 'instance',
  let: 'instance',
  const: 'instance',
  parameter: 'param',
  property: 'property',
  getter: 'property',
  setter: 'property',
  accessor: 'property',
  'enum member': 'property',
  index: 'property',
  keyword: 'keyword',
  string: 'statement',
  label: 'statement',
};

/** What an import alias (`import { svmLossNaive } …`) stands for, from the first keyword of its hover text. */
const ALIAS_KEYWORD_TO_TYPE: Record<string, string> = {
  function: 'function',
  class: 'class',
  interface: 'class',
  type: 'class',
  enum: 'class',
  namespace: 'module',
  module: 'module',
  import: 'module',
  const: 'instance',
  let: 'instance',
  var: 'instance',
};

/** IPython's type for a TypeScript kind; an alias is typed by what it imports. */
export function jupyterType(kind: string, details?: CompletionEntryDetails): string {
  if (kind === 'alias' || kind === 'warning') {
    const keyword = details?.displayParts?.find((p) => p.kind === 'keyword')?.text;
    return (keyword && ALIAS_KEYWORD_TO_TYPE[keyword]) || (kind === 'alias' ? 'module' : '<unknown>');
  }
  const type = KIND_TO_TYPE[kind] ?? '<unknown>';
  // `const relu: (x: Tensor) => Tensor` (how tfjs exports its ops) is a function to the reader.
  if (type === 'instance' && /^(const|let|var) [^:]+: (<[^>]*>)?\(/.test(signatureOf(details))) return 'function';
  return type;
}

/** The hover text of an entry without the `(alias) ` mark and the `import x` / `export x` lines TypeScript adds. */
export function signatureOf(details: CompletionEntryDetails | undefined): string {
  const text = (details?.displayParts ?? []).map((p) => p.text).join('');
  const lines = text
    .replace(/^\(alias\) /, '')
    .split('\n')
    .filter((l) => !/^(import|export) /.test(l));
  const sig = lines.join('\n').trim();
  return sig.length > MAX_SIGNATURE_CHARS ? `${sig.slice(0, MAX_SIGNATURE_CHARS - 1)}…` : sig;
}

/**
 * One item per match for `_jupyter_types_experimental`. `position` is the cursor as the converter
 * counts it (UTF-16 units in the cell), right after the `complete()` call that gave `entries`.
 */
export function completionTypes(
  converter: Converter,
  position: number,
  matches: string[],
  entries: CompletionEntry[],
  span: { start: number; end: number },
): CompletionType[] {
  const byName = new Map<string, CompletionEntry>();
  for (const e of entries) if (!byName.has(e.name)) byName.set(e.name, e);
  const details: Array<CompletionEntryDetails | undefined> = [];
  const started = performance.now();
  for (let i = 0; i < Math.min(matches.length, MAX_SIGNATURES); i++) {
    if (i > 0 && performance.now() - started > SIGNATURE_BUDGET_MS) break;
    const entry = byName.get(matches[i]);
    try {
      details[i] = entry ? converter.completionDetails(position, [entry])[0] : undefined;
    } catch {
      break;
    }
  }
  const matched = matches.map((m) => byName.get(m));
  let kinds: Array<string | undefined> = matched.map((e) => e?.kind);
  try {
    const present = matched.filter((e): e is CompletionEntry => !!e);
    const resolved = converter.targetKinds(position, present);
    const of = new Map(present.map((e, i) => [e, resolved[i]]));
    kinds = matched.map((e) => (e ? of.get(e) : undefined));
  } catch {
    /* the entries' own kinds */
  }
  return matches.map((text, i) => ({
    start: span.start,
    end: span.end,
    text,
    type: kinds[i] ? jupyterType(kinds[i]!, details[i]) : '<unknown>',
    signature: signatureOf(details[i]),
  }));
}
