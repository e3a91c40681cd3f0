/**
 * npm run build:starter [-- [--check] [--out DIR] [assignment ...]]
 *
 * Generates the starter a student receives from the reference solution:
 * `solutions/<assignment>/` → `assignments/<assignment>/` (every assignment by default).
 * `--check` writes nothing and exits 1 when the committed starter differs from the generated one.
 * `--out DIR` writes (or checks) `DIR/<assignment>/` instead of `assignments/<assignment>/`.
 * Malformed solution markers stop it with one line naming the file and line.
 */
import * as fs from 'fs';
import * as path from 'path';
import {
  diffStarter,
  generateStarter,
  isClean,
  listAssignments,
  StarterDiff,
  StarterError,
  writeStarter,
} from './build';
import { CommandLineError, parseCommandLine } from '../commandLine';
import { givenFileFor, GIVEN_FILE } from '../../grader/given';

const USAGE = 'usage: npm run build:starter -- [--check] [--out DIR] [assignment ...]';

function describe(diff: StarterDiff): string[] {
  return [
    ...diff.missing.map((f) => `missing  ${f}`),
    ...diff.changed.map((f) => `changed  ${f}`),
    ...diff.extra.map((f) => `stale    ${f}`),
  ];
}

function main(argv: string[]): number {
  const repoRoot = path.resolve(__dirname, '..', '..');
  let parsed;
  try {
    parsed = parseCommandLine(
      argv,
      { check: { type: 'boolean' }, out: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      true,
    );
    if (parsed.values.out === '') throw new CommandLineError('--out needs a folder');
  } catch (e) {
    if (!(e instanceof CommandLineError)) throw e;
    console.error(`build:starter: ${e.message}\n${USAGE}`);
    return 2;
  }
  const { values, positionals: names } = parsed;
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const check = values.check ?? false;
  const outRoot = values.out === undefined ? path.join(repoRoot, 'assignments') : path.resolve(values.out);
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
        console.error(
          `${path.relative(process.cwd(), givenFile)}: differs from the given cells of the generated starter`,
        );
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
      console.log(
        `${shown}: ${files.size} files, ${changes.length ? `${changes.length} updated` : 'already up to date'}`,
      );
      for (const line of changes) console.log(`  ${line}`);
    }
  }
  if (stale) {
    console.error(
      'build:starter: the committed starter is out of date; run `npm run build:starter` and commit assignments/',
    );
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
