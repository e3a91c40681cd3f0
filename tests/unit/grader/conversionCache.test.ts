/**
 * The grader's compile cache (grader/sandbox/conversionCache.ts) on real converters: what one
 * workspace writes, another reads back only when what its cells can see is the same — a module's
 * body may differ, its declarations may not — and what it reads equals what it would have computed.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Engine } from '../../../kernel/engine';
import {
  cacheConversions,
  openEntry,
  pathTokens,
  sealEntry,
  type CacheableConverter,
  type CacheStats,
} from '../../../grader/sandbox/conversionCache';

const MODULE = 'export function addOne(x: number): number {\n  return x + 1;\n}\n';
const CELLS = [
  "import { addOne } from './lib/m';\nconst a = addOne(41);",
  'const b = [a, addOne(a)];\nb.length',
  'function twice(v: number) { return 2 * v; }\ntwice(b[1])',
];

let root: string;
const engines: Engine[] = [];

beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'ts231n-convcache-'));
});
afterAll(() => {
  for (const e of engines) e.dispose();
  fs.rmSync(root, { recursive: true, force: true });
});

/** A workspace `<root>/<name>/hw` with lib/m.ts; its converter, and the converter's own convert. */
function workspace(name: string, moduleText = MODULE) {
  const scratch = path.join(root, name);
  const cwd = path.join(scratch, 'hw');
  fs.mkdirSync(path.join(cwd, 'lib'), { recursive: true });
  fs.writeFileSync(path.join(cwd, 'lib', 'm.ts'), moduleText);
  const engine = new Engine({ cwd, leakMeter: false });
  engines.push(engine);
  const converter = (engine as unknown as { converter: CacheableConverter }).converter;
  const plain = converter.convert.bind(converter);
  return { scratch, cwd, engine, converter, plain };
}

/** Runs CELLS through `convert`, each after the declarations of the one before, as the engine does. */
function convertAll(convert: CacheableConverter['convert'], cells = CELLS) {
  let prev = '';
  return cells.map((c) => {
    const conv = convert(prev, c) as { declOutput?: string; diagnostics: unknown[] };
    prev = conv.declOutput ?? prev;
    return conv;
  });
}

const cacheDir = () => path.join(root, 'cache');

/** The workspace's converter through the compile cache in cacheDir(), writing (the reference) or reading. */
function throughCache(ws: ReturnType<typeof workspace>, write = false): CacheStats {
  return cacheConversions(ws.converter, { dir: cacheDir(), write }, ws.engine.toolchain, ws.cwd, ws.scratch);
}

describe('compile cache', () => {
  let writerStats: CacheStats;
  let writer: ReturnType<typeof workspace>;

  beforeAll(() => {
    writer = workspace('reference');
    writerStats = throughCache(writer, true);
    convertAll((p, s) => writer.converter.convert(p, s));
  });

  it('the reference run writes one sealed entry per clean cell, none for a cell with a type error', () => {
    expect(writerStats).toEqual({ hits: 0, misses: 3 });
    expect(fs.readdirSync(cacheDir())).toHaveLength(3);
    writer.converter.convert('', 'const bad: number = "text";');
    expect(fs.readdirSync(cacheDir())).toHaveLength(3);
    // sealed: no cell text and no path in the files
    for (const f of fs.readdirSync(cacheDir())) {
      const bytes = fs.readFileSync(path.join(cacheDir(), f)).toString('latin1');
      expect(bytes).not.toContain('addOne');
      expect(bytes).not.toContain(root);
    }
  });

  it('a submission whose module differs only in its body reads every cell, equal to its own compile', () => {
    const s = workspace('student-body', MODULE.replace('x + 1', '1 + x /* mine */'));
    const stats = throughCache(s);
    const cached = convertAll((p, src) => s.converter.convert(p, src));
    expect(stats).toEqual({ hits: 3, misses: 0 });
    const own = convertAll(s.plain);
    expect(cached).toEqual(own);
    // the workspace path in the conversion is this submission's, not the reference's
    expect(JSON.stringify(cached)).not.toContain(writer.scratch);
  });

  it('a changed signature, a module with a type error, or a different cell text: computed, not read', () => {
    const sig = workspace('student-sig', MODULE.replace('): number {', '): number | string {'));
    const sigStats = throughCache(sig);
    convertAll((p, src) => sig.converter.convert(p, src));
    expect(sigStats).toEqual({ hits: 0, misses: 3 });

    const err = workspace('student-error', MODULE.replace('return x + 1;', 'return x + "1";'));
    const errStats = throughCache(err);
    const convs = convertAll((p, src) => err.converter.convert(p, src));
    expect(errStats.hits).toBe(0);
    expect(convs[0].diagnostics.length).toBeGreaterThan(0); // the module's error, as without the cache

    const other = workspace('student-cells');
    const otherStats = throughCache(other);
    convertAll(
      (p, src) => other.converter.convert(p, src),
      [CELLS[0], 'const b = [a, addOne(a), 3];\nb.length', CELLS[2]],
    );
    // the first cell is shared; the second differs but declares b as before (number[]), so the third is read
    expect(otherStats).toEqual({ hits: 2, misses: 1 });
    convertAll((p, src) => other.converter.convert(p, src), [CELLS[0], 'const b = [a, addOne(a)] as const;', CELLS[2]]);
    // b is now readonly [number, number]: the third cell follows other declarations
    expect(otherStats).toEqual({ hits: 3, misses: 3 });
  });

  it('a cell that adds or changes a .ts file turns the cache off for the rest of the run', () => {
    const s = workspace('student-writes');
    const stats = throughCache(s);
    const prev = (s.converter.convert('', CELLS[0]) as { declOutput?: string }).declOutput ?? '';
    fs.writeFileSync(
      path.join(s.cwd, 'lib', 'm.ts'),
      MODULE.replace('number {', 'string {').replace('x + 1', 'String(x)'),
    );
    s.converter.convert(prev, CELLS[1]);
    expect(stats.hits).toBe(1);
    expect(stats.off).toBe('a cell changed a file of the submission');
  });

  it('a submission with its own node_modules gets no cache', () => {
    const s = workspace('student-packages');
    fs.mkdirSync(path.join(s.cwd, 'node_modules', 'ts231n'), { recursive: true });
    const stats = throughCache(s);
    convertAll((p, src) => s.converter.convert(p, src));
    expect(stats).toEqual({ hits: 0, misses: 3, off: 'the submission has a node_modules folder' });
  });
});

describe('sealed entries and path tokens', () => {
  it('an entry opens only with its own material', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ts231n-seal-'));
    const { id, data } = sealEntry('material A', { secret: 'solution code' });
    fs.writeFileSync(path.join(dir, id), data);
    expect(openEntry(dir, 'material A')).toEqual({ secret: 'solution code' });
    expect(openEntry(dir, 'material B')).toBeUndefined();
    expect(data.toString('latin1')).not.toContain('solution code');
    // a tampered entry is refused, not half-read
    data[data.length - 1] ^= 1;
    fs.writeFileSync(path.join(dir, id), data);
    expect(openEntry(dir, 'material A')).toBeUndefined();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  it('the workspace path, absolute and from the root, becomes a token and back', () => {
    const t = pathTokens('/tmp/grade-x/students/ab12');
    const text = 'at /tmp/grade-x/students/ab12/hw/m.ts and outDir/tmp/grade-x/students/ab12/hw/__tslab__.js';
    expect(t.hide(text)).not.toContain('ab12');
    expect(t.show(t.hide(text))).toBe(text);
    expect(pathTokens('/tmp/grade-x/students/cd34').show(t.hide(text))).toBe(text.split('ab12').join('cd34'));
  });
});
