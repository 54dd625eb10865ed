/** Output formats: each a pure function from the report to text. */
import type { Check } from '../core/model/check.js';
import type { Report } from '../core/model/report.js';
import { jsonChunks, renderJson } from './json.js';
import { renderJunit } from './junit.js';
import { renderSarif } from './sarif.js';
import { renderTable } from './table.js';

export const OUTPUT_FORMATS = ['table', 'json', 'sarif', 'junit'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export interface RenderOptions {
  /** ANSI colours (table only): pass true only for a terminal that wants them. */
  color: boolean;
  /**
   * The checks that ran (with their configured severities). JUnit emits a passing test case for every object each
   * of them targets (from their declared targets), so checks that did not run must not be listed. Titles,
   * remediations, categories and controls come from `report.checks`.
   */
  checks: readonly Check[];
}

export function renderReport(report: Report, format: OutputFormat, options: RenderOptions): string {
  switch (format) {
    case 'table':
      return renderTable(report, { color: options.color });
    case 'json':
      return renderJson(report);
    case 'sarif':
      return renderSarif(report);
    case 'junit':
      return renderJunit(report, { checks: options.checks });
  }
}

export function isOutputFormat(value: string): value is OutputFormat {
  return (OUTPUT_FORMATS as readonly string[]).includes(value);
}

/**
 * The report's text in chunks, in order: JSON is produced piece by piece (a large report is never one string);
 * the other formats are one chunk. Concatenated, the chunks are renderReport's text.
 */
export function* reportChunks(report: Report, format: OutputFormat, options: RenderOptions): Generator<string> {
  if (format === 'json') yield* jsonChunks(report);
  else yield renderReport(report, format, options);
}

/** Writes the report chunk by chunk with `write` (e.g. a synchronous write to a file descriptor). */
export function writeReport(report: Report, format: OutputFormat, options: RenderOptions, write: (chunk: string) => void): void {
  for (const chunk of reportChunks(report, format, options)) write(chunk);
}
