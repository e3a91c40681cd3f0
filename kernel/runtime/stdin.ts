/**
 * Reading from the user in a cell: `await input('name? ')`, `await password('token: ')` (Python's
 * `input()` and `getpass()`), through Jupyter's `input_request` on the stdin channel.
 *
 * Only a front end that allows stdin can answer (a notebook or console sends `allow_stdin: true`);
 * nbconvert, the grader and scripts cannot, and the call fails with StdinUnavailableError.
 */
import { getDisplaySink } from './output';

/** The cell asked for input where nobody can answer (nbconvert, the grader, a plain script). */
export class StdinUnavailableError extends Error {
  constructor(fn: 'input' | 'password') {
    super(
      `${fn}() needs a front end that allows stdin (a notebook or console); this run has none (nbconvert, the grader, a script): put the value in the cell instead`,
    );
    this.name = 'StdinUnavailableError';
  }
}

function ask(fn: 'input' | 'password', prompt: unknown): Promise<string> {
  if (typeof prompt !== 'string')
    return Promise.reject(new TypeError(`${fn}: prompt must be a string, got ${typeof prompt}`));
  const sink = getDisplaySink();
  if (!sink?.input) return Promise.reject(new StdinUnavailableError(fn));
  return sink.input({ prompt, password: fn === 'password' });
}

/** Shows `prompt` and resolves to the line the user typed (without its newline). */
export function input(prompt = ''): Promise<string> {
  return ask('input', prompt);
}

/** Like `input`, but the front end hides what is typed. */
export function password(prompt = ''): Promise<string> {
  return ask('password', prompt);
}
