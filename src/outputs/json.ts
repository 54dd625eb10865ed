/**
 * The report as JSON (schema: docs/report.schema.json, generated from ./report-schema.ts), compact and laid out for
 * people and line tools: one top-level field per line, and each element of the lists (`checks`, `objects`,
 * `findings`, `waived`, `waivers`, `errors`) on a line of its own, so `grep`, `head` or `wc -l` work on it.
 *
 * Byte-stable because the producer is: keys are written in the order the report was built (src/scan/build-report.ts
 * builds them in schema order) and lists in the order the producer sorted them. Nothing is copied or reordered here:
 * a report of 100,000 findings is written in one pass, chunk by chunk (jsonChunks).
 */
import type { Report } from '../core/model/report.js';
import { renderedFindingsOf } from '../core/model/rendered-findings.js';

/** Top-level fields whose elements are written one per line. */
const LISTS: ReadonlySet<string> = new Set(['checks', 'objects', 'findings', 'waived', 'waivers', 'errors']);


export function renderJson(report: Report): string {
  let text = '';
  for (const chunk of jsonChunks(report)) text += chunk;
  return text;
}

/**
 * The same text as renderJson, piece by piece (the header, each listed element, each range of rendered findings), so
 * that a report of 100,000 findings is written without holding its whole text (70 MB for 144,000 findings) in memory.
 */
export function* jsonChunks(report: Report): Generator<string> {
  let buffer = '{\n';
  let first = true;
  for (const key of Object.keys(report)) {
    const name = JSON.stringify(key);
    // Findings a scan kept as text are written as they are (see rendered-findings.ts), never built as objects.
    const rendered = renderedFindingsOf(report, key);
    const value = rendered ? undefined : (report as unknown as Record<string, unknown>)[key];
    const elements = rendered
      ? rendered.length > 0 ? rendered.joined() : undefined
      : LISTS.has(key) && Array.isArray(value) && value.length > 0 ? elementTexts(value) : undefined;
    if (elements) {
      buffer += `${first ? '' : ',\n'}${name}: [\n`;
      first = false;
      // Each element is its own chunk: the writer packs them (see write-chunks.ts), a string join would copy them.
      yield buffer;
      buffer = '';
      let i = 0;
      for (const text of elements) {
        if (i++ > 0) yield ',\n';
        yield text;
      }
      buffer += '\n]';
      continue;
    }
    const json = rendered ? '[]' : (JSON.stringify(value) as string | undefined); // undefined for what JSON leaves out
    if (json === undefined) continue;
    buffer += `${first ? '' : ',\n'}${name}: ${json}`;
    first = false;
  }
  yield `${buffer}\n}\n`;
}

function* elementTexts(list: unknown[]): Generator<string> {
  for (const element of list) yield JSON.stringify(element) ?? 'null';
}
