/**
 * Validate: every notebook the spec names, against the official nbformat v4.5 JSON schema
 * (grader/schemas/nbformat.v4.5.schema.json, copied from nbformat). Safe fixes are applied and
 * listed: missing cell ids are added (older nbformat minors); outputs are cleared, since the
 * grader runs the notebook afresh anyway.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as crypto from 'crypto';
import type { NotebookCheck } from './types';
import { validator, firstError } from './schema';

export interface NotebookV4 {
  nbformat: number;
  nbformat_minor: number;
  metadata: Record<string, unknown>;
  cells: Array<{
    id?: string;
    cell_type: string;
    source: string | string[];
    metadata: Record<string, unknown>;
    outputs?: unknown[];
    execution_count?: number | null;
  }>;
}

/** Check one notebook file; on success it is rewritten with the safe fixes applied. */
export function validateNotebook(root: string, rel: string): NotebookCheck {
  const file = path.join(root, rel);
  const fixed: string[] = [];
  let nb: NotebookV4;
  try {
    nb = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    return { path: rel, ok: false, error: `not valid JSON: ${(e as Error).message.split('\n')[0]}`, fixed };
  }
  if (!nb || typeof nb !== 'object' || nb.nbformat !== 4)
    return {
      path: rel,
      ok: false,
      error: `not an nbformat 4 notebook (nbformat = ${JSON.stringify((nb as { nbformat?: unknown })?.nbformat)})`,
      fixed,
    };
  if (Array.isArray(nb.cells)) {
    const seen = new Set<string>();
    let added = 0;
    nb.cells.forEach((c, i) => {
      if (c && typeof c === 'object' && (typeof c.id !== 'string' || seen.has(c.id))) {
        c.id = crypto.createHash('sha1').update(`${rel}:${i}`).digest('hex').slice(0, 8);
        added++;
      }
      if (c && typeof c.id === 'string') seen.add(c.id);
    });
    if (added) fixed.push(`added ${added} missing or duplicate cell id${added > 1 ? 's' : ''}`);
    if (nb.nbformat_minor < 5) {
      fixed.push(`upgraded nbformat 4.${nb.nbformat_minor} to 4.5`);
      nb.nbformat_minor = 5;
    }
  }
  const validate = validator('nbformat.v4.5.schema.json');
  if (!validate(nb))
    return { path: rel, ok: false, error: `fails the nbformat v4.5 schema: ${firstError(validate.errors)}`, fixed };
  if (fixed.length) fs.writeFileSync(file, JSON.stringify(nb, null, 1));
  return { path: rel, ok: true, fixed };
}

/** Validate each notebook the spec names that the submission has. */
export function validateSubmission(root: string, notebooks: string[]): NotebookCheck[] {
  return notebooks.filter((n) => fs.existsSync(path.join(root, n))).map((n) => validateNotebook(root, n));
}
