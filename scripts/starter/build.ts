/**
 * Generate a starter tree from a solution tree, write it, or check that the committed one is current.
 *
 * For an assignment `<name>` the solution is `<repo>/solutions/<name>/` and the starter is
 * `<repo>/assignments/<name>/`: `.ts` files and `.ipynb` notebooks are transformed (see
 * ./transform), every other file is copied byte for byte. Hidden files and folders,
 * `.ipynb_checkpoints` and `node_modules` are skipped, and so are the notebook sources
 * (`*.nb.ts`, see scripts/notebooks/build.ts): the starter gets the notebooks built from them. The
 * generated text does not depend on where it is written: files import the runtime by its package
 * name (`ts231n`), not by a path relative to the repository.
 */
import * as fs from 'fs';
import * as path from 'path';
import { StarterError } from './errors';
import { assertNoMarkers, FileContext, transformNotebook, transformTypeScript } from './transform';
import { SOURCE_SUFFIX } from '../notebooks/build';

export { StarterError } from './errors';

/** Generated starter files: path relative to the assignment folder (with '/') → content. */
export type StarterFiles = Map<string, Buffer>;

const SKIP = new Set(['.ipynb_checkpoints', 'node_modules', '__pycache__']);

function listFiles(dir: string, rel = ''): string[] {
  const out: string[] = [];
  for (const entry of fs
    .readdirSync(path.join(dir, rel), { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))) {
    if (entry.name.startsWith('.') || SKIP.has(entry.name)) continue;
    const r = rel ? `${rel}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...listFiles(dir, r));
    else if (entry.isFile()) out.push(r);
  }
  return out;
}

/** The assignments that have a solution tree (folder names under `<repo>/solutions`). */
export function listAssignments(repoRoot: string): string[] {
  const dir = path.join(repoRoot, 'solutions');
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
    .map((e) => e.name)
    .sort();
}

/** Generate one assignment's starter in memory. Throws StarterError for malformed markers. */
export function generateStarter(repoRoot: string, assignment: string): StarterFiles {
  const solutionDir = path.join(repoRoot, 'solutions', assignment);
  if (!fs.existsSync(solutionDir))
    throw new StarterError(`no solution tree for "${assignment}"`, { file: path.join('solutions', assignment) });
  const files: StarterFiles = new Map();
  for (const rel of listFiles(solutionDir)) {
    if (rel.endsWith(SOURCE_SUFFIX)) continue;
    const abs = path.join(solutionDir, rel);
    const ctx: FileContext = { sourcePath: path.relative(repoRoot, abs).split(path.sep).join('/'), relPath: rel };
    const bytes = fs.readFileSync(abs);
    if (rel.endsWith('.ts') && !rel.endsWith('.d.ts')) {
      files.set(rel, Buffer.from(transformTypeScript(bytes.toString('utf8'), ctx), 'utf8'));
    } else if (rel.endsWith('.ipynb')) {
      files.set(rel, Buffer.from(transformNotebook(bytes.toString('utf8'), ctx), 'utf8'));
    } else {
      if (!bytes.includes(0)) assertNoMarkers(bytes.toString('utf8'), ctx);
      files.set(rel, bytes);
    }
  }
  return files;
}

/** How a starter folder differs from what would be generated. */
export interface StarterDiff {
  /** Generated but missing on disk. */
  missing: string[];
  /** On disk with different content. */
  changed: string[];
  /** On disk but not generated (stale). */
  extra: string[];
}

/** Compare generated files with a folder on disk. */
export function diffStarter(files: StarterFiles, dir: string): StarterDiff {
  const onDisk = fs.existsSync(dir) ? new Set(listFiles(dir)) : new Set<string>();
  const diff: StarterDiff = { missing: [], changed: [], extra: [] };
  for (const [rel, content] of files) {
    if (!onDisk.has(rel)) diff.missing.push(rel);
    else if (!fs.readFileSync(path.join(dir, rel)).equals(content)) diff.changed.push(rel);
  }
  for (const rel of onDisk) if (!files.has(rel)) diff.extra.push(rel);
  return diff;
}

export function isClean(diff: StarterDiff): boolean {
  return diff.missing.length + diff.changed.length + diff.extra.length === 0;
}

/**
 * Write generated files into `dir` (created if needed): changed and missing files are written and
 * stale files removed, so that afterwards the folder is exactly the generated starter.
 * Returns what was different before writing.
 */
export function writeStarter(files: StarterFiles, dir: string): StarterDiff {
  const diff = diffStarter(files, dir);
  for (const rel of [...diff.missing, ...diff.changed]) {
    const target = path.join(dir, rel);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, files.get(rel) as Buffer);
  }
  for (const rel of diff.extra) {
    fs.rmSync(path.join(dir, rel));
    // Remove folders the stale file leaves empty, up to (not including) dir.
    let parent = path.dirname(path.join(dir, rel));
    while (parent.startsWith(dir + path.sep) && fs.readdirSync(parent).length === 0) {
      fs.rmdirSync(parent);
      parent = path.dirname(parent);
    }
  }
  return diff;
}
