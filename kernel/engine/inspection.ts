/**
 * Inspection (Shift-Tab, `inspect_request`; docs/kernel.md, "Completion and inspection"): the
 * TypeScript hover text of the name at the cursor and its TSDoc, as `text/plain` and
 * `text/markdown`. People press Shift-Tab inside a call's parentheses (`svmLossNaive(|`), where
 * no name is under the cursor; like IPython, that inspects the function being called.
 */
import type * as TS from 'typescript';
import type { QuickInfo } from './tslab';
import type { MimeBundle } from '../protocol';

/**
 * Where to ask for quick info, in order: the cursor, the character before it (the cursor just
 * after a name), and the callee of the innermost call whose parentheses hold the cursor.
 * Positions are UTF-16 offsets in `code`.
 */
export function inspectPositions(ts: typeof TS, code: string, pos: number): number[] {
  const out = [pos];
  if (pos > 0) out.push(pos - 1);
  try {
    const sf = ts.createSourceFile('cell.ts', code, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
    let callee: TS.Node | undefined;
    const visit = (node: TS.Node): void => {
      if (pos < node.getFullStart()) return;
      if ((ts.isCallExpression(node) || ts.isNewExpression(node)) && node.arguments) {
        const open = node.arguments.pos; // just after `(`
        // An unfinished call (`f(x, |`) reaches to the end of the cell.
        const close = node.getText(sf).endsWith(')') ? node.getEnd() - 1 : code.length;
        if (pos >= open && pos <= close) callee = node.expression;
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
    if (callee) {
      const name = ts.isPropertyAccessExpression(callee) ? callee.name : callee;
      out.push(Math.max(name.getStart(sf), name.getEnd() - 1));
    }
  } catch {
    /* the cursor and the character before it */
  }
  return out;
}

function partsText(parts: Array<{ text: string }> | undefined): string {
  return (parts ?? []).map((p) => p.text).join('');
}

/** The hover line without TypeScript's `(alias) ` mark and the `import x` line of an imported name. */
function signature(info: QuickInfo): string {
  return partsText(info.displayParts)
    .replace(/^\(alias\) /, '')
    .split('\n')
    .filter((l) => !/^(import|export) /.test(l))
    .join('\n')
    .trim();
}

/** `@param W weights` → `W — weights`; other tags keep their name (`@returns …`, `@example …`). */
function tagLines(info: QuickInfo): Array<{ name: string; text: string }> {
  return (info.tags ?? []).map((t) => ({ name: t.name, text: partsText(t.text).trim() }));
}

/** The inspect_reply bundle for TypeScript's quick info; undefined when it says nothing. */
export function quickInfoBundle(info: QuickInfo): MimeBundle | undefined {
  const sig = signature(info);
  const doc = partsText(info.documentation).trim();
  const tags = tagLines(info);
  if (!sig && !doc && !tags.length) return undefined;
  const plain = [sig, doc, tags.map((t) => `@${t.name} ${t.text}`.trim()).join('\n')].filter(Boolean).join('\n\n');
  const markdownTags = tags.map((t) => {
    if (t.name === 'param' || t.name === 'typeParam') {
      const [name, ...rest] = t.text.split(/\s+/);
      return `- *@${t.name}* \`${name}\`${rest.length ? ` — ${rest.join(' ')}` : ''}`;
    }
    return `- *@${t.name}* ${t.text}`;
  });
  const markdown = [sig ? '```typescript\n' + sig + '\n```' : '', doc, markdownTags.join('\n')]
    .filter(Boolean)
    .join('\n\n');
  return { 'text/plain': plain, 'text/markdown': markdown };
}
