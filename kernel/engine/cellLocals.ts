/**
 * Compiles a cell so that its top-level names are real local variables of the cell's function.
 *
 * tslab's converter ends the cell's ES module code with `export { a, b, … }` of every top-level
 * name, and its CommonJS step then mirrors each assignment to an exported `let` into the shared
 * object (`exports.s = s += i`). A loop over a top-level `let` thus wrote a property of that
 * object on every iteration, about 250× slower than the same loop in a function.
 *
 * Here the declared names leave the export list. Instead the cell's first statement publishes
 * each of them into the engine's store of names as an accessor onto the local variable
 * (`get: () => s, set: (v) => { s = v; }`). So while the cell runs the name is an ordinary local
 * (closures over it are ordinary closures), and from its first line on a later cell, a timer or
 * an awaiting function reads and writes the same variable through the store. Imports stay in
 * the export list: tslab's CommonJS step binds them to the store as before.
 *
 * Line numbers are unchanged (the publish call is put at the start of the first line and the
 * export list keeps its lines), so the converter's source map still describes the code.
 */
import type * as TS from 'typescript';

/** The parameter through which a cell publishes its names: `publish({ name: [get, set?] })`. */
export const PUBLISH_ID = '__ts231nPublish';

export type Publish = (defs: Record<string, [() => unknown, ((v: unknown) => void)?]>) => void;

interface Slot {
  get(): unknown;
  set?(v: unknown): void;
}

/**
 * The names of all cells. `store` is a plain object with one accessor per name, defined once
 * and never deleted or redefined (though configurable, which the Proxy needs), so V8 keeps it in fast mode and a loop that reads an earlier
 * cell's name stays cheap (redefining accessors turned it into a dictionary, 40× slower). The
 * accessor forwards to the name's current binding: a cell's local (`publish`) or a plain value
 * (`bind`: imports, the last expression). Redeclaring a name in a later cell rebinds it.
 * `exports` is what tslab's CommonJS header writes to: it defines imports with getters, which
 * become plain values here, so a later cell can import the name again.
 */
export class CellStore {
  readonly store: Record<string, unknown> = {};
  private readonly slots = new Map<string, Slot>();
  readonly exports: Record<string, unknown>;

  constructor() {
    this.exports = new Proxy(this.store, {
      defineProperty: (_t, prop, attrs) => {
        if (typeof prop === 'string' && prop !== '__esModule') this.bind(prop, attrs.get ? attrs.get() : attrs.value);
        return true;
      },
    });
  }

  private slot(name: string): Slot {
    let slot = this.slots.get(name);
    if (slot) return slot;
    slot = { get: () => undefined };
    const s = slot;
    this.slots.set(name, s);
    Object.defineProperty(this.store, name, {
      get: () => s.get(),
      set: (v: unknown) => {
        if (!s.set) throw new TypeError(`Assignment to constant variable '${name}'.`);
        s.set(v);
      },
      enumerable: true,
      configurable: true,
    });
    return s;
  }

  /** Binds a name to a plain value. */
  bind(name: string, value: unknown): void {
    let v = value;
    const slot = this.slot(name);
    slot.get = () => v;
    slot.set = (x) => {
      v = x;
    };
  }

  /** Binds names to a cell's local variables (the publish call at the start of a cell). */
  readonly publish: Publish = (defs) => {
    for (const [name, [get, set]] of Object.entries(defs)) {
      const slot = this.slot(name);
      slot.get = get;
      slot.set = set;
    }
  };

  /** The current binding of every name (the live view autoreload rebinds through). */
  names(): string[] {
    return [...this.slots.keys()];
  }
}

export interface LocalizedCell {
  /** The ES module code with the publish call and the shortened export list. */
  es: string;
  /** Names the cell binds by `import` (they are re-bound in the store by tslab's CommonJS step). */
  imported: string[];
  /** Names the cell declares (published as accessors onto its locals). */
  declared: string[];
}

function bindingNames(ts: typeof TS, name: TS.BindingName, out: string[]): void {
  if (ts.isIdentifier(name)) out.push(name.text);
  else for (const el of name.elements) if (!ts.isOmittedExpression(el)) bindingNames(ts, el.name, out);
}

/** Rewrites tslab's ES output of a cell (see the file comment); code without an export list is returned as is. */
export function localizeCell(ts: typeof TS, es: string): LocalizedCell {
  const sf = ts.createSourceFile('cell.js', es, ts.ScriptTarget.ES2022, true, ts.ScriptKind.JS);
  const imported: string[] = [];
  const constants = new Set<string>();
  let clause: TS.ExportDeclaration | undefined;
  for (const st of sf.statements) {
    if (ts.isImportDeclaration(st) && st.importClause) {
      const c = st.importClause;
      if (c.name) imported.push(c.name.text);
      if (c.namedBindings && ts.isNamespaceImport(c.namedBindings)) imported.push(c.namedBindings.name.text);
      else if (c.namedBindings) for (const el of c.namedBindings.elements) imported.push(el.name.text);
    } else if (ts.isVariableStatement(st) && st.declarationList.flags & ts.NodeFlags.Const) {
      const names: string[] = [];
      for (const d of st.declarationList.declarations) bindingNames(ts, d.name, names);
      for (const n of names) constants.add(n);
    } else if (
      ts.isExportDeclaration(st) &&
      !st.moduleSpecifier &&
      st.exportClause &&
      ts.isNamedExports(st.exportClause) &&
      !st.isTypeOnly
    ) {
      clause = st;
    }
  }
  if (!clause || !ts.isNamedExports(clause.exportClause!)) return { es, imported, declared: [] };
  const importedSet = new Set(imported);
  const declared: string[] = [];
  const kept: string[] = [];
  for (const el of (clause.exportClause as TS.NamedExports).elements) {
    const local = (el.propertyName ?? el.name).text;
    // tslab exports every name under its own name; anything else is left to the CommonJS step.
    if (importedSet.has(local) || local !== el.name.text) kept.push(el.getText(sf));
    else declared.push(local);
  }
  if (!declared.length || sf.statements[0] === clause) return { es, imported, declared: [] };
  const defs = declared.map((n) => `${n}: [() => ${n}${constants.has(n) ? '' : `, (v) => { ${n} = v; }`}]`).join(', ');
  const start = clause.getStart(sf);
  const end = clause.getEnd();
  const newlines = es.slice(start, end).split('\n').length - 1;
  const exportText = `export { ${kept.join(', ')} };${'\n'.repeat(newlines)}`;
  const first = sf.statements[0].getStart(sf);
  const publish = `${PUBLISH_ID}({ ${defs} }); `;
  const out = es.slice(0, first) + publish + es.slice(first, start) + exportText + es.slice(end);
  return { es: out, imported, declared };
}
