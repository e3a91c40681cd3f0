/**
 * Assignment 1's notebooks as files: every solution and starter notebook validates against the
 * official nbformat schema (Debian's python3-nbformat), carries the ts231n kernelspec, is built
 * from its source, and the starter tree ships the same checks.json as the solution tree.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { spawnSync } from 'child_process';
import {
  notebookName,
  notebookSources,
  renderNotebook,
  parseSource,
  NotebookSourceError,
} from '../../../scripts/notebooks/build';
import { loadChecks } from '../../../kernel/runtime';
import { TESTS_DIR } from '../../helpers/paths';

const REPO = path.resolve(TESTS_DIR, '..');
const PYTHON = '/usr/bin/python3';
const TREES = ['solutions/assignment1', 'assignments/assignment1'];
const SOURCES = notebookSources(path.join(REPO, 'solutions/assignment1'));
const NOTEBOOKS = SOURCES.map(notebookName);
const notebookFiles = TREES.flatMap((t) => NOTEBOOKS.map((n) => path.join(t, `${n}.ipynb`)));

function hasNbformat(): boolean {
  return spawnSync(PYTHON, ['-c', 'import nbformat'], { encoding: 'utf8' }).status === 0;
}

/** Validates with nbformat; returns '' when valid, else the validator's message. */
function validate(file: string): string {
  const r = spawnSync(
    PYTHON,
    ['-c', 'import nbformat,sys; nbformat.validate(nbformat.read(sys.argv[1], as_version=4))', file],
    { encoding: 'utf8' },
  );
  return r.status === 0 ? '' : (r.stderr || r.stdout || `exit ${r.status}`).trim();
}

describe('assignment 1 notebooks on disk', () => {
  it('Debian python3-nbformat is installed (the schema check below needs it)', () => {
    expect(hasNbformat()).toBe(true);
  });

  it.each(notebookFiles)('%s validates with the official nbformat schema', (rel) => {
    expect(fs.existsSync(path.join(REPO, rel))).toBe(true);
    expect(validate(path.join(REPO, rel))).toBe('');
  });

  it('the validator really rejects a broken notebook (a code cell without outputs)', () => {
    const nb = JSON.parse(fs.readFileSync(path.join(REPO, 'solutions/assignment1/knn.ipynb'), 'utf8'));
    const code = nb.cells.find((c: { cell_type: string }) => c.cell_type === 'code');
    delete code.outputs;
    const tmp = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'nbf-')), 'broken.ipynb');
    fs.writeFileSync(tmp, JSON.stringify(nb));
    expect(validate(tmp)).toMatch(/NotebookValidationError/);
  });

  it.each(notebookFiles)('%s declares the ts231n kernelspec and TypeScript', (rel) => {
    const nb = JSON.parse(fs.readFileSync(path.join(REPO, rel), 'utf8'));
    expect(nb.nbformat).toBe(4);
    expect(nb.metadata.kernelspec).toEqual({
      name: 'ts231n',
      display_name: 'TypeScript (ts231n)',
      language: 'typescript',
    });
    expect(nb.metadata.language_info.name).toBe('typescript');
  });

  it('the kernelspec in the notebooks names the kernel the kit installs', () => {
    const spec = JSON.parse(
      fs.readFileSync(path.join(REPO, 'kernel/share/jupyter/kernels/ts231n/kernel.json'), 'utf8'),
    );
    expect(spec.display_name).toBe('TypeScript (ts231n)');
    expect(spec.language).toBe('typescript');
  });

  it('assignment 1 has its five notebook sources', () => {
    expect([...NOTEBOOKS].sort()).toEqual(['features', 'knn', 'softmax', 'svm', 'two_layer_net']);
  });

  it.each([...NOTEBOOKS])(
    'solutions/assignment1/%s.ipynb is exactly what its .nb.ts builds (no hand edits, no outputs)',
    (name) => {
      const committed = fs.readFileSync(path.join(REPO, 'solutions/assignment1', `${name}.ipynb`), 'utf8');
      expect(committed).toBe(renderNotebook(path.join(REPO, 'solutions/assignment1', `${name}.nb.ts`)));
      const nb = JSON.parse(committed);
      for (const c of nb.cells) if (c.cell_type === 'code') expect(c.outputs).toEqual([]);
    },
  );

  it('cell ids are unique and stable within each notebook', () => {
    for (const rel of notebookFiles) {
      const ids = JSON.parse(fs.readFileSync(path.join(REPO, rel), 'utf8')).cells.map((c: { id: string }) => c.id);
      expect(new Set(ids).size).toBe(ids.length);
    }
  });

  it('the source parser reads the percent format: "// %%" code cells, "// %% [markdown]" cells of "// " lines', () => {
    const text =
      '// a comment is fine\n\n// %% [markdown]\n// # Title\n//\n//   indented\n\n// %%\n// a code comment\nconst a = 1;\n\n\n// %% [md]\n// more\n';
    const cells = parseSource('x_y', text);
    expect(cells.map((c) => c.cell_type)).toEqual(['markdown', 'code', 'markdown']);
    expect(cells.map((c) => c.id)).toEqual(['x-y-00', 'x-y-01', 'x-y-02']);
    expect(cells[0].source).toEqual(['# Title\n', '\n', '  indented']);
    expect(cells[1].source).toEqual(['// a code comment\n', 'const a = 1;']);
    expect(cells[2].source).toEqual(['more']);
  });

  it('the source parser rejects malformed sources with file and line', () => {
    expect(() => parseSource('x', 'hello\n// %% [markdown]\n// # t\n')).toThrow(NotebookSourceError);
    expect(() => parseSource('x', 'hello\n// %% [markdown]\n// # t\n')).toThrow(
      /x\.nb\.ts:1: text before the first cell marker/,
    );
    expect(() => parseSource('x', '// %% [markdown]\n// # t\nplain text\n')).toThrow(
      /x\.nb\.ts:3: a markdown cell line must start with "\/\/ "/,
    );
    expect(() => parseSource('x', '// %% [raw]\nraw\n')).toThrow(/x\.nb\.ts:1: unsupported cell marker/);
  });

  it('the build command builds any assignment folder beside its sources; --check reports a stale notebook; bad flags are one line', () => {
    const tsx = path.join(REPO, 'node_modules', '.bin', 'tsx');
    const build = (...args: string[]) =>
      spawnSync(tsx, ['scripts/notebooks/build.ts', ...args], { cwd: REPO, encoding: 'utf8' });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nbsrc-'));
    try {
      fs.writeFileSync(path.join(dir, 'Dropout.nb.ts'), '// %% [markdown]\n// # Dropout\n\n// %%\nconst p = 0.5;\n');
      fs.writeFileSync(path.join(dir, 'Dropout.ipynb'), '{}\n');
      const stale = build('--check', dir);
      expect(stale.status).toBe(1);
      expect(stale.stderr).toMatch(/^stale: .*Dropout\.ipynb differs from .*Dropout\.nb\.ts/m);
      expect(fs.readFileSync(path.join(dir, 'Dropout.ipynb'), 'utf8')).toBe('{}\n');
      expect(build(dir).status).toBe(0);
      const nb = JSON.parse(fs.readFileSync(path.join(dir, 'Dropout.ipynb'), 'utf8'));
      expect(nb.cells.map((c: { id: string; cell_type: string }) => `${c.id} ${c.cell_type}`)).toEqual([
        'Dropout-00 markdown',
        'Dropout-01 code',
      ]);
      expect(build('--check', dir).status).toBe(0);
      const bad = build('--bogus');
      expect({ status: bad.status, first: bad.stderr.split('\n')[0] }).toEqual({
        status: 2,
        first: 'notebooks/build: unknown option --bogus',
      });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('checks.json is the same in the solution and the starter, and every entry is well formed', () => {
    const a = fs.readFileSync(path.join(REPO, 'solutions/assignment1/checks.json'));
    const b = fs.readFileSync(path.join(REPO, 'assignments/assignment1/checks.json'));
    expect(b.equals(a)).toBe(true);
    const checks = loadChecks(path.join(REPO, 'solutions/assignment1'));
    expect(Object.keys(checks).length).toBeGreaterThan(20);
  });

  it('every check(...) id in the notebooks has an entry in checks.json, and every entry is used', () => {
    const checks = loadChecks(path.join(REPO, 'solutions/assignment1'));
    const used = new Set<string>();
    for (const file of SOURCES) {
      const text = fs.readFileSync(file, 'utf8');
      for (const m of text.matchAll(/\bcheck\('([^']+)'/g)) used.add(m[1]);
    }
    expect([...used].filter((id) => !(id in checks))).toEqual([]);
    expect(Object.keys(checks).filter((id) => !used.has(id))).toEqual([]);
  });

  it('checks.json ships no exact answer for a graded id: graded ids are checked by ranges or booleans only', () => {
    const checks = loadChecks(path.join(REPO, 'solutions/assignment1'));
    const graded = new Set<string>();
    for (const file of SOURCES) {
      const text = fs.readFileSync(file, 'utf8');
      for (const m of text.matchAll(/\brecord\('([^']+)'/g)) graded.add(m[1]);
    }
    for (const [id, spec] of Object.entries(checks)) {
      if (!graded.has(id)) continue;
      const e = spec.expect as Record<string, unknown>;
      const ok = 'range' in e || ('equals' in e && typeof e.equals === 'boolean');
      if (!ok) throw new Error(`checks.json gives ${id} (a graded id) an exact expectation: ${JSON.stringify(e)}`);
    }
  });
});
