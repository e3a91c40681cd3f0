/**
 * Test scaffolding shared by the display tests: a display sink that collects what cells show, and
 * the one-line-error assertion every helper's bad-input table uses.
 */
import { setDisplaySink, MimeBundle, DisplayOptions } from '../../kernel/runtime/output';

export type Shown = { bundle: MimeBundle; options: DisplayOptions };

/**
 * Installs a collecting display sink before each test (and removes it after). Returns the array
 * the outputs land in; it is emptied in place before each test, so hold on to it with `const`.
 */
export function captureDisplays(): Shown[] {
  const shown: Shown[] = [];
  beforeEach(() => {
    shown.length = 0;
    setDisplaySink({ display: (bundle, options = {}) => shown.push({ bundle, options }) });
  });
  afterEach(() => setDisplaySink(null));
  return shown;
}

/** Each case must throw an instance of `cls` whose message matches and fits on one line. */
export function expectOneLineErrors(cases: Array<[() => unknown, RegExp]>, cls: new (...a: never[]) => Error): void {
  for (const [f, message] of cases) {
    let err: unknown;
    try {
      f();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(cls);
    expect((err as Error).message).toMatch(message);
    expect((err as Error).message).not.toContain('\n');
  }
}
