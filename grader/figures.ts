/**
 * Figures: which displayed images the sandboxed child sends (from the spec), the grader's check of
 * each one (a submission controls every byte of a display bundle: only real PNG data and SVG text
 * pass, within a count and a byte cap per submission), and the pairs the feedback page shows — the
 * student's figure beside the reference's of the same cell.
 *
 * An SVG is never put into the page as markup: the page shows it as
 * `<img src="data:image/svg+xml;base64,…">`, where browsers run no script and load nothing
 * external, under a Content-Security-Policy that allows no script at all (report/html.ts).
 */
import type { CellFigure, FigureShown, Spec } from './types';
import type { ChildMessage, FigureRequest } from './sandbox/protocol';

export const FIGURE_LIMITS = { maxCount: 40, maxBytes: 8 * 1024 * 1024 };

/** What the child is asked to send for this spec: the cells `figures.show` names (else all), and the caps. */
export function figureRequest(spec: Pick<Spec, 'figures'>): FigureRequest {
  const f = spec.figures;
  const req: FigureRequest = {
    maxCount: f?.maxCount ?? FIGURE_LIMITS.maxCount,
    maxBytes: f?.maxBytes ?? FIGURE_LIMITS.maxBytes,
  };
  if (f?.show) {
    const cells: Record<string, string[]> = {};
    for (const s of f.show) (cells[s.notebook] ??= []).push(s.cell);
    req.cells = cells;
  }
  return req;
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** The title inside a figure's text form (`<Figure "SVM training loss" 480×300>`), or the text itself, on one line. */
function titleOf(text: unknown): string | undefined {
  if (typeof text !== 'string') return undefined;
  const m = /^<Figure "(.*)" [\d.]+×[\d.]+>$/s.exec(text.trim());
  const t = (m ? m[1] : text)
    .replace(/[\u0000-\u001f\u007f]+/g, ' ')
    .trim()
    .slice(0, 120);
  return t || undefined;
}

/** A display size in CSS pixels, when it is a sensible one. */
function size(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) && v >= 1 && v <= 4096 ? Math.round(v) : undefined;
}

type FigureMessage = Extract<ChildMessage, { t: 'figure' }>;

/** The figure as the page may show it, or why not. `bytes`: the decoded size (what the byte cap counts). */
export function checkFigure(
  m: FigureMessage,
  notebooks: readonly string[],
): { figure: CellFigure; bytes: number } | { problem: string } {
  if (typeof m.notebook !== 'string' || !notebooks.includes(m.notebook))
    return { problem: 'not from a graded notebook' };
  if (!Number.isInteger(m.cell) || m.cell < 1 || !Number.isInteger(m.index) || m.index < 0)
    return { problem: 'no cell position' };
  if (typeof m.data !== 'string') return { problem: 'no image data' };
  let bytes: Buffer;
  if (m.mime === 'image/png') {
    const b64 = m.data.replace(/\s+/g, '');
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64)) return { problem: 'image/png that is not base64' };
    bytes = Buffer.from(b64, 'base64');
    if (bytes.length < 24 || !bytes.subarray(0, 8).equals(PNG_SIGNATURE) || bytes.toString('latin1', 12, 16) !== 'IHDR')
      return { problem: 'image/png that is not a PNG' };
  } else if (m.mime === 'image/svg+xml') {
    if (!/<svg[\s>]/i.test(m.data)) return { problem: 'image/svg+xml without an <svg> element' };
    bytes = Buffer.from(m.data, 'utf8');
  } else return { problem: `an image of type ${String(m.mime).slice(0, 40)}` };
  const figure: CellFigure = {
    notebook: m.notebook,
    cell: m.cell,
    ...(typeof m.cellId === 'string' && m.cellId.length <= 200 ? { cellId: m.cellId } : {}),
    index: m.index,
    mime: m.mime,
    data: bytes.toString('base64'),
  };
  const title = titleOf(m.title);
  if (title) figure.title = title;
  const width = size(m.width),
    height = size(m.height);
  if (width && height) Object.assign(figure, { width, height });
  return { figure, bytes: bytes.length };
}

/**
 * The figures of one run (all its children): each checked, kept while the submission's caps allow,
 * and what was left out summed up in a note per kind.
 */
export class FigureCollector {
  readonly figures: CellFigure[] = [];
  private bytes = 0;
  private overCap = { count: 0, from: '' };
  private rejected = { count: 0, first: '' };
  private parts = { data: [] as string[], length: 0, overflow: false };

  constructor(
    private readonly request: FigureRequest,
    private readonly notebooks: readonly string[],
  ) {}

  /** A piece of the next figure's data (kept while it fits the byte cap as base64). */
  part(data: unknown): void {
    if (typeof data !== 'string' || this.parts.overflow) return;
    this.parts.length += data.length;
    if (this.parts.length > (this.request.maxBytes * 4) / 3 + 4) this.parts = { data: [], length: 0, overflow: true };
    else this.parts.data.push(data);
  }

  /** A new child: pieces of a figure the last one did not finish are dropped. */
  newChild(): void {
    this.parts = { data: [], length: 0, overflow: false };
  }

  add(m: FigureMessage): void {
    const where = `${String(m.notebook).slice(0, 100)} cell ${Number(m.cell)}`;
    const { data, overflow } = this.parts;
    this.newChild();
    if (overflow) return this.dropped(where, 1);
    if (data.length) m = { ...m, data: typeof m.data === 'string' ? data.join('') + m.data : m.data };
    const r = checkFigure(m, this.notebooks);
    if ('problem' in r) {
      if (!this.rejected.count++) this.rejected.first = `${where}: ${r.problem}`;
      return;
    }
    if (this.figures.length >= this.request.maxCount || this.bytes + r.bytes > this.request.maxBytes)
      return this.dropped(where, 1);
    this.bytes += r.bytes;
    this.figures.push(r.figure);
  }

  /** A cell cleared its output: its figures so far are gone (and no longer count against the caps). */
  clearCell(notebook: unknown, cell: unknown): void {
    for (let k = this.figures.length - 1; k >= 0; k--) {
      const f = this.figures[k];
      if (f.notebook !== notebook || f.cell !== cell) continue;
      this.bytes -= Buffer.from(f.data, 'base64').length;
      this.figures.splice(k, 1);
    }
  }

  /** The request for a (re)started child: the caps less what earlier children of the run used. */
  remaining(): FigureRequest {
    return {
      ...this.request,
      maxCount: Math.max(0, this.request.maxCount - this.figures.length),
      maxBytes: Math.max(0, this.request.maxBytes - this.bytes),
    };
  }

  /** Figures the child did not send (over its caps), or the grader did not keep. */
  dropped(where: string, count: number): void {
    if (!Number.isInteger(count) || count < 1) return;
    if (!this.overCap.count) this.overCap.from = String(where).slice(0, 120);
    this.overCap.count += count;
  }

  notes(): string[] {
    const out: string[] = [];
    const cap = `${this.request.maxCount} figures, ${Math.round((this.request.maxBytes / 1048576) * 10) / 10} MB`;
    if (this.overCap.count)
      out.push(
        `${this.overCap.count} figure${this.overCap.count > 1 ? 's' : ''} beyond the cap of ${cap} per submission not kept (from ${this.overCap.from} on)`,
      );
    if (this.rejected.count)
      out.push(
        `${this.rejected.count} displayed image${this.rejected.count > 1 ? 's' : ''} left out, not a PNG or SVG figure (first: ${this.rejected.first})`,
      );
    return out;
  }
}

/**
 * The figures the feedback shows. With `figures.show`: each named cell's figures in the spec's
 * order, the student's beside the reference's (unless `compare: false`), and the reference's alone
 * where the student's notebook ran but showed none there. Without: every figure the student's notebooks
 * showed, beside the reference's of the same cell where there is one.
 */
export function figuresShown(
  spec: Pick<Spec, 'figures'>,
  student: CellFigure[],
  reference: CellFigure[],
  /** The notebooks of the submission that ran: only there is a reference figure shown alone. */
  ran: ReadonlySet<string>,
): FigureShown[] {
  const caption = (f: CellFigure | undefined, given?: string) =>
    given ?? f?.title ?? (f ? `${f.notebook} cell ${f.cell}` : 'figure');
  const show = spec.figures?.show;
  if (show) {
    const out: FigureShown[] = [];
    for (const s of show) {
      const mine = student.filter((f) => f.notebook === s.notebook && f.cellId === s.cell);
      const ref =
        s.compare === false || !ran.has(s.notebook)
          ? []
          : reference.filter((f) => f.notebook === s.notebook && f.cellId === s.cell);
      for (let k = 0; k < Math.max(mine.length, ref.length); k++)
        out.push({
          caption: caption(mine[k] ?? ref[k], s.caption && k === 0 ? s.caption : undefined),
          ...(mine[k] ? { student: mine[k] } : {}),
          ...(ref[k] ? { reference: ref[k] } : {}),
        });
    }
    return out;
  }
  const used = new Set<CellFigure>();
  return student.map((f) => {
    // The reference's figure of the same cell (by cell id) at the same position, else one with the same title.
    const free = reference.filter((r) => !used.has(r) && r.notebook === f.notebook);
    const ref =
      free.find((r) => r.cellId !== undefined && r.cellId === f.cellId && r.index === f.index) ??
      free.find((r) => r.title !== undefined && r.title === f.title);
    if (ref) used.add(ref);
    return { caption: caption(f), student: f, ...(ref ? { reference: ref } : {}) };
  });
}
