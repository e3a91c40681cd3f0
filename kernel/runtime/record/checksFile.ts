/**
 * Loading `checks.json`, the public expectations `check(id)` compares with (contract 7 in
 * docs/architecture.md). The format is the JSON schema beside this file, checked with ajv.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { ErrorObject, ValidateFunction } from 'ajv';

export type Expectation =
  | { close: number | number[] | number[][]; atol?: number; rtol?: number }
  | { range: [number | null, number | null] }
  | { equals: unknown };

export interface CheckSpec {
  description: string;
  expect: Expectation;
}

/** A checks.json that cannot be read or has a malformed entry. */
export class ChecksFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ChecksFileError';
  }
}

export const CHECKS_SCHEMA_FILE = path.join(__dirname, 'checks.schema.json');

type Schema = { description?: string } & Record<string, unknown>;
let compiled: { schema: Schema; validate: ValidateFunction } | undefined;

/** The schema, compiled once (ajv is loaded on first use: most cells never check). */
function checksValidator(): { schema: Schema; validate: ValidateFunction } {
  if (!compiled) {
    const schema = JSON.parse(fs.readFileSync(CHECKS_SCHEMA_FILE, 'utf8')) as Schema;
    const Ajv = (require('ajv') as typeof import('ajv')).default;
    const ajv = new Ajv({ strict: false, allErrors: false });
    const { $schema: _, ...rest } = schema;
    compiled = { schema, validate: ajv.compile(rest) };
  }
  return compiled;
}

function unescapePointer(s: string): string {
  return s.replace(/~1/g, '/').replace(/~0/g, '~');
}

/**
 * One line for ajv's outermost error: the check id and the requirement the schema states (the
 * `description` of the deepest schema node on the error's path), e.g.
 * `check 'svm.x' expect.range must be [min, max] (null for an open end)`.
 */
export function checksProblem(schema: Schema, errors: ErrorObject[] | null | undefined): string {
  // With allErrors off, an anyOf's own error comes after those of its branches: the last is the outermost.
  const e = errors?.[errors.length - 1];
  if (!e) return 'does not match the checks.json format';
  let node: unknown = schema;
  let said: string | undefined;
  const steps = e.schemaPath.replace(/^#\/?/, '').split('/').filter(Boolean).map(unescapePointer);
  for (const step of steps.slice(0, -1)) {
    node = (node as Record<string, unknown> | undefined)?.[step];
    const d = (node as Schema | undefined)?.description;
    if (typeof d === 'string') said = d;
  }
  const [id] = e.instancePath.split('/').filter(Boolean).map(unescapePointer);
  if (id === undefined) return said ?? schema.description ?? `${e.message}`;
  const extra =
    e.keyword === 'additionalProperties'
      ? ` (unknown key '${(e.params as { additionalProperty: string }).additionalProperty}')`
      : '';
  const where = e.instancePath.split('/').slice(2).map(unescapePointer).join('.');
  return `check '${id}' ${said ?? `${where} ${e.message}`}${extra}`;
}

const checksCache = new Map<string, { mtimeMs: number; size: number; checks: Record<string, CheckSpec> }>();

/**
 * Reads and validates `checks.json` in `dir` (cached by mtime and size). Throws
 * `ChecksFileError` with a one-line message when it is missing or malformed.
 */
export function loadChecks(dir: string = process.cwd()): Record<string, CheckSpec> {
  const file = path.join(dir, 'checks.json');
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch {
    throw new ChecksFileError(
      `no checks.json in ${dir}; run the notebook from its own folder (checks.json ships beside it)`,
    );
  }
  const cached = checksCache.get(file);
  if (cached && cached.mtimeMs === st.mtimeMs && cached.size === st.size) return cached.checks;
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new ChecksFileError(`${file} is not valid JSON (${(e as Error).message}); restore it from the starter`);
  }
  const { schema, validate } = checksValidator();
  if (!validate(raw)) {
    const problem = checksProblem(schema, validate.errors);
    throw new ChecksFileError(`${file}${problem.startsWith('check ') ? ': ' : ' '}${problem}`);
  }
  const checks = raw as Record<string, CheckSpec>;
  checksCache.set(file, { mtimeMs: st.mtimeMs, size: st.size, checks });
  return checks;
}
