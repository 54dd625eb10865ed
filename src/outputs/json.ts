/**
 * The report as JSON (schema: docs/report.schema.json, generated from ./report-schema.ts), compact and laid out for
 * people and line tools: one top-level field per line, and each element of the lists (`checks`, `objects`,
 * `findings`, `waived`, `waivers`, `errors`) on a line of its own, so `grep`, `head` or `wc -l` work on it.
 *
 * Byte-stable because the producer is: keys are written in the order the report was built (src/scan/build-report.ts
 * builds them in schema order) and lists in the order the producer sorted them. Nothing is copied or reordered here:
 * a report of 100,000 findings is written in one pass.
 */
import type { Report } from '../core/model/report.js';

/** Top-level fields whose elements are written one per line. */
const LISTS: ReadonlySet<string> = new Set(['checks', 'objects', 'findings', 'waived', 'waivers', 'errors']);

export function renderJson(report: Report): string {
  const fields: string[] = [];
  for (const [key, value] of Object.entries(report)) {
    const name = JSON.stringify(key);
    if (LISTS.has(key) && Array.isArray(value) && value.length > 0) {
      fields.push(`${name}: [\n${value.map((element) => JSON.stringify(element) ?? 'null').join(',\n')}\n]`);
      continue;
    }
    const json = JSON.stringify(value) as string | undefined; // undefined for what JSON leaves out (undefined values)
    if (json !== undefined) fields.push(`${name}: ${json}`);
  }
  return `{\n${fields.join(',\n')}\n}\n`;
}
