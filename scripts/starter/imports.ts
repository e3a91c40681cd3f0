/**
 * Making `notImplemented` available where the generated TODOs call it.
 *
 * If some import already brings `notImplemented` in, nothing changes. Otherwise it is added to an
 * existing named import from the runtime (`… from '../../kernel/runtime'`), or, failing that, a
 * new import line is inserted.
 */

const IMPORTS_IT = /import\s*(?:type\s+)?\{[^}]*\bnotImplemented\b[^}]*\}\s*from\s*['"][^'"]+['"]/;
const RUNTIME_IMPORT = /import\s*\{([^}]*)\}(\s*from\s*(['"])(?:\.{1,2}\/)+(?:[\w.-]+\/)*kernel\/runtime(?:\/index)?\3)/;

/** True when the text already imports `notImplemented`. */
export function importsNotImplemented(text: string): boolean {
  return IMPORTS_IT.test(text);
}

/** Add `notImplemented` to a named import from the runtime; returns null when there is none. */
export function addToRuntimeImport(text: string): string | null {
  const m = RUNTIME_IMPORT.exec(text);
  if (!m) return null;
  const names = m[1];
  let updated: string;
  if (names.includes('\n')) {
    // Multi-line import: add a line in the same style before the closing brace.
    const indent = /\n([ \t]*)\S/.exec(names)?.[1] ?? '  ';
    const body = names.replace(/\s*$/, '');
    updated = `${body}${body.endsWith(',') ? '' : ','}\n${indent}notImplemented,\n`;
  } else {
    const body = names.trim().replace(/,$/, '');
    updated = ` ${body}${body ? ', ' : ''}notImplemented `;
  }
  return text.slice(0, m.index) + `import {${updated}}${m[2]}` + text.slice(m.index + m[0].length);
}

/** Insert `import { notImplemented } from '<path>';` after the last top-of-file import. */
export function insertImport(text: string, runtimePath: string): string {
  const line = `import { notImplemented } from '${runtimePath}';`;
  const lines = text.split('\n');
  let last = -1;
  let inImport = false;
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i];
    if (inImport) {
      if (/from\s*['"][^'"]+['"];?\s*$/.test(l) || /^\s*['"][^'"]+['"];?\s*$/.test(l)) {
        inImport = false;
        last = i;
      }
      continue;
    }
    if (/^import\b/.test(l)) {
      if (/from\s*['"][^'"]+['"];?\s*$/.test(l) || /^import\s*['"]/.test(l)) last = i;
      else inImport = true;
      continue;
    }
    if (l.trim() === '' || /^\s*(\/\/|\/\*|\*)/.test(l)) continue;
    break;
  }
  lines.splice(last + 1, 0, line);
  return lines.join('\n');
}

/** Make sure the text can call `notImplemented` (see the module comment). */
export function ensureNotImplementedImport(text: string, runtimePath: string): string {
  if (importsNotImplemented(text)) return text;
  return addToRuntimeImport(text) ?? insertImport(text, runtimePath);
}
