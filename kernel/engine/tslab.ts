/**
 * The one place that knows tslab's internals (tslab is pinned to an exact version in package.json).
 *
 * We use tslab's converter (`tslab/dist/converter.js`): it type-checks a cell against the
 * declarations of earlier cells, rewrites top-level declarations into `exports.x` so that state is
 * shared, stores the final expression in a variable, and answers completion and quick-info.
 *
 * Stock tslab cannot run our notebooks: it sets the compiler's `rootDir` to the working directory,
 * so a notebook in `assignments/assignment1` that imports the runtime (`ts231n`, whose files are in
 * kernel/runtime) fails with TS6059,
 * and it compiles every imported `.ts` file itself into a private module copy ("side outputs"),
 * which would give the cells their own copy of the runtime beside the one the grader hardens.
 * So we load converter.js with a few textual patches (below). Each patch names the exact text it
 * replaces; `checkTslab()` reports any that no longer match, and a test fails loudly on it.
 */
import * as fs from 'fs';
import * as path from 'path';
import type Module = require('module');
import { NodeModule } from './mainContext';

/** The tslab version these patches were written against (package.json pins the same). */
export const TSLAB_PINNED = '1.0.22';

export interface DiagnosticPos {
  offset: number;
  line: number;
  character: number;
}
export interface Diagnostic {
  start: DiagnosticPos;
  end: DiagnosticPos;
  messageText: string;
  category: number;
  code: number;
  fileName?: string;
}
export interface Conversion {
  /** CommonJS code of the cell; absent when the cell only declares types. */
  output?: string;
  /** The cell as ES module code, before tslab's CommonJS conversion, and its source map. */
  esOutput?: string;
  sourceMap?: string;
  declOutput?: string;
  diagnostics: Diagnostic[];
  lastExpressionVar?: string;
  hasToplevelAwait?: boolean;
}
export interface QuickInfo {
  displayParts?: Array<{ text: string }>;
  documentation?: Array<{ text: string }>;
  tags?: Array<{ name: string; text?: Array<{ text: string }> }>;
  textSpan?: { start: number; length: number };
}
/** A TypeScript completion entry (the fields the engine reads). */
export interface CompletionEntry {
  name: string;
  kind: string;
  kindModifiers?: string;
  source?: string;
  data?: unknown;
  /** TypeScript's symbol of the entry (opaque here; completionDetails reads it). */
  symbol?: unknown;
}
/** TypeScript's details of one completion entry. */
export interface CompletionEntryDetails {
  name: string;
  kind: string;
  displayParts?: Array<{ text: string; kind?: string }>;
  documentation?: Array<{ text: string }>;
}
export interface Converter {
  convert(prevDecl: string, src: string): Conversion;
  inspect(prevDecl: string, src: string, position: number): QuickInfo | undefined;
  complete(
    prevDecl: string,
    src: string,
    position: number,
  ): { start: number; end: number; candidates: string[]; original?: { entries?: CompletionEntry[] } };
  /** Hover text of entries of the last complete() call, at the same position (undefined for an entry without a symbol). */
  completionDetails(position: number, entries: CompletionEntry[]): Array<CompletionEntryDetails | undefined>;
  /** Each entry's kind, for an import alias the kind of what it imports (no type printing: cheap). */
  targetKinds(position: number, entries: CompletionEntry[]): string[];
  /** Type errors in these files (absolute paths) as the program of the last cell sees them. */
  diagnosticsOf(files: string[]): Diagnostic[];
  /**
   * Each file's declaration output (.d.ts text) and its count of errors (syntax, types,
   * declaration emit); `script` for a file that is no module (its names would be global). Checked
   * in a program of their own, which shares the cell program's parsed library and package
   * declarations: the cells' program is not changed.
   */
  declarationsOf(files: string[]): Array<{ dts?: string; errors: number; script?: boolean }>;
  close(): void;
}
export type WatchCallback = (fileName: string, eventKind: number) => void;
export interface ConverterOptions {
  /** The folder the cell lives in: relative imports resolve from here. */
  cwd: string;
  /** Replaces TypeScript's file watching (no polling, no fs handles): the engine reports changes. */
  watchFile(file: string, cb: WatchCallback): { close(): void };
  watchDirectory(dir: string, cb: (fileName: string) => void): { close(): void };
  /** compilerOptions.paths: module specifiers resolved to files wherever the cell lives. */
  paths?: Record<string, string[]>;
}

/** The TypeScript compiler tslab bundles (the subset the engine uses). */
export interface TslabTs {
  version: string;
  transpileModule(
    src: string,
    opts: { fileName?: string; compilerOptions: Record<string, unknown> },
  ): { outputText: string; sourceMapText?: string };
  ModuleKind: { CommonJS: number };
  ScriptTarget: { ES2022: number };
  NewLineKind: { LineFeed: number };
  FileWatcherEventKind: { Created: number; Changed: number; Deleted: number };
  ScriptKind: { TS: number };
  createSourceFile(
    name: string,
    text: string,
    target: number,
    setParents?: boolean,
    kind?: number,
  ): { parseDiagnostics?: unknown[] };
}

export interface Tslab {
  version: string;
  dir: string;
  ts: TslabTs;
  createConverter(opts: ConverterOptions): Converter;
  isCompleteCode(src: string): { completed: boolean; indent?: string };
  printQuickInfo(info: QuickInfo): string;
}

export class TslabMismatchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TslabMismatchError';
  }
}

/**
 * The name under which a cell reads and writes the names of earlier cells (the engine's plain
 * store; tslab wrote `exports.x`, a Proxy the engine needs only for tslab's CommonJS header).
 */
export const EARLIER_CELLS_ID = '__ts231nCells';

/** [what it is for, text in tslab 1.0.22's converter.js, replacement]. */
const PATCHES: Array<[string, string, string]> = [
  ['cwd from the options, not the process', 'const cwd = ts.sys.getCurrentDirectory();', 'const cwd = options.cwd;'],
  // rootDir '/' holds every file, so importing the runtime (kernel/runtime) is no TS6059 error; the cell's
  // output file then lives under outDir/<cwd>, and the two names tslab compares follow it.
  ['rootDir is the filesystem root', 'rootDir: cwd,', 'rootDir: __root(cwd),'],
  [
    'cell output name under rootDir /',
    'const dstFilename = (0, tspath_1.normalizeJoin)(outDir, "__tslab__.js");',
    'const dstFilename = (0, tspath_1.normalizeJoin)(outDir, path_1.default.relative(__root(cwd), cwd), "__tslab__.js");',
  ],
  [
    'cell declaration name under rootDir /',
    'const dstDeclFilename = (0, tspath_1.normalizeJoin)(outDir, "__tslab__.d.ts");',
    'const dstDeclFilename = (0, tspath_1.normalizeJoin)(outDir, path_1.default.relative(__root(cwd), cwd), "__tslab__.d.ts");',
  ],
  // Imported .ts files are loaded by Node's require (one shared copy), never emitted by tslab.
  ['emit only the cell', 'sideInputsConverted.add(dep);', 'continue;'],
  // The names a cell declares come from parsing and binding the cell alone, not from a first
  // whole-program rebuild: tslab rebuilt the program twice per cell, and a rebuild is most of a
  // cell's overhead. The binder's file locals are the same either way.
  [
    'cell locals without a rebuild',
    'updateContent(prevDecl, src);\n        let declsFile = builder.getSourceFile(declFilename);\n        let srcFile = builder.getSourceFile(srcFilename);\n        const locals = srcFile.locals;',
    'const locals = __localsOf(srcFilename, srcPrefix + src, transpileTarget);\n        let declsFile, srcFile;\n        if (!locals || locals.size === 0) { updateContent(prevDecl, src); declsFile = builder.getSourceFile(declFilename); srcFile = builder.getSourceFile(srcFilename); }',
  ],
  // Only Node's globals: every other @types package in node_modules (jest, babel, …) would be
  // parsed for each cell and would put test globals in scope. Types that imported packages
  // reference (tfjs → long, seedrandom, …) still load through their references.
  ['only @types/node is global', 'typeRoots: getTypeRoots(),', 'typeRoots: getTypeRoots(), types: ["node"],'],
  // The kit's package resolves from any folder, also one with no node_modules above it (./kitPackage).
  ['paths from the options', 'experimentalDecorators: true,', 'experimentalDecorators: true, paths: options.paths,'],
  ['a source map for the cell', 'declaration: true,', 'declaration: true, sourceMap: true,'],
  ['keep the source map', 'let sideOutputs;', 'let sideOutputs; let sourceMapText;'],
  [
    'capture the source map',
    'if (!fileName.endsWith(".js")) {',
    'if (fileName.endsWith(".js.map")) { sourceMapText = data; }\n                if (!fileName.endsWith(".js")) {',
  ],
  [
    'return the ES code and its map',
    'output: esModuleToCommonJSModule(output, transpileTarget),',
    'esOutput: output, sourceMap: sourceMapText, output: esModuleToCommonJSModule(output, transpileTarget),',
  ],
  [
    'file watching through the engine',
    'const watcher = ts.sys.watchFile(path, cb, pollingInterval);',
    'const watcher = options.watchFile(path, cb);',
  ],
  [
    'directory watching through the engine',
    'let notifyUpdateSrc = null;',
    'sys.watchDirectory = (p, cb) => options.watchDirectory(p, cb);\n    let notifyUpdateSrc = null;',
  ],
  // Type-check imported files under the notebook's folder (the student's code), not the runtime:
  // tslab drops diagnostics outside cwd anyway, and checking them cost seconds per cell.
  [
    'check only dependencies under cwd',
    'convertDiagnostics(getPreEmitDiagnosticsWithDependencies(builder, srcFile));',
    'convertDiagnostics(getPreEmitDiagnosticsWithDependencies(builder, srcFile, cwd));',
  ],
  [
    'dependency filter parameter',
    'function getPreEmitDiagnosticsWithDependencies(builder, sourceFile) {',
    'function getPreEmitDiagnosticsWithDependencies(builder, sourceFile, cwd) {',
  ],
  [
    'dependency filter',
    'if (dep !== sourceFile.fileName) {',
    'if (dep !== sourceFile.fileName && !path_1.default.relative(cwd, dep).startsWith("..") && !dep.includes("/node_modules/")) {',
  ],

  // Autoreload type-checks an edited module before it replaces the old one (reload.ts); the grader's
  // compile cache keys a cell by the declarations of the submission's modules (grader/sandbox/conversionCache.ts).
  [
    'type errors of given files',
    '        addModule,\n    };',
    '        addModule,\n        diagnosticsOf: (files) => { if (rebuildTimer) rebuildTimer.callback(); const sfs = files.map((f) => builder.getSourceFile(f)).filter(Boolean); return convertDiagnostics(ts.getPreEmitDiagnosticsOfFiles(builder.getProgram(), sfs)).diagnostics; },\n        declarationsOf: (files) => { if (rebuildTimer) rebuildTimer.callback(); const old = builder.getProgram(); const options = old.getCompilerOptions(); const host = ts.createCompilerHost(options); const read = host.getSourceFile; host.getSourceFile = (name, lang, onError, create) => { const outside = path_1.default.relative(cwd, name).startsWith("..") || name.includes("/node_modules/"); return (outside && old.getSourceFile(name)) || read.call(host, name, lang, onError, create); }; host.readFile = (p) => sys.readFile(p); host.fileExists = (p) => sys.fileExists(p); host.directoryExists = (p) => sys.directoryExists(p); host.getCurrentDirectory = () => cwd; const program = ts.createProgram({ rootNames: files, options, host }); return files.map((f) => { const sf = program.getSourceFile(f); if (!sf) return { errors: 1 }; if (!ts.isExternalModule(sf)) return { errors: 0, script: true }; const errors = program.getSyntacticDiagnostics(sf).length + program.getSemanticDiagnostics(sf).length + program.getDeclarationDiagnostics(sf).length; let dts; program.emit(sf, (name, data) => { if (name.endsWith(".d.ts")) dts = data; }, undefined, true); return { dts, errors }; }); },\n    };',
  ],
  // Kind and signature of completion entries for the completer (completions.ts): the entries carry
  // their symbols (TypeScript's includeSymbol), and a symbol's hover text is cheap, where
  // "completion entry details" recomputed the whole completion list for each entry.
  [
    'completion entries with their symbols',
    'triggerCharacter, ts.CompletionTriggerKind.Invoked, {\n        isCancellationRequested: () => false,\n        throwIfCancellationRequested: () => void 0,\n    });',
    'triggerCharacter, ts.CompletionTriggerKind.Invoked, {\n        isCancellationRequested: () => false,\n        throwIfCancellationRequested: () => void 0,\n    }, undefined, true);',
  ],
  [
    'completions through getCompletionsAtPosition',
    'return ts.Completions.getCompletionsAtPositionForTslab(host,',
    'return ts.Completions.getCompletionsAtPosition(host,',
  ],
  [
    'completion entry details',
    '    function complete(prevDecl, src, position) {\n        updateContent(prevDecl, src);',
    '    function completionDetails(position, entries) {\n        const srcFile = builder.getSourceFile(srcFilename);\n        if (!srcFile) return entries.map(() => undefined);\n        const checker = builder.getProgram().getTypeChecker();\n        const location = ts.getTouchingPropertyName(srcFile, position + srcPrefix.length);\n        const token = { isCancellationRequested: () => false, throwIfCancellationRequested: () => void 0 };\n        return entries.map((e) => { if (!e.symbol) return undefined; try { return ts.Completions.createCompletionDetailsForSymbol(e.symbol, e.name, checker, srcFile, location, token); } catch { return undefined; } });\n    }\n    function targetKinds(position, entries) {\n        const srcFile = builder.getSourceFile(srcFilename);\n        const checker = builder.getProgram().getTypeChecker();\n        const location = srcFile && ts.getTouchingPropertyName(srcFile, position + srcPrefix.length);\n        return entries.map((e) => { if (!srcFile || !e.symbol || !(e.symbol.flags & ts.SymbolFlags.Alias)) return e.kind; try { return ts.SymbolDisplay.getSymbolKind(checker, checker.getAliasedSymbol(e.symbol), location); } catch { return e.kind; } });\n    }\n    function complete(prevDecl, src, position) {\n        updateContent(prevDecl, src);',
  ],
  [
    'completion entry details exported',
    '        inspect,\n        complete,\n',
    '        inspect,\n        complete,\n        completionDetails,\n        targetKinds,\n',
  ],
  // A loop in a later cell over an earlier cell's name reads a plain object, not a Proxy.
  [
    "earlier cells' names through the engine's store",
    'ts.factory.createPropertyAccessExpression(ts.factory.createIdentifier("exports"), node);',
    `ts.factory.createPropertyAccessExpression(ts.factory.createIdentifier("${EARLIER_CELLS_ID}"), node);`,
  ],
];

const PRELUDE = [
  'function __root(p) { return require("path").parse(p).root.replace(/\\\\/g, "/"); }',
  'function __localsOf(name, text, target) { const ts = require("@tslab/typescript-for-tslab"); const sf = ts.createSourceFile(name, text, target, false, ts.ScriptKind.TS); ts.bindSourceFile(sf, { target }); return sf.locals; }',
  '',
].join('\n');

/** What in this text of tslab/dist/converter.js the engine's patches and calls no longer find. */
export function converterProblems(converter: string): string[] {
  const problems: string[] = [];
  for (const [why, from] of PATCHES) {
    const n = converter.split(from).length - 1;
    if (n !== 1) problems.push(`tslab/dist/converter.js: patch "${why}" expects exactly one "${from}", found ${n}`);
  }
  for (const name of ['createConverter', 'isCompleteCode', 'esModuleToCommonJSModule']) {
    if (!converter.includes(`exports.${name} = ${name};`))
      problems.push(`tslab/dist/converter.js no longer exports ${name}`);
  }
  return problems;
}

function tslabDir(): string {
  return path.dirname(require.resolve('tslab/package.json'));
}

/** The installed tslab version and every way its internals differ from what the engine expects. */
export function checkTslab(): { version: string; pinned: string; problems: string[] } {
  const problems: string[] = [];
  let dir: string;
  try {
    dir = tslabDir();
  } catch {
    return { version: 'missing', pinned: TSLAB_PINNED, problems: ['tslab is not installed: run `npm run setup`'] };
  }
  const version = (JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version: string }).version;
  problems.push(...converterProblems(fs.readFileSync(path.join(dir, 'dist', 'converter.js'), 'utf8')));
  const inspect = fs.readFileSync(path.join(dir, 'dist', 'inspect.js'), 'utf8');
  if (!inspect.includes('exports.printQuickInfo = printQuickInfo;'))
    problems.push('tslab/dist/inspect.js no longer exports printQuickInfo');
  return { version, pinned: TSLAB_PINNED, problems };
}

let loaded: Tslab | null = null;

/** Loads tslab's converter with our patches (once per process). Throws TslabMismatchError if they no longer apply. */
export function loadTslab(): Tslab {
  if (loaded) return loaded;
  const check = checkTslab();
  if (check.problems.length) {
    throw new TslabMismatchError(
      `kernel/engine cannot use tslab ${check.version} (written for ${TSLAB_PINNED}): ${check.problems[0]}. Reinstall with \`npm ci\` or update kernel/engine/tslab.ts.`,
    );
  }
  const dir = tslabDir();
  const file = path.join(dir, 'dist', 'converter.js');
  let src = fs.readFileSync(file, 'utf8');
  for (const [, from, to] of PATCHES) src = src.replace(from, () => to);
  // Compiled under its own file name so that its requires resolve exactly as tslab's own would.
  type CompilableModule = Module & { _compile(code: string, file: string): void; exports: Record<string, unknown> };
  const M = NodeModule as unknown as {
    new (id: string, parent?: Module | null): CompilableModule;
    _nodeModulePaths(dir: string): string[];
  };
  const mod = new M(file, null);
  mod.filename = file;
  mod.paths = M._nodeModulePaths(path.dirname(file));
  mod._compile(PRELUDE + src, file);
  const req = NodeModule.createRequire(file);
  const ts = req('@tslab/typescript-for-tslab') as TslabTs;
  const inspect = req('./inspect') as { printQuickInfo(info: QuickInfo): string };
  const missing = ['transpileModule', 'createSourceFile', 'bindSourceFile'].filter(
    (f) => typeof (ts as unknown as Record<string, unknown>)[f] !== 'function',
  );
  for (const e of ['ModuleKind', 'ScriptTarget', 'NewLineKind', 'FileWatcherEventKind', 'ScriptKind'])
    if (typeof (ts as unknown as Record<string, unknown>)[e] !== 'object') missing.push(e);
  if (missing.length)
    throw new TslabMismatchError(
      `tslab's TypeScript ${ts.version} lacks ${missing.join(', ')}: update kernel/engine/tslab.ts`,
    );
  const exp = mod.exports as {
    createConverter(o: unknown): Converter;
    isCompleteCode(s: string): { completed: boolean; indent?: string };
  };
  loaded = {
    version: check.version,
    dir,
    ts,
    createConverter: (opts) => exp.createConverter({ isJS: false, isBrowser: false, ...opts }),
    isCompleteCode: (s) => exp.isCompleteCode(s),
    printQuickInfo: (info) => inspect.printQuickInfo(info),
  };
  return loaded;
}

/**
 * The `sys` objects of the TypeScript builds that type-check cells (tslab's own build, and the
 * `typescript` package beside it), for a host that must adjust their file lookups — the grader's
 * sandbox, where folders above the assignment cannot be listed. Keeps tslab's layout in this module.
 */
export function checkerSystems(): import('typescript').System[] {
  const req = NodeModule.createRequire(path.join(tslabDir(), 'package.json'));
  const systems: import('typescript').System[] = [];
  for (const pkg of ['@tslab/typescript-for-tslab', 'typescript']) {
    try {
      systems.push((req(pkg) as typeof import('typescript')).sys);
    } catch {
      /* not installed beside tslab: nothing to adjust */
    }
  }
  return systems;
}
