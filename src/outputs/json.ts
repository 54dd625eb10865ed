/**
 * The report as JSON (schema: docs/report.schema.json, generated from ./report-schema.ts). Byte-stable: 2-space
 * indent, keys in the order the schema declares them, lists in the order the producer sorted them.
 */
import type { Report } from '../core/model/report.js';
import { orderLike, reportSchema } from './report-schema.js';

export function renderJson(report: Report): string {
  return `${JSON.stringify(orderLike(reportSchema, report), null, 2)}\n`;
}
