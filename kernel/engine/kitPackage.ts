/**
 * The kit's package (`ts231n`, `ts231n/datasets`) resolves from any folder a notebook is opened in.
 *
 * Inside the kit's checkout, `node_modules/ts231n` links to `kernel/runtime` (an npm workspace), so
 * Node, tsx, jest and tsc find the package by the usual node_modules lookup. A student who copied an
 * assignment folder elsewhere (`/tmp/mycopy/assignment1`) has no node_modules above it. For cells
 * and the modules they import, the engine therefore falls back to the kit itself:
 * - Node: when the ordinary lookup of `ts231n` or `ts231n/…` fails, the request is resolved from
 *   inside the package (a self-reference through the `exports` of kernel/runtime/package.json);
 * - the type checker: `compilerOptions.paths` maps each of those `exports` to its file.
 * Both read the package's name and entry points from kernel/runtime/package.json, the one place
 * that declares them. `tslab` (its public API: `tslab.display`, `newDisplay`, `versions`) falls back
 * to the kit's copy in the same way.
 */
import * as fs from 'fs';
import * as path from 'path';
import { NodeModule } from './mainContext';

/** The package folder: kernel/runtime. */
export const KIT_PACKAGE_DIR = path.resolve(__dirname, '..', 'runtime');

interface PackageJson {
  name: string;
  exports: Record<string, string>;
}

let manifest: PackageJson | null = null;
function kitManifest(): PackageJson {
  if (!manifest)
    manifest = JSON.parse(fs.readFileSync(path.join(KIT_PACKAGE_DIR, 'package.json'), 'utf8')) as PackageJson;
  return manifest;
}

/** The name notebooks import the runtime by (`ts231n`). */
export function kitPackageName(): string {
  return kitManifest().name;
}

/** True for `ts231n` and `ts231n/…`. */
export function isKitRequest(request: string): boolean {
  const name = kitPackageName();
  return request === name || request.startsWith(`${name}/`);
}

/** True for `tslab` and `tslab/…`: cells may use tslab's public API wherever they live. */
function isTslabRequest(request: string): boolean {
  return request === 'tslab' || request.startsWith('tslab/');
}

/** tslab's public declarations (its package.json `types`), absolute; undefined without tslab. */
function tslabTypes(): string | undefined {
  try {
    const pkg = NodeModule.createRequire(path.join(KIT_PACKAGE_DIR, 'package.json')).resolve('tslab/package.json');
    const types = (JSON.parse(fs.readFileSync(pkg, 'utf8')) as { types?: string }).types ?? 'dist/public.d.ts';
    return path.join(path.dirname(pkg), types);
  } catch {
    return undefined;
  }
}

/** The type checker's `paths`: each specifier the package exports → its file (absolute, with '/'); `tslab` too. */
export function kitPackagePaths(): Record<string, string[]> {
  const { name, exports: entries } = kitManifest();
  const paths: Record<string, string[]> = {};
  for (const [sub, target] of Object.entries(entries)) {
    const specifier = sub === '.' ? name : `${name}/${sub.replace(/^\.\//, '')}`;
    paths[specifier] = [path.join(KIT_PACKAGE_DIR, target).split(path.sep).join('/')];
  }
  const tslab = tslabTypes();
  if (tslab) paths.tslab = [tslab.split(path.sep).join('/')];
  return paths;
}

type ResolveFilename = (request: string, parent: unknown, isMain: boolean, options?: unknown) => string;
const KIT_FALLBACK = Symbol.for('ts231n.kitPackageFallback');

/** Makes Node's require find the kit's package from any folder (once per process; see the module comment). */
export function installKitResolution(): void {
  const M = NodeModule as unknown as { _resolveFilename: ResolveFilename & { [KIT_FALLBACK]?: true } };
  if (M._resolveFilename[KIT_FALLBACK]) return;
  const ordinary = M._resolveFilename;
  const fromPackage = NodeModule.createRequire(path.join(KIT_PACKAGE_DIR, 'package.json'));
  const withFallback = function (
    this: unknown,
    request: string,
    parent: unknown,
    isMain: boolean,
    options?: unknown,
  ): string {
    try {
      return ordinary.call(this, request, parent, isMain, options);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') throw e;
      if (!isKitRequest(request) && !isTslabRequest(request)) throw e;
      return fromPackage.resolve(request);
    }
  } as ResolveFilename & { [KIT_FALLBACK]?: true };
  withFallback[KIT_FALLBACK] = true;
  M._resolveFilename = withFallback;
}
