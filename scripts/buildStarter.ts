/**
 * npm run build:starter [-- [--check] [--out DIR] [assignment ...]]
 *
 * Generates the starter a student receives from the reference solution:
 * `solutions/<assignment>/` → `assignments/<assignment>/` (every assignment by default).
 * `--check` writes nothing and exits 1 when the committed starter differs from the generated one.
 * `--out DIR` writes (or checks) `DIR/<assignment>/` instead of `assignments/<assignment>/`.
 * Malformed solution markers stop it with one line naming the file and line.
 */
import * as path from 'path';
import * as fs from 'fs';
import { diffStarter, generateStarter, isClean, listAssignments, StarterDiff, StarterError, writeStarter } from './starter/build';
import { givenFileFor, GIVEN_FILE } from '../grader/given';

const USAGE = 'usage: npm run build:starter -- [--check] [--out DIR] [assignment ...]';

function describe(diff: StarterDiff): string[] {
  return [
    ...diff.missing.map((f) => `missing  ${f}`),
    ...diff.changed.map((f) => `changed  ${f}`),
    ...diff.extra.map((f) => `stale    ${f}`),
  ];
}

function main(argv: string[]): number {
  const repoRoot = path.resolve(__dirname, '..');
  let check = false;
  let outRoot = path.join(repoRoot, 'assignments');
  const names: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--check') check = true;
    else if (a === '--out') {
      const dir = argv[++i];
      if (!dir) {
        console.error(`build:starter: --out needs a folder\n${USAGE}`);
        return 2;
      }
      outRoot = path.resolve(dir);
    } else if (a === '--help' || a === '-h') {
      console.log(USAGE);
      return 0;
    } else if (a.startsWith('-')) {
      console.error(`build:starter: unknown option ${a}\n${USAGE}`);
      return 2;
    } else names.push(a);
  }
  const assignments = names.length ? names : listAssignments(repoRoot);
  if (assignments.length === 0) {
    console.error('build:starter: nothing to do: no folders under solutions/');
    return 1;
  }
  let stale = false;
  for (const name of assignments) {
    const files = generateStarter(repoRoot, name);
    const dir = path.join(outRoot, name);
    const shown = path.relative(process.cwd(), dir) || '.';
    // The grader restores the given cells (grader/given.ts): their list goes with the starter.
    const specDir = path.join(repoRoot, 'grader', 'specs', name);
    if (fs.existsSync(specDir)) {
      const givenFile = path.join(specDir, GIVEN_FILE);
      const text = givenFileFor(path.join(repoRoot, 'solutions', name), files);
      const current = fs.existsSync(givenFile) ? fs.readFileSync(givenFile, 'utf8') : null;
      if (current !== text && check) {
        stale = true;
        console.error(`${path.relative(process.cwd(), givenFile)}: differs from the given cells of the generated starter`);
      } else if (current !== text) {
        fs.writeFileSync(givenFile, text);
        console.log(`${path.relative(process.cwd(), givenFile)}: given cells updated`);
      }
    }
    if (check) {
      const diff = diffStarter(files, dir);
      if (isClean(diff)) console.log(`${shown}: up to date (${files.size} files)`);
      else {
        stale = true;
        console.error(`${shown}: differs from the starter generated from solutions/${name}:`);
        for (const line of describe(diff)) console.error(`  ${line}`);
      }
    } else {
      const diff = writeStarter(files, dir);
      const changes = describe(diff);
      console.log(`${shown}: ${files.size} files, ${changes.length ? `${changes.length} updated` : 'already up to date'}`);
      for (const line of changes) console.log(`  ${line}`);
    }
  }
  if (stale) {
    console.error('build:starter: the committed starter is out of date; run `npm run build:starter` and commit assignments/');
    return 1;
  }
  return 0;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (e) {
  if (e instanceof StarterError) {
    console.error(`build:starter: ${e.message}`);
    process.exitCode = 1;
  } else throw e;
}
