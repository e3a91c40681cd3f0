/**
 * The Solver's live plot (`livePlot: true`): at every accuracy check it clears the cell's output
 * with `clearOutput({ wait: true })` and draws the loss and accuracy curves again, so one plot
 * redraws in place instead of figures stacking up; off by default, where it clears nothing.
 */
import { ready, seed, randn, randint, setDisplaySink, type DisplayOptions, type MimeBundle } from '../../../kernel/runtime';
import { FullyConnectedNet } from '../../../solutions/assignment2/cs231n/classifiers/fcNet';
import { Solver, SolverData, SolverOptions } from '../../../solutions/assignment2/cs231n/solver';

type Event = { clear: boolean } | { display: MimeBundle; options?: DisplayOptions };

beforeAll(async () => {
  await ready();
});

function smallData(): SolverData {
  seed(1);
  return { XTrain: randn([40, 10]), yTrain: randint(0, 4, [40]), XVal: randn([20, 10]), yVal: randint(0, 4, [20]) };
}

/** Trains 3 epochs of 2 iterations with the given options; returns what reached the display sink and stdout. */
function train(options: SolverOptions): { events: Event[]; logged: string[]; solver: Solver } {
  const events: Event[] = [];
  const logged: string[] = [];
  const log = jest.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void logged.push(a.join(' ')));
  setDisplaySink({
    display: (display, opts) => void events.push({ display, options: opts }),
    clearOutput: (wait) => void events.push({ clear: wait }),
  });
  seed(0);
  const model = new FullyConnectedNet([8], { inputDim: 10, numClasses: 4 });
  const solver = new Solver(model, smallData(), { numEpochs: 3, batchSize: 20, verbose: false, seed: 2, ...options });
  try {
    solver.train();
  } finally {
    setDisplaySink(null);
    log.mockRestore();
  }
  solver.dispose();
  model.dispose();
  return { events, logged, solver };
}

const kinds = (events: Event[]) =>
  events.map((e) => ('clear' in e ? `clear(wait=${e.clear})` : Object.keys(e.display).sort().join('+')));

it('livePlot: each accuracy check clears (wait) and redraws the loss and the accuracy curves', () => {
  const { events, logged, solver } = train({ livePlot: true });
  const checks = solver.trainAccHistory.length;
  expect(checks).toBe(4); // the first iteration and the end of each of 3 epochs
  expect(kinds(events)).toEqual(Array(checks).fill(['clear(wait=true)', 'image/svg+xml+text/plain', 'image/svg+xml+text/plain']).flat());
  const titles = events.filter((e) => 'display' in e).map((e) => String((e as { display: MimeBundle }).display['text/plain']));
  expect(titles.slice(-2)).toEqual([expect.stringContaining('Training loss'), expect.stringContaining('Classification accuracy')]);
  // The epoch line is printed again under each redraw (verbose is off).
  expect(logged).toHaveLength(checks);
  expect(logged[checks - 1]).toMatch(/^\(Epoch 3 \/ 3\) train acc: [\d.]+; val_acc: [\d.]+$/);
});

it('off by default: no clear_output, and the progress bar as before', () => {
  const { events } = train({});
  expect(events.some((e) => 'clear' in e)).toBe(false);
  expect(events.length).toBeGreaterThan(0);
  expect(events.every((e) => 'display' in e && e.options?.displayId)).toBe(true);
});

it('livePlot with progress: true is a one-line error (the redraw would erase the bar)', () => {
  const model = new FullyConnectedNet([8], { inputDim: 10, numClasses: 4 });
  expect(() => new Solver(model, smallData(), { livePlot: true, progress: true })).toThrow(
    'Solver: livePlot redraws the cell output, which would erase the progress bar: pass progress: false or livePlot: false',
  );
  model.dispose();
});
