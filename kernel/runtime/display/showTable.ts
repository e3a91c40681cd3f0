/** A table of rows (e.g. hyper-parameters and accuracies) as HTML plus an aligned text table. */
import { emit, MimeBundle } from '../output';
import { describeValue, isTensor } from '../record';
import { CELL_STYLE, escapeHtml, formatNumber, HEAD_STYLE, padAll, TABLE_STYLE } from './html';
import { DisplayArgumentError } from './data';

export type TableInput = Record<string, unknown>[] | { columns: string[]; rows: unknown[][] };

export interface TableOptions {
  title?: string;
  /** Rows shown before the middle is elided (default 60). */
  maxRows?: number;
}

function cellText(v: unknown): string {
  if (typeof v === 'number') return formatNumber(v);
  if (typeof v === 'string') return v;
  if (v === undefined || v === null) return '';
  if (isTensor(v)) return describeValue(v);
  if (typeof v === 'object') return describeValue(v);
  return String(v);
}

function normalise(input: TableInput): { columns: string[]; rows: unknown[][] } {
  if (Array.isArray(input)) {
    const columns: string[] = [];
    const seen = new Set<string>();
    input.forEach((row, i) => {
      if (typeof row !== 'object' || row === null)
        throw new DisplayArgumentError(`showTable: row ${i} must be an object of column → value`);
      for (const k of Object.keys(row)) if (!seen.has(k)) (seen.add(k), columns.push(k));
    });
    return { columns, rows: input.map((row) => columns.map((c) => row[c])) };
  }
  if (!input || !Array.isArray(input.columns) || !Array.isArray(input.rows)) {
    throw new DisplayArgumentError(
      'showTable: pass an array of row objects or { columns: string[], rows: unknown[][] }',
    );
  }
  input.rows.forEach((r, i) => {
    if (!Array.isArray(r))
      throw new DisplayArgumentError(`showTable: rows[${i}] must be an array with one value per column`);
    if (r.length !== input.columns.length)
      throw new DisplayArgumentError(
        `showTable: rows[${i}] has ${r.length} values for ${input.columns.length} columns; pass one value per column`,
      );
  });
  return input;
}

/** The table's MIME bundle: `text/html` and an aligned `text/plain`. */
export function tableToBundle(input: TableInput, options: TableOptions = {}): MimeBundle {
  const { columns, rows } = normalise(input);
  const max = Math.max(2, options.maxRows ?? 60);
  const elided = rows.length > max;
  const head = Math.ceil(max / 2);
  const shown: Array<unknown[] | null> = elided
    ? [...rows.slice(0, head), null, ...rows.slice(rows.length - (max - head))]
    : rows;
  const texts = shown.map((r) => (r === null ? null : columns.map((_, j) => cellText(r[j]))));
  const numeric = columns.map((_, j) => rows.every((r) => typeof r[j] === 'number' || r[j] == null));

  const widthCols = columns.map((c, j) =>
    padAll([c, ...texts.filter((t): t is string[] => t !== null).map((t) => t[j])], numeric[j] ? 'right' : 'left'),
  );
  const lines = [widthCols.map((col) => col[0]).join('  ')];
  lines.push(widthCols.map((col) => '-'.repeat([...col[0]].length)).join('  '));
  let k = 1;
  for (const t of texts) {
    if (t === null) lines.push(`… ${rows.length - max} more rows …`);
    else
      (lines.push(
        widthCols
          .map((col) => col[k])
          .join('  ')
          .trimEnd(),
      ),
        k++);
  }
  const title = options.title ? `${options.title}\n` : '';

  const th = columns.map((c) => `<th style="${HEAD_STYLE}">${escapeHtml(c)}</th>`).join('');
  const trs = texts.map((t) =>
    t === null
      ? `<tr><td style="${CELL_STYLE};text-align:center;color:#888" colspan="${columns.length}">… ${rows.length - max} more rows …</td></tr>`
      : `<tr>${t.map((s, j) => `<td style="${CELL_STYLE}${numeric[j] ? '' : ';text-align:left'}">${escapeHtml(s)}</td>`).join('')}</tr>`,
  );
  const caption = options.title
    ? `<caption style="text-align:left;font-weight:bold">${escapeHtml(options.title)}</caption>`
    : '';
  return {
    'text/html': `<table style="${TABLE_STYLE}">${caption}<tr>${th}</tr>${trs.join('')}</table>`,
    'text/plain': title + lines.join('\n'),
  };
}

/** Displays rows as a table. */
export function showTable(input: TableInput, options: TableOptions = {}): void {
  emit(tableToBundle(input, options));
}
