/**
 * `npm run package:gradescope -- --assignment assignment1 [--out FILE]` builds the autograder zip
 * Gradescope asks for: `setup.sh` and `run_autograder` at the root of the archive (Gradescope runs
 * the first when it builds the image, copies the second to /autograder/run_autograder), next to the
 * kit itself (which it unpacks into /autograder/source). The two root scripts only hand over to
 * grader/gradescope/, with the assignment baked in.
 *
 * The kit is every file git tracks or would track (as it is in the working tree), minus what grading never reads:
 * tests, benchmarks, docs, examples and the other assignments' solutions and specs.
 */
import * as fs from 'fs';
import * as path from 'path';
import { execFileSync } from 'child_process';
import { ZipFile } from 'yazl';
import { parseCommandLine } from './commandLine';

export const REPO_ROOT = path.resolve(__dirname, '..');

const LEFT_OUT = [/^tests\//, /^bench\//, /^docs\//, /^examples\//, /^\.github\//];

export function rootSetup(assignment: string): string {
  return `#!/usr/bin/env bash
# Gradescope runs this once when it builds the autograder image; the kit is in this folder (/autograder/source).
set -euo pipefail
export TS231N_ASSIGNMENT="\${TS231N_ASSIGNMENT:-${assignment}}"
exec bash "$(cd "$(dirname "\${BASH_SOURCE[0]}")" && pwd)/grader/gradescope/setup.sh"
`;
}

export function rootRunAutograder(assignment: string): string {
  return `#!/usr/bin/env bash
# Gradescope copies this to /autograder/run_autograder; the kit is in /autograder/source.
export TS231N_ASSIGNMENT="\${TS231N_ASSIGNMENT:-${assignment}}"
exec bash "\${AUTOGRADER_ROOT:-/autograder}/source/grader/gradescope/run_autograder" "$@"
`;
}

/** Paths (relative to the repository, '/'-separated) that go into the zip for `assignment`. */
export function kitFiles(assignment: string, repoRoot = REPO_ROOT): string[] {
  const tracked = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: repoRoot,
    encoding: 'utf8',
  })
    .split('\0')
    .filter(Boolean);
  const otherAssignment = (f: string) => {
    const m = f.match(/^(?:solutions|assignments|grader\/specs)\/([^/]+)\//);
    return m !== null && m[1] !== assignment;
  };
  return tracked.filter(
    (f) =>
      !LEFT_OUT.some((re) => re.test(f)) &&
      !otherAssignment(f) &&
      fs.existsSync(path.join(repoRoot, f)) &&
      fs.statSync(path.join(repoRoot, f)).isFile(),
  );
}

export async function packageGradescope(
  assignment: string,
  out: string,
  repoRoot = REPO_ROOT,
): Promise<{ out: string; files: number }> {
  if (!/^[A-Za-z0-9_-]+$/.test(assignment))
    throw new Error(`--assignment ${assignment}: letters, digits, _ and - only`);
  for (const need of [`grader/specs/${assignment}/spec.json`, `solutions/${assignment}`])
    if (!fs.existsSync(path.join(repoRoot, need)))
      throw new Error(`no ${need}: is ${assignment} an assignment of this kit?`);
  const files = kitFiles(assignment, repoRoot);
  fs.mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
  const zip = new ZipFile();
  const mode = (f: string) => (fs.statSync(path.join(repoRoot, f)).mode & 0o111 ? 0o100755 : 0o100644);
  zip.addBuffer(Buffer.from(rootSetup(assignment)), 'setup.sh', { mode: 0o100755 });
  zip.addBuffer(Buffer.from(rootRunAutograder(assignment)), 'run_autograder', { mode: 0o100755 });
  for (const f of files)
    if (f !== 'setup.sh' && f !== 'run_autograder') zip.addFile(path.join(repoRoot, f), f, { mode: mode(f) });
  zip.end();
  const tmp = `${path.resolve(out)}.${process.pid}.tmp`;
  await new Promise<void>((resolve, reject) => {
    zip.outputStream.pipe(fs.createWriteStream(tmp)).on('close', resolve).on('error', reject);
  });
  fs.renameSync(tmp, path.resolve(out));
  return { out: path.resolve(out), files: files.length + 2 };
}

if (require.main === module) {
  const usage = 'usage: npm run package:gradescope -- --assignment NAME [--out FILE]';
  let values: { assignment?: string; out?: string };
  try {
    values = parseCommandLine(process.argv.slice(2), {
      assignment: { type: 'string' },
      out: { type: 'string' },
    }).values;
  } catch (e) {
    process.stderr.write(`package:gradescope: ${(e as Error).message}\n${usage}\n`);
    process.exit(2);
  }
  const assignment = values.assignment;
  if (!assignment) {
    process.stderr.write(`${usage}\n`);
    process.exit(2);
  }
  const out = values.out ?? path.join(REPO_ROOT, 'dist', `${assignment}-gradescope.zip`);
  packageGradescope(assignment, out).then(
    (r) =>
      process.stdout.write(
        `wrote ${path.relative(process.cwd(), r.out) || r.out} (${r.files} files): upload it as the autograder of ${assignment} on Gradescope\n`,
      ),
    (e) => {
      process.stderr.write(`package:gradescope: ${(e as Error).message}\n`);
      process.exit(1);
    },
  );
}
