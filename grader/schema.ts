/** The JSON schemas the grader ships (grader/schemas/), compiled once with ajv. */
import * as fs from 'fs';
import * as path from 'path';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

const SCHEMA_DIR = path.join(__dirname, 'schemas');
const compiled = new Map<string, ValidateFunction>();

export function schemaPath(name: string): string {
  return path.join(SCHEMA_DIR, name);
}

/** Compile a shipped schema. nbformat's schema is draft-04; its keywords are a subset ajv's default draft understands. */
export function validator(name: string): ValidateFunction {
  let v = compiled.get(name);
  if (!v) {
    const schema = JSON.parse(fs.readFileSync(schemaPath(name), 'utf8'));
    delete schema.$schema;
    delete schema.$id;
    const ajv = new Ajv({ strict: false, allErrors: false });
    addFormats(ajv);
    v = ajv.compile(schema);
    compiled.set(name, v);
  }
  return v;
}

/** One line from ajv's first error: "<json path> <message>". */
export function firstError(errors: ErrorObject[] | null | undefined): string {
  const e = errors?.[0];
  if (!e) return 'does not match the schema';
  const where = e.instancePath || '(top level)';
  const extra =
    e.keyword === 'additionalProperties'
      ? ` ('${(e.params as { additionalProperty: string }).additionalProperty}')`
      : e.keyword === 'enum'
        ? ` (${JSON.stringify((e.params as { allowedValues: unknown[] }).allowedValues)})`
        : '';
  return `${where} ${e.message}${extra}`;
}
