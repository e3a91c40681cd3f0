/**
 * `<student>/feedback.html`: one self-contained page a student can act on — the total and each
 * part's subtotal; what to fix first (root causes, each once, with file and line, before their
 * consequences); then every item by part: points, why points were lost (numbers, not formulas, at a
 * sensible precision), what was expected and found (long values collapsed; hidden items never show
 * their expected value), a diagnosis of a wrong gradient, and the student's own error text.
 * Inline questions are listed as graded by hand. The student's figures (loss curves, weights,
 * accuracy plots) are shown beside the reference's; each is an `<img>` of a data: URL (an SVG shown
 * that way runs no script), and the page's Content-Security-Policy allows no script at all.
 */
import type { CellFigure, FigureShown, ItemResult, Spec, StudentResult } from '../types';
import { rootCauses, type Cause } from './causes';
import { escapeHtml as esc, formatNumber } from '../../kernel/protocol';
import { tidyNumbers } from './text';

/** A value shown inline when short, collapsed behind its first characters when long. */
function value(label: string, text: string): string {
  const t = tidyNumbers(text);
  if (t.length <= 90) return `<div class="kv"><span class="k">${label}</span> <code>${esc(t)}</code></div>`;
  return `<details class="kv"><summary><span class="k">${label}</span> <code>${esc(t.slice(0, 60))}…</code></summary><pre>${esc(t)}</pre></details>`;
}

/** A reason of many clauses (one per key of a result) shows its first two; the rest is collapsed, never cut mid-sentence. */
function reason(text: string): string {
  const clauses = tidyNumbers(text).split('; ');
  if (clauses.length <= 2) return `<p class="why">${esc(clauses.join('; '))}</p>`;
  return `<p class="why">${esc(clauses.slice(0, 2).join('; '))}</p><details class="more"><summary>${clauses.length - 2} more</summary><ul>${clauses
    .slice(2)
    .map((c) => `<li>${esc(c)}</li>`)
    .join('')}</ul></details>`;
}

function points(i: ItemResult): string {
  const cls = i.pendingManual ? 'manual' : i.points >= i.maxPoints ? 'full' : i.points > 0 ? 'partial' : 'zero';
  return `<span class="pts ${cls}">${i.pendingManual ? `${formatNumber(i.maxPoints)} by hand` : `${formatNumber(i.points)}/${formatNumber(i.maxPoints)}`}</span>`;
}

function itemHtml(i: ItemResult, causeOf: Map<string, number>): string {
  const full = !i.pendingManual && i.points >= i.maxPoints;
  const cause = causeOf.get(i.id);
  const parts: string[] = [];
  if (!full && !i.pendingManual) {
    // Lost to an error listed under "what to fix first": point there instead of repeating it.
    const short = cause !== undefined && !i.diagnosis;
    if (short) parts.push(`<p class="why">Lost to <a href="#cause-${cause! + 1}">fix first #${cause! + 1}</a>.</p>`);
    else if (i.reason) parts.push(reason(i.reason));
    if (i.diagnosis) parts.push(`<p class="diag"><strong>Looks like:</strong> ${esc(i.diagnosis)}</p>`);
    if (i.note) parts.push(`<p class="note">${esc(i.note)}</p>`);
    if (short)
      return `<li class="item">${points(i)}<div class="body"><div class="title">${esc(i.title)} <span class="id">${esc(i.id)}</span></div>${parts.join('')}</div></li>`;
    if (i.kind === 'hidden')
      parts.push('<p class="muted">Hidden test: its inputs and expected values are not shown.</p>');
    else if (i.expected && !i.reason.startsWith('found ')) parts.push(value('expected', i.expected));
    // A scalar's reason already says what was found and expected.
    if (i.found && !i.reason.startsWith('found ')) parts.push(value('found', i.found));
    if (i.studentError && !short)
      parts.push(
        `<details class="err"><summary>${esc(i.studentError.where)}: ${esc(i.studentError.ename)}: ${esc(i.studentError.evalue)}</summary><pre>${esc(i.studentError.traceback.join('\n'))}</pre></details>`,
      );
  }
  return `<li class="item${full ? ' ok' : ''}">${points(i)}<div class="body"><div class="title">${esc(i.title)} <span class="id">${esc(i.id)}</span></div>${parts.join('')}</div></li>`;
}

/** One figure as an image: a data: URL (never SVG markup in the page), shown at its size or narrower. */
function figureImg(f: CellFigure, who: string): string {
  const alt = `${who}: ${f.title ?? 'figure'} (${f.notebook} cell ${f.cell})`;
  const size = f.width && f.height ? ` width="${f.width}" height="${f.height}"` : '';
  return `<img src="data:${f.mime === 'image/png' ? 'image/png' : 'image/svg+xml'};base64,${esc(f.data)}" alt="${esc(alt)}"${size}>`;
}

function figureHtml(f: FigureShown): string {
  const side = (who: string, fig: CellFigure | undefined, none: string) =>
    `<div><p class="label">${who}${fig ? ` · <code>${esc(fig.notebook)} cell ${fig.cell}</code>` : ''}</p>${fig ? figureImg(fig, who) : `<p class="muted">${none}</p>`}</div>`;
  return `<figure class="fig"><figcaption>${esc(f.caption)}</figcaption><div class="pair">${side('Yours', f.student, 'Your notebook showed no figure in this cell: see the errors above.')}${f.reference ? side('Reference', f.reference, '') : ''}</div></figure>`;
}

function figuresHtml(r: StudentResult): string {
  const figs = r.figures ?? [];
  const notes = r.figureNotes ?? [];
  if (!figs.length && !notes.length) return '';
  const both = figs.some((f) => f.student && f.reference);
  return `<section id="figures"><h2>Figures${both ? ' <span class="num">yours beside the reference\'s</span>' : ''}</h2>${figs.map(figureHtml).join('')}${notes.length ? `<ul class="plain muted">${notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>` : ''}</section>`;
}

function causeHtml(c: Cause, n: number): string {
  const later = c.consequences.length
    ? `<details><summary>${c.consequences.length} later error${c.consequences.length > 1 ? 's' : ''} that most likely follow from it</summary><ul>${c.consequences.map((x) => `<li><code>${esc(tidyNumbers(x))}</code></li>`).join('')}</ul></details>`
    : '';
  const tb = c.traceback?.length
    ? `<details><summary>traceback</summary><pre>${esc(c.traceback.join('\n'))}</pre></details>`
    : '';
  const cost = c.items.length
    ? `<p class="cost">Costs ${formatNumber(c.points)} point${c.points === 1 ? '' : 's'}: ${c.items.map((id) => `<code>${esc(id)}</code>`).join(', ')}</p>`
    : '';
  return `<li id="cause-${n + 1}"><p class="cause">${esc(tidyNumbers(c.title))}</p>${c.where ? `<p class="where">${esc(c.where)}</p>` : ''}${cost}${later}${tb}</li>`;
}

export function feedbackHtml(r: StudentResult, spec: Pick<Spec, 'title' | 'groups' | 'items'>): string {
  const causes = rootCauses(r);
  const causeOf = new Map<string, number>();
  causes.forEach((c, n) => c.items.forEach((id) => causeOf.set(id, n)));
  const auto = r.items.filter((i) => !i.pendingManual);
  const manual = r.items.filter((i) => i.pendingManual);
  const groups = spec.groups
    .map((g) => {
      const items = auto.filter((i) => i.group === g.id);
      const got = items.reduce((s, i) => s + i.points, 0),
        max = items.reduce((s, i) => s + i.maxPoints, 0);
      return { g, items, got: Math.round(got * 100) / 100, max };
    })
    .filter((x) => x.items.length);
  const bar = (got: number, max: number) =>
    `<span class="bar"><span style="width:${max ? Math.round((100 * got) / max) : 0}%"></span></span>`;
  const subtotals = groups
    .map(
      ({ g, got, max }) =>
        `<li><a href="#part-${esc(g.id)}">${esc(g.title)}</a>${bar(got, max)}<span class="num">${formatNumber(got)} / ${formatNumber(max)}</span></li>`,
    )
    .join('');
  const sections = groups
    .map(({ g, items, got, max }) => {
      const open = items.filter((i) => i.points < i.maxPoints),
        ok = items.filter((i) => i.points >= i.maxPoints);
      const okList = ok.length
        ? `<details class="oklist"><summary>${ok.length} item${ok.length > 1 ? 's' : ''} with full points</summary><ul class="items">${ok.map((i) => itemHtml(i, causeOf)).join('')}</ul></details>`
        : '';
      return `<section id="part-${esc(g.id)}"><h2>${esc(g.title)} <span class="num">${formatNumber(got)} / ${formatNumber(max)}</span></h2>${open.length ? `<ul class="items">${open.map((i) => itemHtml(i, causeOf)).join('')}</ul>` : '<p class="muted">Full points.</p>'}${okList}</section>`;
    })
    .join('\n');
  const nbOf = new Map(spec.items.map((i) => [i.id, i.notebook]));
  const manualHtml = manual.length
    ? `<section id="manual"><h2>Graded by hand <span class="num">${formatNumber(manual.reduce((s, i) => s + i.maxPoints, 0))} points, not in the total above</span></h2><ul class="plain">${manual.map((i) => `<li>${nbOf.get(i.id) ? `<code>${esc(nbOf.get(i.id)!)}</code> ` : ''}${esc(i.title)} <span class="muted">(${formatNumber(i.maxPoints)} point${i.maxPoints === 1 ? '' : 's'})</span></li>`).join('')}</ul></section>`
    : '';
  const notes = [
    ...r.notebooks.flatMap((n) => [...n.fixed.map((f) => `${n.path}: ${f}`), ...(n.restored ?? [])]),
    ...r.sandboxNotes,
  ];
  const fixFirst = causes.length
    ? `<section id="fix-first"><h2>What to fix first</h2><ol class="causes">${causes.map(causeHtml).join('')}</ol></section>`
    : auto.some((i) => i.points < i.maxPoints)
      ? '<section id="fix-first"><h2>What to fix first</h2><p>No error stopped your code; the items below computed values that differ from the reference. Start with the first one of each part: later values are often computed from earlier ones.</p></section>'
      : '';
  const cfg = r.configuration;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(spec.title)} — ${esc(r.student)}</title>
<style>
:root{--ok:#17663a;--part:#9a5b00;--bad:#b00020;--mute:#666;--line:#e2e2e2}
*{box-sizing:border-box}
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0 auto;max-width:58em;padding:1em;color:#1d1d1d}
h1{font-size:1.35em;margin:.2em 0}h2{font-size:1.1em;margin:1.6em 0 .5em;border-bottom:2px solid var(--line);padding-bottom:.2em}
h2 .num{float:right;font-weight:normal;color:var(--mute)}
header .total{font-size:2em;font-weight:700;margin:.1em 0}
.muted,.where,.id,.k{color:var(--mute)}.id{font-size:.8em;font-family:ui-monospace,monospace;margin-left:.3em}
.subtotals{list-style:none;padding:0;margin:.8em 0}
.subtotals li{display:grid;grid-template-columns:minmax(8em,16em) 1fr auto;gap:.6em;align-items:center;padding:.15em 0}
.bar{height:.6em;background:#eee;border-radius:.3em;overflow:hidden}.bar span{display:block;height:100%;background:#3a7bd5}
.num{font-variant-numeric:tabular-nums;white-space:nowrap}
.causes>li{margin:.2em 0 1em;padding:.6em .8em;border-left:4px solid var(--bad);background:#fff6f6}
.cause{font-weight:600;margin:0;overflow-wrap:anywhere}.where,.cost{margin:.2em 0;font-size:.92em}
.items{list-style:none;padding:0;margin:0}
.item{display:flex;gap:.8em;padding:.55em 0;border-bottom:1px solid var(--line)}
.item .body{flex:1;min-width:0}.item p{margin:.25em 0}
.pts{flex:0 0 5.2em;text-align:right;font-weight:700;font-variant-numeric:tabular-nums;white-space:nowrap}
.pts.full{color:var(--ok)}.pts.partial{color:var(--part)}.pts.zero{color:var(--bad)}.pts.manual{color:var(--mute);font-weight:normal;font-size:.85em}
.diag{background:#fff8e1;padding:.3em .5em;border-radius:.3em}
.note{background:#eef4ff;padding:.3em .5em;border-radius:.3em}
code{font:.88em ui-monospace,SFMono-Regular,Menlo,monospace;white-space:pre-wrap;overflow-wrap:anywhere}
.kv{margin:.2em 0}.kv code{white-space:nowrap}details.kv summary{white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
pre{white-space:pre-wrap;overflow-wrap:anywhere;background:#f6f6f6;padding:.5em;font-size:.82em;margin:.3em 0;max-height:20em;overflow:auto}
summary{cursor:pointer}.oklist{margin:.4em 0;color:var(--mute)}.oklist .item{color:#1d1d1d}
ul.plain{padding-left:1.2em}
.fig{margin:.8em 0;padding-bottom:.8em;border-bottom:1px solid var(--line)}.fig figcaption{font-weight:600;margin-bottom:.3em}
.pair{display:grid;grid-template-columns:repeat(auto-fit,minmax(16em,1fr));gap:1em;align-items:start}
.pair img{display:block;max-width:100%;height:auto;border:1px solid var(--line);background:#fff}
.label{margin:.1em 0 .3em;font-size:.9em;color:var(--mute)}
@media (max-width:40em){body{font-size:14px;padding:.6em}.subtotals li{grid-template-columns:1fr auto}.subtotals .bar{grid-column:1/3;grid-row:2}
.item{flex-direction:column;gap:0}.pts{text-align:left;flex:none}.kv code{white-space:pre-wrap;overflow-wrap:anywhere}h2 .num{float:none;display:block}}
</style></head><body>
<header>
<h1>${esc(spec.title)}</h1>
<p>${esc(r.student)}</p>
<p class="total">${formatNumber(r.total)} / ${formatNumber(r.maxTotal)}</p>
${r.invalid ? `<p class="cause">Invalid submission: ${esc(r.invalid)}</p>` : ''}
<ul class="subtotals">${subtotals}</ul>
<p class="muted">${cfg.quick ? 'Quick configuration (TS231N_QUICK=1)' : 'Full configuration'}${cfg.backend ? `, backend ${esc(cfg.backend)}` : ''}; cell timeout ${cfg.cellTimeoutS} s, notebook timeout ${cfg.notebookTimeoutS} s. Graded ${esc(r.gradedAt.replace('T', ' ').replace(/\.\d+Z$/, ' UTC'))}.</p>
</header>
${fixFirst}
${sections}
${figuresHtml(r)}
${manualHtml}
${notes.length ? `<section><h2>Notes</h2><ul class="plain">${notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul></section>` : ''}
</body></html>
`;
}
