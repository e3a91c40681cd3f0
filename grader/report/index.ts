/** Reports, all written from the same result objects; every file is written atomically. */
import * as fs from 'fs';
import * as path from 'path';
import type { Spec, StudentResult } from '../types';
import { writeAtomic } from './atomic';
import { reportJson } from './json';
import { feedbackHtml } from './html';
import { gradebookCsv, canvasCsv, csvCell, type FailedStudent } from './csv';
import { junitXml } from './junit';
import { gradescopeResults, gradescopeJson, checkGradescopeResults } from './gradescope';
import { summarize, summaryText, type Summary } from './summary';

export {
  writeAtomic,
  reportJson,
  feedbackHtml,
  gradebookCsv,
  canvasCsv,
  csvCell,
  junitXml,
  gradescopeResults,
  gradescopeJson,
  checkGradescopeResults,
  summarize,
  summaryText,
};
export type { Summary, FailedStudent };

/** Extra report formats: Gradescope's results.json per student, Canvas's gradebook import (canvas.csv). */
export type ReportFormat = 'gradescope' | 'canvas';
export const REPORT_FORMATS: readonly ReportFormat[] = ['gradescope', 'canvas'];

/** A student's files; report.json goes last because its presence marks the student as graded. */
export function writeStudentReports(outDir: string, spec: Spec, r: StudentResult, formats: ReportFormat[]): void {
  const dir = path.join(outDir, r.student);
  writeAtomic(path.join(dir, 'feedback.html'), feedbackHtml(r, spec));
  if (formats.includes('gradescope')) writeAtomic(path.join(dir, 'results.json'), gradescopeJson(r, spec));
  writeAtomic(path.join(dir, 'report.json'), reportJson(r));
}

/** The batch's files, from every student's result. */
export function writeBatchReports(
  outDir: string,
  spec: Spec,
  results: StudentResult[],
  configuration: string,
  formats: ReportFormat[],
  failed: FailedStudent[] = [],
): Summary {
  writeAtomic(path.join(outDir, 'gradebook.csv'), gradebookCsv(spec, results, failed));
  if (formats.includes('canvas')) writeAtomic(path.join(outDir, 'canvas.csv'), canvasCsv(spec, results));
  writeAtomic(path.join(outDir, 'junit.xml'), junitXml(spec.assignment, results));
  const summary = summarize(spec.assignment, results, configuration);
  writeAtomic(path.join(outDir, 'summary.json'), JSON.stringify(summary, null, 2) + '\n');
  writeAtomic(path.join(outDir, 'summary.txt'), summaryText(summary));
  if (formats.includes('gradescope') && results.length === 1)
    writeAtomic(path.join(outDir, 'results.json'), gradescopeJson(results[0], spec));
  return summary;
}

/** A graded student's result, or null when there is none (or it cannot be read). */
export function readStudentResult(outDir: string, student: string): StudentResult | null {
  try {
    return JSON.parse(fs.readFileSync(path.join(outDir, student, 'report.json'), 'utf8')) as StudentResult;
  } catch {
    return null;
  }
}
