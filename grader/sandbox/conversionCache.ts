/**
 * The grader's compile cache: a cell's conversion (tslab's compile and type-check of the cell,
 * about 0.2 s per cell and 40 % of a quick submission's CPU time) is read from the cache instead
 * of computed when the same cell text follows the same earlier declarations in a submission whose
 * own files declare exactly what the reference's declare. The contract is in docs/grader.md,
 * "Compile cache"; in short:
 *
 * - An entry's *material* is the toolchain, the fingerprint of the submission's files, the earlier
 *   cells' declarations and the cell's text, with the workspace path replaced by a token.
 * - Its file name is SHA-256("id", material); its content the conversion as JSON, encrypted
 *   (AES-256-GCM) under the key SHA-256("key", material). Reading an entry takes its material, so
 *   a submission can read only conversions of inputs it already holds — results it could compute
 *   itself — and listing the folder tells it nothing about the reference's cells.
 * - Only the trusted reference run writes entries, and only conversions without errors; children
 *   of submissions read the folder read-only.
 * - The fingerprint covers every file of the assignment folder a type-check can read (.ts, .d.ts,
 *   .js, .json, …): a `.ts` module without errors by its declaration output (so a student's
 *   function bodies do not matter, their signatures do), any other file — a module with errors, a
 *   script, a .d.ts — by its exact content. None (no cache) when the folder has a node_modules.
 * - Before each lookup the fingerprinted files (paths, sizes, mtimes) are compared with the
 *   snapshot; a file a cell added, changed or removed turns the cache off for the rest of the run.
 *
 * This file is loaded by the child too (the grader transpiles it next to child.js): Node built-ins only.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as crypto from 'crypto';

/** What the child gets in its config: where the entries are, and whether it writes them (the reference). */
export interface ConversionCacheConfig {
  dir: string;
  write: boolean;
}

/** The converter calls the cache needs (kernel/engine/tslab.ts, Converter). */
export interface CacheableConverter {
  convert(prevDecl: string, src: string): { diagnostics: unknown[] };
  declarationsOf(files: string[]): Array<{ dts?: string; errors: number; script?: boolean }>;
}

export interface CacheStats {
  hits: number;
  misses: number;
  /** Why the cache is off, when it is. */
  off?: string;
}

const FORMAT = 'ts231n-conversion-1';
const SOURCE_EXT = /\.(ts|tsx|mts|cts)$/;
/** The files a type-check can read: sources, declarations, JavaScript and JSON. */
const TYPED_EXT = /\.(ts|tsx|mts|cts|js|mjs|cjs|json)$/;
const DECL_EXT = /\.d\.(ts|mts|cts)$/;

function sha256(...parts: string[]): Buffer {
  const h = crypto.createHash('sha256');
  for (const p of parts) h.update(p).update('\0');
  return h.digest();
}

/** Entry file name and key of a material. */
function entryNames(material: string): { id: string; key: Buffer } {
  return { id: sha256('id', material).toString('hex'), key: sha256('key', material) };
}

export function sealEntry(material: string, value: unknown): { id: string; data: Buffer } {
  const { id, key } = entryNames(material);
  const iv = crypto.randomBytes(12);
  const cipher = crypto.createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
  return { id, data: Buffer.concat([iv, cipher.getAuthTag(), body]) };
}

/** The value sealed under `material` in `dir`, or undefined (absent, or not sealed with this material). */
export function openEntry(dir: string, material: string): unknown {
  const { id, key } = entryNames(material);
  let data: Buffer;
  try {
    data = fs.readFileSync(path.join(dir, id));
  } catch {
    return undefined;
  }
  try {
    const decipher = crypto.createDecipheriv('aes-256-gcm', key, data.subarray(0, 12));
    decipher.setAuthTag(data.subarray(12, 28));
    const text = Buffer.concat([decipher.update(data.subarray(28)), decipher.final()]).toString('utf8');
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** Replaces the workspace path (absolute, and relative to the filesystem root) by tokens, and back. */
export function pathTokens(scratch: string): { hide(s: string): string; show(s: string): string } {
  const abs = path.resolve(scratch);
  const rel = abs.slice(path.parse(abs).root.length);
  const pairs: Array<[string, string]> = [
    [abs, '\u0000SCRATCH\u0000'],
    [rel, '\u0000SCRATCH-REL\u0000'],
  ];
  return {
    hide: (s) => pairs.reduce((t, [p, tok]) => t.split(p).join(tok), s),
    show: (s) => pairs.reduce((t, [p, tok]) => t.split(tok).join(p), s),
  };
}

interface Snapshot {
  /** relative path → "size mtimeMs" */
  files: Map<string, string>;
  hasNodeModules: boolean;
}

function snapshot(root: string): Snapshot {
  const files = new Map<string, string>();
  let hasNodeModules = false;
  const walk = (dir: string) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (e.name === 'node_modules') hasNodeModules = true;
        else walk(p);
      } else if (e.isFile() && TYPED_EXT.test(e.name)) {
        const st = fs.statSync(p);
        files.set(path.relative(root, p), `${st.size} ${st.mtimeMs}`);
      }
    }
  };
  walk(root);
  return { files, hasNodeModules };
}

function sameSnapshot(a: Snapshot, b: Snapshot): boolean {
  if (a.hasNodeModules !== b.hasNodeModules || a.files.size !== b.files.size) return false;
  for (const [k, v] of a.files) if (b.files.get(k) !== v) return false;
  return true;
}

/**
 * The fingerprint of the assignment folder as a cell's type-check sees it, or why there is none.
 * Modules are fingerprinted by their declarations (from the converter, which thereby loads them).
 */
function fingerprint(
  converter: CacheableConverter,
  root: string,
  snap: Snapshot,
  tokens: { hide(s: string): string },
): { value: string } | { off: string } {
  if (snap.hasNodeModules) return { off: 'the submission has a node_modules folder' };
  const names = [...snap.files.keys()].sort();
  const modules = names.filter((n) => SOURCE_EXT.test(n) && !DECL_EXT.test(n));
  const decls = converter.declarationsOf(modules.map((n) => path.join(root, n)));
  const content = (n: string) => sha256(fs.readFileSync(path.join(root, n), 'latin1')).toString('hex');
  const parts: string[] = [];
  for (const n of names) {
    const i = modules.indexOf(n);
    const d = i >= 0 ? decls[i] : undefined;
    // A module without errors by what it declares; anything else (a module with errors, a script,
    // a .d.ts, .js or .json file) by its exact content.
    if (d && !d.script && d.errors === 0 && d.dts !== undefined) parts.push(`module ${n}\0${tokens.hide(d.dts)}`);
    else parts.push(`file ${n}\0${content(n)}`);
  }
  return { value: sha256(FORMAT, ...parts).toString('hex') };
}

/**
 * Wraps `converter.convert` with the cache. `toolchain` names tslab's and TypeScript's versions;
 * `root` is the assignment folder, `scratch` the workspace (its path is tokenized).
 */
export function cacheConversions(
  converter: CacheableConverter,
  cfg: ConversionCacheConfig,
  toolchain: string,
  root: string,
  scratch: string,
): CacheStats {
  const stats: CacheStats = { hits: 0, misses: 0 };
  const tokens = pathTokens(scratch);
  const convert = converter.convert.bind(converter);
  let state: { snap: Snapshot; fp: string } | null | undefined;
  const current = (): { snap: Snapshot; fp: string } | null => {
    if (state === null) return null;
    const snap = snapshot(root);
    if (state === undefined) {
      const fp = fingerprint(converter, root, snap, tokens);
      if ('off' in fp) {
        stats.off = fp.off;
        return (state = null);
      }
      return (state = { snap, fp: fp.value });
    }
    if (!sameSnapshot(state.snap, snap)) {
      stats.off = 'a cell changed a file of the submission';
      return (state = null);
    }
    return state;
  };
  converter.convert = (prevDecl: string, src: string) => {
    const s = current();
    if (!s) {
      stats.misses++;
      return convert(prevDecl, src);
    }
    const material = [FORMAT, toolchain, s.fp, tokens.hide(prevDecl), src].join('\0');
    if (!cfg.write) {
      const hit = openEntry(cfg.dir, material) as string | undefined;
      if (typeof hit === 'string') {
        stats.hits++;
        return JSON.parse(tokens.show(hit)) as ReturnType<CacheableConverter['convert']>;
      }
    }
    stats.misses++;
    const conv = convert(prevDecl, src);
    if (cfg.write && conv.diagnostics.length === 0) {
      const { id, data } = sealEntry(material, tokens.hide(JSON.stringify(conv)));
      fs.mkdirSync(cfg.dir, { recursive: true });
      fs.writeFileSync(path.join(cfg.dir, id), data);
    }
    return conv;
  };
  return stats;
}
