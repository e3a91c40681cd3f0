/**
 * progress / ProgressBar: in a notebook one display output with a display_id, then updates in
 * place (update=true, same id) with rate and ETA; outside one, text on stderr (a \r-rewritten
 * line on a terminal, otherwise a line now and then plus the final one).
 */
import { setDisplaySink } from '../../../kernel/runtime/output';
import { progress, ProgressBar, formatDuration, DisplayArgumentError } from '../../../kernel/runtime/display';
import { captureDisplays, expectOneLineErrors } from '../../helpers/display';

const shown = captureDisplays();
const texts = (): string[] => shown.map((s) => String(s.bundle['text/plain']));

afterEach(() => jest.useRealTimers());

/** Fake clock: performance.now() and Date move only when the test says so. */
function fakeClock(): (ms: number) => void {
  jest.useFakeTimers({ now: 1_000_000 });
  return (ms) => jest.advanceTimersByTime(ms);
}

describe('progress in a notebook', () => {
  it('shows one output with a display_id, then updates it in place with count, rate and ETA', () => {
    const step = fakeClock();
    const seen: number[] = [];
    for (const i of progress(10, { label: 'training', every: 0 })) {
      seen.push(i);
      step(500); // 2 it/s
    }
    expect(seen).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // the first draw (0/10) + one per step
    expect(shown).toHaveLength(11);
    const id = shown[0].options.displayId;
    expect(id).toMatch(/^ts231n-progress-/);
    expect(shown[0].options.update).toBe(false);
    for (const s of shown.slice(1)) expect(s.options).toMatchObject({ displayId: id, update: true });
    expect(texts()[0]).toBe(`training   0% |${'░'.repeat(24)}| 0/10 [0:00<?, ? it/s]`);
    // after 3 steps of 0.5 s: 1.5 s elapsed, 2 it/s, 7 left → 3.5 s → rounds to 0:04
    expect(texts()[3]).toBe(`training  30% |${'█'.repeat(7)}${'░'.repeat(17)}| 3/10 [0:02<0:04, 2.0 it/s]`);
    expect(texts()[10]).toBe(`training 100% |${'█'.repeat(24)}| 10/10 [0:05<0:00, 2.0 it/s]`);
    const html = String(shown[10].bundle['text/html']);
    expect(html).toContain('width:100.0%');
    expect(html).toContain('#1a7f37'); // green when done
    expect(html).toContain('10/10 [0:05&lt;0:00, 2.0 it/s]');
    expect(String(shown[3].bundle['text/html'])).toContain('width:30.0%');
  });

  it('throttles redraws to one per `every` seconds but always draws the final state', () => {
    const step = fakeClock();
    for (const _ of progress(1000, { every: 0.1 })) step(1); // 1 s in all
    // first draw, then at most one per 100 ms (10), and the final one
    expect(shown.length).toBeGreaterThanOrEqual(10);
    expect(shown.length).toBeLessThanOrEqual(12);
    expect(texts()[shown.length - 1]).toMatch(/^100% \|█+\| 1000\/1000 \[0:01<0:00, 1000 it\/s\]$/);
  });

  it('shows slow loops in s/it, long ETAs as h:mm:ss, and unknown totals as a count', () => {
    const step = fakeClock();
    const bar = new ProgressBar(5000, { label: 'epochs', every: 0 });
    step(2500);
    bar.tick(); // 4999 steps left at 2.5 s each = 12,497.5 s

    expect(bar.text()).toMatch(/^epochs {3}0% \|░+\| 1\/5000 \[0:03<3:28:18, 2\.5 s\/it\]$/);
    bar.close();
    shown.length = 0;
    function* batches(): Generator<string> {
      yield 'a';
      yield 'b';
      yield 'c';
    }
    for (const _ of progress(batches(), { every: 0 })) step(100);
    expect(texts()[shown.length - 1]).toBe('3 it [0:00, 10.0 it/s]');
  });

  it('draws the final state when the loop ends early, and takes the total from arrays, Sets and Maps', () => {
    // breaking while 'b' is processed: 'a' is done, 'b' is not (as in tqdm)
    for (const x of progress(['a', 'b', 'c', 'd'], { every: 0 })) if (x === 'b') break;
    expect(texts()[shown.length - 1]).toMatch(/ 1\/4 /);
    expect(String(shown[shown.length - 1].bundle['text/html'])).toContain('#1a7f37');
    shown.length = 0;
    for (const _ of progress(new Set([1, 2, 3]))) {
      // nothing
    }
    expect(texts()[shown.length - 1]).toMatch(/ 3\/3 /);
    shown.length = 0;
    for (const _ of progress(new Map([[1, 2]]))) {
      // nothing
    }
    expect(texts()[shown.length - 1]).toMatch(/ 1\/1 /);
  });

  it('can be driven by hand when the loop lives elsewhere (update, tick, done)', () => {
    const p = progress(100, { label: 'training', every: 0 });
    expect(shown).toHaveLength(0); // the bar appears on first use
    for (let it = 0; it < 40; it++) p.update(it + 1);
    p.tick(10);
    expect(p.bar.state().count).toBe(50);
    p.done();
    expect(p.bar.state().done).toBe(true);
    const last = shown[shown.length - 1];
    expect(last.options).toMatchObject({ displayId: shown[0].options.displayId, update: true });
    expect(String(last.bundle['text/plain'])).toMatch(/^training {2}50% .* 50\/100 /);
    // after closing, updates are ignored
    const n = shown.length;
    p.update(60);
    expect(shown).toHaveLength(n);
  });

  it('wraps async iterables for `for await`', async () => {
    async function* pages(): AsyncGenerator<number> {
      for (let i = 0; i < 3; i++) yield i;
    }
    const got: number[] = [];
    for await (const x of progress(pages(), { total: 3, every: 0 })) got.push(x);
    expect(got).toEqual([0, 1, 2]);
    expect(texts()[shown.length - 1]).toMatch(/100% .* 3\/3 /);
  });

  it('gives every bar its own display_id', () => {
    for (const _ of progress(1)) {
      // one step
    }
    for (const _ of progress(1)) {
      // one step
    }
    const ids = new Set(shown.map((s) => s.options.displayId));
    expect(ids.size).toBe(2);
  });
});

describe('progress outside a notebook', () => {
  function captureStderr(tty: boolean, body: () => void): string {
    setDisplaySink(null);
    const chunks: string[] = [];
    const wasTTY = process.stderr.isTTY;
    Object.defineProperty(process.stderr, 'isTTY', { value: tty, configurable: true });
    const spy = jest
      .spyOn(process.stderr, 'write')
      .mockImplementation((s: string | Uint8Array) => (chunks.push(String(s)), true));
    const out = jest.spyOn(process.stdout, 'write').mockImplementation(() => {
      throw new Error('progress must not write to stdout');
    });
    try {
      body();
    } finally {
      spy.mockRestore();
      out.mockRestore();
      Object.defineProperty(process.stderr, 'isTTY', { value: wasTTY, configurable: true });
    }
    return chunks.join('');
  }

  it('on a terminal rewrites one line with \\r and ends it with a newline', () => {
    const step = fakeClock();
    const text = captureStderr(true, () => {
      for (const _ of progress(3, { label: 'folds', every: 0 })) step(1000);
    });
    const draws = text.split('\r').slice(1);
    expect(text.startsWith('\r')).toBe(true);
    expect(draws).toHaveLength(4);
    expect(draws[0]).toMatch(/^folds {3}0% \|░+\| 0\/3 /);
    expect(draws[3]).toBe(`folds 100% |${'█'.repeat(24)}| 3/3 [0:03<0:00, 1.0 it/s]\n`);
    expect(text.split('\n')).toHaveLength(2);
  });

  it('in a log (not a terminal) writes the first line, one every 5 s at most, and the final line', () => {
    const step = fakeClock();
    const text = captureStderr(false, () => {
      for (const _ of progress(12, { label: 'search', every: 0 })) step(1000);
    });
    const lines = text.trimEnd().split('\n');
    expect(text).not.toContain('\r');
    // t = 0 (first), t = 5 s, t = 10 s, then the final one at 12 s
    expect(lines.map((l) => / (\d+)\/12 /.exec(l)?.[1])).toEqual(['0', '5', '10', '12']);
    expect(lines[3]).toBe(`search 100% |${'█'.repeat(24)}| 12/12 [0:12<0:00, 1.0 it/s]`);
  });
});

describe('bad input', () => {
  it('is a DisplayArgumentError that says what was expected', () => {
    const cases: Array<[() => unknown, RegExp]> = [
      [() => progress(-1), /progress\(n\): n must be a whole number ≥ 0, got -1/],
      [() => progress(2.5), /got 2\.5/],
      [() => progress({} as unknown as number[]), /progress\(x\): x must be a number of steps or an iterable/],
      [() => new ProgressBar(NaN), /ProgressBar: total must be a number ≥ 0, got NaN/],
      [() => new ProgressBar(3).update(NaN), /ProgressBar\.update: count must be a number ≥ 0, got NaN/],
    ];
    expectOneLineErrors(cases, DisplayArgumentError);
  });

  it('formatDuration handles minutes, hours and nonsense', () => {
    expect(formatDuration(0)).toBe('0:00');
    expect(formatDuration(61.4)).toBe('1:01');
    expect(formatDuration(3 * 3600 + 28 * 60 + 15)).toBe('3:28:15');
    expect(formatDuration(NaN)).toBe('?');
    expect(formatDuration(-1)).toBe('?');
  });
});
