/**
 * The student's edit–run loop through the real kernel (`jupyter nbconvert --execute`, Debian's
 * nbconvert/nbclient): a local module edited between cells is reloaded before the next cell and
 * patched into what the notebook holds (an instance made before the edit runs the new method,
 * an imported function runs its new code); a broken edit shows its type error and the old code
 * keeps working; a cell's top-level names are real locals that later cells and closures share.
 */
import * as fs from 'fs';
import * as path from 'path';
import { nbconvert, scratchDir, text, writeNotebook, type Cell, type Output } from '../../fixtures/jupyter/nbconvert';

const SCRATCH = scratchDir('reload');
afterAll(() => fs.rmSync(SCRATCH, { recursive: true, force: true }));

const version = (method: string, fn: string): string =>
  `export class Knn {\n  k = 3;\n  dist(): string { return ${method}; }\n}\nexport function helper(): number { return ${fn}; }\n`;

/** A cell that rewrites knn.ts as the student's editor would (a later mtime, so the change is seen). */
const edit = (body: string, seconds: number): string =>
  `import * as fs from 'fs';\nfs.writeFileSync('knn.ts', ${JSON.stringify(body)});\nconst t${seconds} = new Date(Date.now() + ${seconds * 1000});\nfs.utimesSync('knn.ts', t${seconds}, t${seconds});`;

const result = (c: Cell): string =>
  text(c.outputs!.find((o) => o.output_type === 'execute_result')?.data?.['text/plain'] as string[]);
const stream = (c: Cell, name: string): string =>
  c
    .outputs!.filter((o: Output) => o.output_type === 'stream' && o.name === name)
    .map((o) => text(o.text))
    .join('');

test('an edited module is reloaded before the next cell; a broken edit keeps the old code; cell names are shared locals', async () => {
  fs.writeFileSync(path.join(SCRATCH, 'knn.ts'), version("'not implemented yet'", '1'));
  const cells = [
    "import { Knn, helper } from './knn';\nconst knn = new Knn();\n[knn.dist(), helper()]",
    edit(version("'two loops, k = ' + this.k", '2'), 5),
    '[knn.dist(), helper()]',
    edit(version('42', '3'), 10),
    '[knn.dist(), helper()]',
    'let total = 0;\nconst peek = () => total;\nfor (let i = 0; i < 1000000; i++) total += i % 7;\ntotal',
    'total += 1;\n[total, peek()]',
  ];
  const r = await nbconvert(writeNotebook(SCRATCH, 'reload', cells), []);
  if (r.code !== 0) throw new Error(`nbconvert failed (${r.code}):\n${r.log.slice(-3000)}`);
  const [first, , reloaded, , broken, loop, later] = r.cells;
  expect(result(first)).toBe("[ 'not implemented yet', 1 ]");

  expect(stream(reloaded, 'stdout')).toBe('reloaded knn.ts\n');
  expect(result(reloaded)).toBe("[ 'two loops, k = 3', 2 ]");

  expect(stream(broken, 'stderr')).toMatch(
    /^knn\.ts not reloaded: the old version stays in use until this type-checks:\n.*knn\.ts:3:20: Type 'number' is not assignable to type 'string'\. \(TS2322\)/,
  );
  expect(result(broken)).toBe("[ 'two loops, k = 3', 2 ]");

  expect(result(loop)).toBe('2999997');
  expect(result(later)).toBe('[ 2999998, 2999998 ]');
  expect(r.cells.map((c) => c.execution_count)).toEqual([1, 2, 3, 4, 5, 6, 7]);
});
