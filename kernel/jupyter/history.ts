/**
 * In-memory input history of this kernel process, answering history_request the way IPython's
 * HistoryManager does: `tail` (last n), `range` (lines start ≤ line < stop of a session) and
 * `search` (glob over the whole input, optionally unique, last n). Entries are
 * [session, line, input] or, with output, [session, line, [input, output | null]].
 */
export type HistoryItem = [number, number, string] | [number, number, [string, string | null]];

export interface HistoryQuery {
  hist_access_type?: unknown;
  output?: unknown;
  n?: unknown;
  session?: unknown;
  start?: unknown;
  stop?: unknown;
  pattern?: unknown;
  unique?: unknown;
}

interface Entry {
  line: number;
  input: string;
  output: string | null;
}

/** fnmatch/SQLite GLOB: `*` any run, `?` one character, `[...]` a class; matches the whole input. */
export function globToRegExp(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*') re += '[\\s\\S]*';
    else if (c === '?') re += '[\\s\\S]';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end < 0) re += '\\[';
      else {
        let body = pattern.slice(i + 1, end);
        if (body.startsWith('!') || body.startsWith('^')) body = '^' + body.slice(1);
        re += '[' + body.replace(/\\/g, '\\\\') + ']';
        i = end;
      }
    } else re += c.replace(/[.+^${}()|\\\]]/g, '\\$&');
  }
  return new RegExp('^' + re + '$');
}

const int = (v: unknown): number | undefined =>
  typeof v === 'number' && Number.isFinite(v) ? Math.trunc(v) : undefined;

export class History {
  private readonly entries: Entry[] = [];

  /** `session` is this process's session number (IPython numbers sessions from 1). */
  constructor(readonly session = 1) {}

  add(line: number, input: string): void {
    this.entries.push({ line, input, output: null });
  }

  /** The text/plain of the cell's execute_result, kept for `output: true` queries. */
  setOutput(line: number, output: string): void {
    const e = this.entries.find((x) => x.line === line);
    if (e) e.output = output;
  }

  get length(): number {
    return this.entries.length;
  }

  query(q: HistoryQuery): HistoryItem[] {
    const withOutput = q.output === true;
    let picked: Entry[];
    switch (q.hist_access_type) {
      case 'tail': {
        const n = int(q.n) ?? 10;
        picked = n <= 0 ? [] : this.entries.slice(-n);
        break;
      }
      case 'range': {
        // Session 0 (or this session's own number) is the current one; negative is relative to
        // it; earlier sessions were in other processes and are not kept.
        const s = int(q.session) ?? 0;
        if (s !== 0 && s !== this.session) {
          picked = [];
          break;
        }
        const start = int(q.start) ?? 1;
        const stop = int(q.stop);
        picked = this.entries.filter((e) => e.line >= start && (stop === undefined || e.line < stop));
        break;
      }
      case 'search': {
        const pattern = typeof q.pattern === 'string' ? q.pattern : '*';
        const re = globToRegExp(pattern);
        picked = this.entries.filter((e) => re.test(e.input));
        if (q.unique === true) {
          const seen = new Set<string>();
          picked = picked
            .reverse()
            .filter((e) => (seen.has(e.input) ? false : (seen.add(e.input), true)))
            .reverse();
        }
        const n = int(q.n);
        if (n !== undefined && n > 0) picked = picked.slice(-n);
        break;
      }
      default:
        picked = [];
    }
    return picked.map((e): HistoryItem =>
      withOutput ? [this.session, e.line, [e.input, e.output]] : [this.session, e.line, e.input],
    );
  }
}
