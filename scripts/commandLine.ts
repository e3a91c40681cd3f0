/**
 * Command-line parsing for the kit's commands: Node's `util.parseArgs` (strict: an unknown flag, a
 * missing value or an unexpected argument is an error), with its errors turned into one short line
 * that names the problem, such as `unknown option --bogus` or `--out needs a value`. Each command
 * prints that line with its own name and usage and exits 2.
 */
import { parseArgs } from 'util';

/** The `options` of util.parseArgs: flag name → { type, short?, multiple?, default? }. */
export type CommandLineOptions = NonNullable<NonNullable<Parameters<typeof parseArgs>[0]>['options']>;

export class CommandLineError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CommandLineError';
  }
}

/** Node's parseArgs message (several sentences, sometimes several lines) → one short line. */
export function shortParseArgsMessage(e: Error & { code?: string }): string {
  const first = e.message.split('\n')[0];
  const option = /Option '(?:-\w, )?(--?[\w-]+)/.exec(first)?.[1];
  switch (e.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option ${/Unknown option '([^']+)'/.exec(first)?.[1] ?? first}`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      if (/does not take an argument/.test(first)) return `${option ?? 'an option'} takes no value`;
      if (/is ambiguous/.test(first))
        return `${option} needs a value; write a value that starts with "-" as ${option}=-…`;
      return `${option ?? 'an option'} needs a value`;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument ${/Unexpected argument '([^']+)'/.exec(first)?.[1] ?? first}`;
    default:
      return first;
  }
}

/**
 * Parses `args` (without `node` and the script) against `options`. Throws CommandLineError with a
 * one-line message for anything the options do not allow. Options given more than once keep the
 * last value unless declared `multiple: true`.
 */
export function parseCommandLine<T extends CommandLineOptions>(args: string[], options: T, allowPositionals = false) {
  try {
    return parseArgs({ args, options, allowPositionals, strict: true });
  } catch (e) {
    const err = e as Error & { code?: string };
    if (typeof err.code === 'string' && err.code.startsWith('ERR_PARSE_ARGS'))
      throw new CommandLineError(shortParseArgsMessage(err));
    throw e;
  }
}
