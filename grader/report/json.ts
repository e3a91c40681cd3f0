/** `<student>/report.json`: the result object itself, validated against grader/schemas/report.schema.json. */
import type { StudentResult } from '../types';
import { validator, firstError } from '../schema';
import { GraderError } from '../errors';

export function reportJson(r: StudentResult): string {
  const validate = validator('report.schema.json');
  const plain = JSON.parse(JSON.stringify(r));
  if (!validate(plain))
    throw new GraderError(
      `internal error: the report of ${r.student} does not match report.schema.json: ${firstError(validate.errors)}`,
      'REPORT',
    );
  return JSON.stringify(plain, null, 2) + '\n';
}
