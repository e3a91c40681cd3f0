/**
 * A problem in a solution file that stops the starter from being generated. `file` is relative to
 * the repository root; `line` is 1-based (for notebooks, within the cell named by `cell`).
 */
export class StarterError extends Error {
  readonly file: string;
  readonly line?: number;
  readonly cell?: number;

  constructor(message: string, where: { file: string; line?: number; cell?: number }) {
    const at = where.cell !== undefined ? ` cell ${where.cell}` : '';
    const ln = where.line !== undefined ? `${at ? ' line ' : ':'}${where.line}` : '';
    super(`${where.file}${at}${ln}: ${message}`);
    this.name = 'StarterError';
    this.file = where.file;
    this.line = where.line;
    this.cell = where.cell;
  }
}
