/**
 * Builds the example submissions of each assignment from its solution tree:
 *
 * - `complete`: a copy of solutions/<assignment> (full marks);
 * - `partial`: the solution with a few specific bugs. Assignment 1: the SVM gradient misses the
 *   regularisation term (naive and vectorised), and kNN breaks vote ties towards the larger label.
 *   Assignment 2: dropout does not scale the kept units by 1/p, Adam increments t after its bias
 *   correction, and FullyConnectedNet regularises with reg·ΣW² instead of 0.5·reg·ΣW²;
 * - `broken`: a notebook is not JSON (cut short, as by a failed upload) and a module throws when
 *   it is imported (assignment 1: knn.ipynb and cs231n/features.ts; assignment 2: Dropout.ipynb
 *   and cs231n/layerUtils.ts);
 * - assignment 2 also has the ConvNet students of scripts/examplesConv.ts: `conv-stride2` (the naive
 *   conv ignores the stride) and `convnet-no-reg` (ThreeLayerConvNet without the reg term).
 *
 * `npx tsx scripts/examples.ts` writes examples/submissions/<assignment>/ for every assignment;
 * `--check` only says whether the copies are up to date (tests/integration/grader/examples.test.ts does the same).
 * Each bug is an exact text replacement: when the solution changes so that one no longer
 * applies, the build fails and says which, instead of silently shipping a correct "partial".
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { SOURCE_SUFFIX } from './notebooks/build';
import { CommandLineError, parseCommandLine } from './commandLine';
import { CONV_EXAMPLES } from './examplesConv';
import { replaceCode } from './sourceEdit';

export const REPO_ROOT = path.resolve(__dirname, '..');
/** Where the example submissions of `assignment` are built. */
export function examplesDir(assignment: string): string {
  return path.join(REPO_ROOT, 'examples', 'submissions', assignment);
}
export const EXAMPLES_DIR = examplesDir('assignment1');

export class ExampleBuildError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExampleBuildError';
  }
}

interface Edit {
  file: string;
  /** What the edit does, in the words of a grader's feedback. */
  why: string;
  apply(text: string): string;
}

export const EXAMPLES: Record<string, Edit[]> = {
  complete: [],
  partial: [
    {
      file: 'cs231n/classifiers/linearSvm.ts',
      why: 'naive SVM gradient without the regularisation term',
      apply: replaceCode('dW[k] = dW[k] / N + 2 * reg * w[k];', 'dW[k] = dW[k] / N;'),
    },
    {
      file: 'cs231n/classifiers/linearSvm.ts',
      why: 'vectorised SVM gradient without the regularisation term',
      apply: replaceCode(
        'grad = tf.matMul(Xm.transpose(), coeff).div(N).add(Wm.mul(2 * reg));',
        'grad = tf.matMul(Xm.transpose(), coeff).div(N);',
      ),
    },
    {
      file: 'cs231n/classifiers/kNearestNeighbor.ts',
      why: 'kNN vote ties go to the larger label',
      apply: replaceCode('(count === bestVotes && label < best)', '(count === bestVotes && label > best)'),
    },
  ],
  broken: [
    {
      file: 'knn.ipynb',
      why: 'knn.ipynb cut short: not JSON',
      apply: (text) => text.slice(0, Math.floor(text.length / 3)),
    },
    {
      file: 'cs231n/features.ts',
      why: 'features.ts throws when imported',
      apply: replaceCode(
        "import { tf } from 'ts231n';\n",
        "import { tf } from 'ts231n';\n\nthrow new Error('features.ts is being rewritten: do not import it yet');\n",
      ),
    },
  ],
};

/** Assignment 2's examples (see the file comment). */
export const EXAMPLES_ASSIGNMENT2: Record<string, Edit[]> = {
  complete: [],
  partial: [
    {
      file: 'cs231n/layers.ts',
      why: 'dropout keeps units without scaling them by 1/p',
      apply: replaceCode(
        "mask = gen.rand(x.shape).less(p).cast('float32').div(p);",
        "mask = gen.rand(x.shape).less(p).cast('float32');",
      ),
    },
    {
      file: 'cs231n/optim.ts',
      why: 'Adam increments t after its bias correction',
      apply: (text) =>
        replaceCode(
          '    nextW = w.sub(mt.mul(learningRate).div(vt.sqrt().add(epsilon)));\n',
          '    nextW = w.sub(mt.mul(learningRate).div(vt.sqrt().add(epsilon)));\n    t += 1;\n',
        )(replaceCode('    t += 1;\n', '')(text)),
    },
    {
      file: 'cs231n/classifiers/fcNet.ts',
      why: 'FullyConnectedNet regularises with reg·ΣW² (no ½)',
      apply: replaceCode(
        'loss = dataLoss + 0.5 * reg * regLoss.dataSync()[0];',
        'loss = dataLoss + reg * regLoss.dataSync()[0];',
      ),
    },
  ],
  broken: [
    {
      file: 'Dropout.ipynb',
      why: 'Dropout.ipynb cut short: not JSON',
      apply: (text) => text.slice(0, Math.floor(text.length / 3)),
    },
    {
      file: 'cs231n/layerUtils.ts',
      why: 'layerUtils.ts throws when imported',
      apply: replaceCode(
        "import { tf } from 'ts231n';\n",
        "import { tf } from 'ts231n';\n\nthrow new Error('layerUtils.ts is being rewritten: do not import it yet');\n",
      ),
    },
  ],
};

/** Assignment 2's examples, the ConvNet students included. */
const ASSIGNMENT2_ALL: Record<string, Edit[]> = { ...EXAMPLES_ASSIGNMENT2, ...CONV_EXAMPLES };

/** The example sets by assignment. */
export const EXAMPLE_SETS: Record<string, Record<string, Edit[]>> = {
  assignment1: EXAMPLES,
  assignment2: ASSIGNMENT2_ALL,
};

function copyTree(src: string, dest: string): void {
  fs.mkdirSync(dest, { recursive: true });
  for (const d of fs.readdirSync(src, { withFileTypes: true })) {
    if (d.name.startsWith('.')) continue; // scratch folders, checkpoints
    const s = path.join(src, d.name);
    if (d.isDirectory()) copyTree(s, path.join(dest, d.name));
    else if (d.isFile() && !d.name.endsWith(SOURCE_SUFFIX)) fs.copyFileSync(s, path.join(dest, d.name)); // a student has no notebook sources
  }
}

/** Write every example submission of `assignment` into `dest` (replacing what is there). */
export function buildExamples(dest: string = EXAMPLES_DIR, assignment = 'assignment1'): string[] {
  const set = EXAMPLE_SETS[assignment];
  if (!set)
    throw new ExampleBuildError(`no examples for "${assignment}" (known: ${Object.keys(EXAMPLE_SETS).join(', ')})`);
  fs.rmSync(dest, { recursive: true, force: true });
  for (const [name, edits] of Object.entries(set)) {
    const dir = path.join(dest, name);
    copyTree(path.join(REPO_ROOT, 'solutions', assignment), dir);
    for (const e of edits) {
      const file = path.join(dir, e.file);
      try {
        fs.writeFileSync(file, e.apply(fs.readFileSync(file, 'utf8')));
      } catch (err) {
        throw new ExampleBuildError(
          `example "${name}" (${e.why}): cannot edit ${e.file}: ${(err as Error).message}; update scripts/examples.ts to the new solution`,
        );
      }
    }
  }
  return Object.keys(set);
}

/** Relative paths and contents of a tree. */
export function treeContents(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    if (!fs.existsSync(d)) return;
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) out.set(path.relative(dir, p).split(path.sep).join('/'), fs.readFileSync(p, 'utf8'));
    }
  };
  walk(dir);
  return out;
}

/** The differences between the committed examples and a fresh build (empty when up to date). */
export function staleExamples(committed: string = EXAMPLES_DIR, assignment = 'assignment1'): string[] {
  const fresh = fs.mkdtempSync(path.join(os.tmpdir(), 'ts231n-examples-'));
  try {
    buildExamples(fresh, assignment);
    const a = treeContents(committed);
    const b = treeContents(fresh);
    const diffs: string[] = [];
    for (const [f, text] of b)
      if (!a.has(f)) diffs.push(`missing ${f}`);
      else if (a.get(f) !== text) diffs.push(`out of date ${f}`);
    for (const f of a.keys()) if (!b.has(f)) diffs.push(`extra ${f}`);
    return diffs;
  } finally {
    fs.rmSync(fresh, { recursive: true, force: true });
  }
}

if (require.main === module) {
  try {
    const { values } = parseCommandLine(process.argv.slice(2), { check: { type: 'boolean' } });
    for (const assignment of Object.keys(EXAMPLE_SETS)) {
      const dir = examplesDir(assignment);
      if (values.check) {
        const diffs = staleExamples(dir, assignment);
        if (diffs.length) {
          process.stderr.write(
            `${assignment}: examples are out of date (${diffs.length} files, first: ${diffs[0]}); run: npx tsx scripts/examples.ts\n`,
          );
          process.exit(1);
        }
        process.stdout.write(`${assignment}: examples are up to date\n`);
      } else {
        const names = buildExamples(dir, assignment);
        process.stdout.write(`wrote ${names.join(', ')} to ${path.relative(process.cwd(), dir) || dir}\n`);
      }
    }
  } catch (e) {
    process.stderr.write(`examples: ${(e as Error).message}\n`);
    if (e instanceof CommandLineError) process.stderr.write('usage: npx tsx scripts/examples.ts [--check]\n');
    process.exit(e instanceof CommandLineError ? 2 : 1);
  }
}
