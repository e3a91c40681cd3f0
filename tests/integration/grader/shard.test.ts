/**
 * Sharding (`--shard i/N`) and `merge`, on the mini fixture assignment: four submissions graded
 * once unsharded and once as 2 shards + merge give the same gradebook rows and summary. Then
 * merge's checks (conflicting duplicates, a missing shard, a report that fails its schema) and
 * the usage errors of --shard. One reference cache serves every run.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as yazl from 'yazl';
import { main } from '../../../grader/cli';
import { parseShard, shardEntries } from '../../../grader/shard';
import { mergeShards } from '../../../grader/merge';
import { copyTree } from '../../../grader/workspace';
import type { StudentResult } from '../../../grader/types';
import { MINI_SOLUTION as SOLUTION, MINI_SPEC as SPEC } from '../../helpers/miniGrader';

jest.setTimeout(300_000);

let tmp: string;
let subs: string;
let cache: string;
const out = (name: string) => path.join(tmp, name);
const read = (file: string) => fs.readFileSync(file, 'utf8');

/** Run the CLI in this process; stdout and stderr are captured (and shown when a run fails unexpectedly). */
async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const o = jest
    .spyOn(process.stdout, 'write')
    .mockImplementation((c: string | Uint8Array) => ((stdout += String(c)), true));
  const e = jest
    .spyOn(process.stderr, 'write')
    .mockImplementation((c: string | Uint8Array) => ((stderr += String(c)), true));
  try {
    const code = await main(args);
    return { code, stdout, stderr };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

const grade = (outDir: string, ...extra: string[]) =>
  cli([
    '--assignment',
    'mini',
    '--submissions',
    subs,
    '--out',
    outDir,
    '--spec-dir',
    SPEC,
    '--solution-dir',
    SOLUTION,
    '--cache-dir',
    cache,
    '--jobs',
    '2',
    '--cell-timeout',
    '60',
    ...extra,
  ]);
const merge = (outDir: string, ...dirs: string[]) =>
  cli(['merge', '--assignment', 'mini', '--spec-dir', SPEC, '--out', outDir, ...dirs]);

function zipOf(entries: Record<string, string>): Promise<Buffer> {
  return new Promise((resolve) => {
    const z = new yazl.ZipFile();
    for (const [name, data] of Object.entries(entries)) z.addBuffer(Buffer.from(data), name);
    const chunks: Buffer[] = [];
    z.outputStream.on('data', (c: Buffer) => chunks.push(c)).on('end', () => resolve(Buffer.concat(chunks)));
    z.end();
  });
}

let full: { code: number; stdout: string; stderr: string };
let shards: Array<{ code: number; stdout: string; stderr: string }>;
let merged: { code: number; stdout: string; stderr: string };
const timings: string[] = [];

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'grader-shard-'));
  subs = path.join(tmp, 'subs');
  cache = path.join(tmp, 'cache');
  // alice: the solution; bob: no stats.ipynb; bob.zip (student bob-2): ops.ipynb not JSON; dave: empty (invalid).
  copyTree(SOLUTION, path.join(subs, 'alice'));
  copyTree(SOLUTION, path.join(subs, 'bob'));
  fs.rmSync(path.join(subs, 'bob', 'stats.ipynb'));
  fs.writeFileSync(
    path.join(subs, 'bob.zip'),
    await zipOf({
      'ops.ipynb': '{ not json',
      'stats.ipynb': read(path.join(SOLUTION, 'stats.ipynb')),
      'lib/ops.ts': read(path.join(SOLUTION, 'lib', 'ops.ts')),
    }),
  );
  fs.mkdirSync(path.join(subs, 'dave'));

  let t = Date.now();
  full = await grade(out('full'));
  timings.push(`unsharded ${((Date.now() - t) / 1000).toFixed(1)} s`);
  shards = [];
  for (const i of [0, 1]) {
    t = Date.now();
    shards.push(await grade(out(`shard-${i}`), '--shard', `${i}/2`));
    timings.push(`shard ${i}/2 ${((Date.now() - t) / 1000).toFixed(1)} s`);
  }
  merged = await merge(out('merged'), out('shard-0'), out('shard-1'));
  process.stdout.write(`graderShard timings: ${timings.join(', ')}\n`);
});

afterAll(() => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

describe('grade --shard i/N + merge', () => {
  it('grades each shard and merges without errors', () => {
    for (const r of [full, ...shards, merged])
      expect({ code: r.code, stderr: r.code ? r.stderr : '' }).toEqual({ code: 0, stderr: '' });
    expect(shards[0].stdout).toMatch(/^shard 0\/2: 2 graded/m);
    expect(merged.stdout).toMatch(/^4 merged from 2 folders: mean/m);
  });

  it('splits by sorted position mod N, keeping the names the whole folder gives', () => {
    expect(shardEntries(subs, { index: 0, count: 2 }).map((e) => e.student)).toEqual(['alice', 'bob-2']);
    expect(shardEntries(subs, { index: 1, count: 2 }).map((e) => e.student)).toEqual(['bob', 'dave']);
    const manifest = (i: number) => JSON.parse(read(path.join(out(`shard-${i}`), 'shard.json')));
    expect(manifest(0)).toMatchObject({
      assignment: 'mini',
      shard: { index: 0, count: 2 },
      students: ['alice', 'bob-2'],
      failed: [],
    });
    expect(manifest(1)).toMatchObject({ shard: { index: 1, count: 2 }, students: ['bob', 'dave'] });
    expect(
      read(path.join(out('shard-0'), 'gradebook.csv'))
        .trim()
        .split('\n')
        .slice(2)
        .map((l) => l.split(',')[0]),
    ).toEqual(['alice', 'bob-2']);
    expect(fs.existsSync(path.join(out('full'), 'shard.json'))).toBe(false);
  });

  it('the merged gradebook and summary equal those of one unsharded run', () => {
    const gradebook = read(path.join(out('full'), 'gradebook.csv'));
    expect(gradebook.trim().split('\n')).toHaveLength(6); // header, max points, 4 students
    expect(read(path.join(out('merged'), 'gradebook.csv'))).toBe(gradebook);
    expect(JSON.parse(read(path.join(out('merged'), 'summary.json')))).toEqual(
      JSON.parse(read(path.join(out('full'), 'summary.json'))),
    );
    // The scores differ between students, so the comparison means something.
    const totals = gradebook
      .trim()
      .split('\n')
      .slice(2)
      .map((l) => Number(l.split(',').pop()));
    expect(new Set(totals).size).toBeGreaterThan(2);
    for (const s of ['alice', 'bob', 'bob-2', 'dave']) {
      const a = JSON.parse(read(path.join(out('full'), s, 'report.json'))) as StudentResult;
      const b = JSON.parse(read(path.join(out('merged'), s, 'report.json'))) as StudentResult;
      expect({ ...b, gradedAt: '', wallSeconds: 0, tasks: b.tasks.length }).toEqual({
        ...a,
        gradedAt: '',
        wallSeconds: 0,
        tasks: a.tasks.length,
      });
      expect(fs.existsSync(path.join(out('merged'), s, 'feedback.html'))).toBe(true);
    }
    expect(read(path.join(out('merged'), 'junit.xml')).match(/<testsuite /g)).toHaveLength(4);
  });

  it('a re-run of a shard skips its unchanged students', async () => {
    const again = await grade(out('shard-1'), '--shard', '1/2');
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/^shard 1\/2: 2 graded \(0 run, 2 unchanged\)/m);
  });

  it('accepts identical duplicates (the same folder twice, or an unsharded folder with a shard)', async () => {
    const r = await merge(out('merged2'), out('shard-0'), out('shard-1'), out('shard-0'), out('full'));
    expect(r.code).toBe(0);
    expect(read(path.join(out('merged2'), 'gradebook.csv'))).toBe(read(path.join(out('full'), 'gradebook.csv')));
  });

  it('refuses a student with different results in two folders, in one line', async () => {
    const stale = out('stale');
    copyTree(out('shard-1'), stale);
    const file = path.join(stale, 'bob', 'report.json');
    const r = JSON.parse(read(file)) as StudentResult;
    r.items[0].points = r.items[0].points ? 0 : r.items[0].maxPoints;
    r.total = r.items.filter((i) => !i.pendingManual).reduce((a, i) => a + i.points, 0);
    fs.writeFileSync(file, JSON.stringify(r));
    const res = await merge(out('merged3'), out('shard-0'), out('shard-1'), stale);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(
      /^grade: student bob has different results in .*shard-1 \(.*\) and .*stale \(.*\); remove the stale report or re-grade that student\n$/,
    );
    expect(fs.existsSync(path.join(out('merged3'), 'gradebook.csv'))).toBe(false);
  });

  it('refuses a missing shard, a report that fails its schema, and a folder that is not there', () => {
    const opts = { assignment: 'mini', specDir: SPEC, out: out('m4') };
    expect(() => mergeShards({ ...opts, shardDirs: [out('shard-0')] })).toThrow(
      /^shard 1\/2 missing: pass the --out folder of every shard/,
    );
    const bad = out('bad');
    copyTree(out('shard-0'), bad);
    const file = path.join(bad, 'alice', 'report.json');
    fs.writeFileSync(file, JSON.stringify({ ...JSON.parse(read(file)), total: -1 }));
    expect(() => mergeShards({ ...opts, shardDirs: [bad, out('shard-1')] })).toThrow(
      /alice\/report\.json does not match report\.schema\.json: \/total must be >= 0/,
    );
    expect(() => mergeShards({ ...opts, shardDirs: [out('nope')] })).toThrow(/shard out folder .*nope does not exist/);
  });

  it('rejects bad --shard values and bad merge arguments as usage errors (exit 2, one line)', async () => {
    expect(parseShard('3/4')).toEqual({ index: 3, count: 4 });
    for (const v of ['2/2', '-1/2', '1', '0/0', 'a/b', '1/2/3']) {
      const r = await grade(out('never'), `--shard=${v}`);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(
        `grade: --shard needs i/N with 0 <= i < N (e.g. --shard 0/4 for the first of 4 shards), got ${v}\n`,
      );
    }
    // A value that looks like an option needs the --flag=value form; the error says so.
    const dash = await grade(out('never'), '--shard', '-1/2');
    expect(dash.code).toBe(2);
    expect(dash.stderr.split('\n')[0]).toBe(
      'grade: --shard needs a value; write a value that starts with "-" as --shard=-…',
    );
    for (const [args, line] of [
      [['--bogus'], 'grade: unknown option --bogus'],
      [['--jobs', '0'], 'grade: --jobs needs a positive number, got 0'],
      [['--force=yes'], 'grade: --force takes no value'],
      [['stray'], 'grade: unexpected argument stray'],
    ] as const) {
      const r = await grade(out('never'), ...args);
      expect({ code: r.code, first: r.stderr.split('\n')[0] }).toEqual({ code: 2, first: line });
    }
    const unknownMerge = await cli(['merge', '--bogus', out('shard-0')]);
    expect({ code: unknownMerge.code, first: unknownMerge.stderr.split('\n')[0] }).toEqual({
      code: 2,
      first: 'grade: merge: unknown option --bogus',
    });
    const r = await grade(out('never'), '--shard', '0/2', '--student', 'alice');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^grade: --student and --shard cannot be combined/);
    const m = await cli(['merge', '--assignment', 'mini', '--out', out('never')]);
    expect(m.code).toBe(2);
    expect(m.stderr.split('\n')[0]).toBe('grade: merge: name the out folder of each shard after the options');
    expect(fs.existsSync(out('never'))).toBe(false);
  });
});
