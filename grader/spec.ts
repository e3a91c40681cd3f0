/** The grading spec: `<specDir>/spec.json`, validated by ajv against grader/schemas/spec.schema.json. */
import * as fs from 'fs';
import * as path from 'path';
import type { Spec } from './types';
import { SpecError } from './errors';
import { validator, firstError } from './schema';

export function loadSpec(specDir: string): Spec {
  const file = path.join(specDir, 'spec.json');
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new SpecError(`cannot read the grading spec ${file}: ${(e as Error).message.split('\n')[0]}`);
  }
  const validate = validator('spec.schema.json');
  if (!validate(raw)) throw new SpecError(`grading spec ${file} is invalid: ${firstError(validate.errors)}`);
  const spec = raw as Spec;
  checkConsistency(spec, file);
  return spec;
}

/**
 * What the schema cannot say: ids unique, groups known, points adding up, record items naming a known
 * notebook, dependencies and leaderboard entries naming items of the spec, figures naming its notebooks.
 */
export function checkConsistency(spec: Spec, file: string): void {
  const ids = new Set<string>();
  const groups = new Map(spec.groups.map((g) => [g.id, 0]));
  for (const item of spec.items) {
    if (ids.has(item.id)) throw new SpecError(`grading spec ${file}: item id ${item.id} appears twice`);
    ids.add(item.id);
    if (!groups.has(item.group))
      throw new SpecError(`grading spec ${file}: item ${item.id} names unknown group ${item.group}`);
    groups.set(item.group, groups.get(item.group)! + item.points);
    if (item.kind === 'record' && (!item.notebook || !spec.notebooks.includes(item.notebook)))
      throw new SpecError(`grading spec ${file}: record item ${item.id} must name one of the spec's notebooks`);
  }
  for (const g of spec.groups) {
    const sum = groups.get(g.id)!;
    if (Math.abs(sum - g.points) > 1e-9)
      throw new SpecError(
        `grading spec ${file}: items of group ${g.id} add up to ${sum} points, the group has ${g.points}`,
      );
  }
  for (const item of spec.items)
    for (const d of item.dependsOn ?? [])
      if (!ids.has(d) || d === item.id)
        throw new SpecError(
          `grading spec ${file}: item ${item.id} depends on ${d}, which is not another item of the spec`,
        );
  for (const l of spec.gradescope?.leaderboard ?? []) {
    const item = spec.items.find((i) => i.id === l.id);
    if (!item || item.kind !== 'record')
      throw new SpecError(
        `grading spec ${file}: leaderboard entry "${l.name}" names ${l.id}, which is not a record item of the spec`,
      );
  }
  for (const f of spec.figures?.show ?? [])
    if (!spec.notebooks.includes(f.notebook))
      throw new SpecError(
        `grading spec ${file}: figures.show names cell ${f.cell} of ${f.notebook}, which is not one of the spec's notebooks`,
      );
  for (const h of spec.hiddenTests)
    if (!fs.existsSync(path.join(path.dirname(file), h)))
      throw new SpecError(`grading spec ${file}: hidden test file ${h} does not exist`);
}

export function maxPoints(spec: Spec): number {
  return spec.items.filter((i) => i.kind !== 'manual').reduce((a, i) => a + i.points, 0);
}
