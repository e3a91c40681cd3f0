/**
 * The Gradescope step around the grader, called by run_autograder:
 *
 *   finalize.ts --before --spec-dir DIR --metadata FILE --out FILE
 *     exit 3 after writing the previous result to FILE when the spec's `dailyLimit` is used up
 *     (nothing is graded then); exit 0 otherwise.
 *   finalize.ts --spec-dir DIR --results FILE --out FILE [--metadata FILE]
 *     the grader's results.json with the spec's late policy applied, checked against
 *     grader/schemas/gradescope-results.schema.json, written to FILE.
 *
 * A missing or unreadable metadata file leaves the score as graded and says so on stderr (which
 * only staff see): a student is never penalised because of the platform's file.
 */
import * as fs from 'fs';
import * as path from 'path';
import { loadSpec } from '../spec';
import { checkGradescopeResults, type GradescopeResults } from '../report/gradescope';
import { writeAtomic } from '../report/atomic';
import { applyLatePolicy, parseMetadata, rateLimited, type SubmissionMetadata } from './policy';
import { parseCommandLine } from '../../scripts/commandLine';

export const RATE_LIMITED_EXIT = 3;

interface Args {
  before: boolean;
  specDir: string;
  out: string;
  results?: string;
  metadata?: string;
}

function parse(argv: string[]): Args {
  const { values } = parseCommandLine(argv, {
    before: { type: 'boolean', default: false },
    'spec-dir': { type: 'string' },
    out: { type: 'string' },
    results: { type: 'string' },
    metadata: { type: 'string' },
  });
  const a = {
    before: values.before === true,
    specDir: values['spec-dir'],
    out: values.out,
    results: values.results,
    metadata: values.metadata,
  };
  if (!a.specDir || !a.out || (!a.before && !a.results))
    throw new Error('usage: finalize.ts [--before] --spec-dir DIR --out FILE [--results FILE] [--metadata FILE]');
  return a as Args;
}

function readMetadata(file: string | undefined): SubmissionMetadata | null {
  if (!file) return null;
  if (!fs.existsSync(file)) {
    process.stderr.write(`finalize: no ${file}; late policy and submission limit not applied\n`);
    return null;
  }
  try {
    return parseMetadata(JSON.parse(fs.readFileSync(file, 'utf8')));
  } catch (e) {
    process.stderr.write(`finalize: ${(e as Error).message}; late policy and submission limit not applied\n`);
    return null;
  }
}

export function main(argv: string[]): number {
  const a = parse(argv);
  const spec = loadSpec(path.resolve(a.specDir));
  const meta = readMetadata(a.metadata);
  const cfg = spec.gradescope ?? {};
  if (a.before) {
    const limited = meta && cfg.dailyLimit ? rateLimited(meta, cfg.dailyLimit) : null;
    if (!limited) return 0;
    checkGradescopeResults(limited);
    writeAtomic(a.out, JSON.stringify(limited, null, 2) + '\n');
    return RATE_LIMITED_EXIT;
  }
  let results = JSON.parse(fs.readFileSync(a.results!, 'utf8')) as GradescopeResults;
  if (meta && cfg.latePolicy) results = applyLatePolicy(results, meta, cfg.latePolicy);
  checkGradescopeResults(results);
  writeAtomic(a.out, JSON.stringify(results, null, 2) + '\n');
  return 0;
}

if (require.main === module) {
  try {
    process.exit(main(process.argv.slice(2)));
  } catch (e) {
    process.stderr.write(`finalize: ${(e as Error).message.split('\n')[0]}\n`);
    process.exit(1);
  }
}
