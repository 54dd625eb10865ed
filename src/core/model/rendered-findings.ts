/**
 * A report's findings kept as JSON text (a manifest scan renders each finding as soon as it is found: see
 * src/scan/finding-run.ts). The report's `findings` and `waived` stay ordinary arrays for every reader: they are built
 * from the text the first time they are read. The JSON output asks for the text instead (renderedFindingsOf) and
 * writes it as it is, so a report of 180,000 findings is written without making 180,000 objects.
 */
import type { Finding } from './finding.js';
import type { Report } from './report.js';

export interface RenderedFindings {
  readonly length: number;
  /** Each finding's JSON text (`JSON.stringify(finding)`), in order. */
  texts(): Iterable<string>;
  /** The same texts joined by `,\n` (how the JSON report lists them), in pieces of one or more findings. */
  joined(): Iterable<string>;
}

type ListKey = 'findings' | 'waived';

const rendered = new WeakMap<Report, Partial<Record<ListKey, RenderedFindings>>>();

/**
 * Makes `report[key]` the findings of `list`, built from their text when first read (or replaced when assigned).
 * The key keeps its place among the report's keys, which is the order the JSON output writes them in.
 */
export function attachRenderedFindings(report: Report, key: ListKey, list: RenderedFindings): void {
  let lists = rendered.get(report);
  if (!lists) rendered.set(report, (lists = {}));
  lists[key] = list;
  const settle = (value: Finding[]): Finding[] => {
    delete lists[key];
    Object.defineProperty(report, key, { value, writable: true, enumerable: true, configurable: true });
    return value;
  };
  Object.defineProperty(report, key, {
    enumerable: true,
    configurable: true,
    get: () => settle(Array.from(list.texts(), (text) => JSON.parse(text) as Finding)),
    set: (value: Finding[]) => settle(value),
  });
}

/** The text of `report[key]` when it is still only text (see attachRenderedFindings), else undefined. */
export function renderedFindingsOf(report: Report, key: string): RenderedFindings | undefined {
  return rendered.get(report)?.[key as ListKey];
}
