/** Writes docs/report.schema.json from the zod schema in src/outputs/report-schema.ts. Run `npm run generate`. */
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { reportJsonSchema } from '../src/outputs/report-schema.js';

export const REPORT_SCHEMA_PATH = join(dirname(fileURLToPath(import.meta.url)), '..', 'docs', 'report.schema.json');

export function renderReportSchema(): string {
  return `${JSON.stringify(reportJsonSchema(), null, 2)}\n`;
}
