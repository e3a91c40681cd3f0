/**
 * Making `notImplemented` available where the generated TODOs call it.
 *
 * If some import already brings `notImplemented` in, nothing changes. Otherwise it is added to an
 * existing named import from the runtime package (`… from 'ts231n'`), or, failing that, a new
 * import line is inserted. The runtime is imported by its package name, so the line is the same at
 * every depth of the assignment folder.
 */
import runtimePackage from '../../kernel/runtime/package.json';

/** The package name notebooks and assignment code import the runtime by (kernel/runtime/package.json). */
export const RUNTIME_PACKAGE: string = runtimePackage.name;

const escaped = RUNTIME_PACKAGE.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const IMPORTS_IT = /import\s*(?:type\s+)?\{[^}]*\bnotImplemented\b[^}]*\}\s*from\s*['"][^'"]+['"]/;
const RUNTIME_IMPORT = new RegExp(`import\\s*\\{([^}]*)\\}(\\s*from\\s*(['"])${escaped}\\3)`);

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

/** Insert `import { notImplemented } from 'ts231n';` after the last top-of-file import. */
export function insertImport(text: string): string {
  const line = `import { notImplemented } from '${RUNTIME_PACKAGE}';`;
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
export function ensureNotImplementedImport(text: string): string {
  if (importsNotImplemented(text)) return text;
  return addToRuntimeImport(text) ?? insertImport(text);
}
