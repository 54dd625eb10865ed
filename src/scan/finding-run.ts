/**
 * The findings of one batch, rendered as soon as they are found: the JSON text of each finding (exactly what the
 * JSON report writes for it) plus, in typed columns, the few fields the session still needs to apply waivers, count
 * and order them. A scan of 10,000 objects keeps ~180,000 findings until the report is written; as objects they cost
 * the main thread most of its time in structured-clone reads and garbage collection, as text and columns they are a
 * handful of heap objects per batch, posted between threads almost as a memory copy.
 *
 * A run is sorted (by file, line, object, check, path: the report's order) when it is built.
 */
import type { Finding } from '../core/model/finding.js';
import type { ResourceRef } from '../core/model/resource.js';
import { formatRef } from '../core/model/resource.js';
import { SEVERITIES } from '../core/model/severity.js';
import { compareText } from '../core/model/text-order.js';

export interface FindingRun {
  /**
   * The JSON texts of the findings joined by `,\n`, as the JSON report lists them: consecutive findings are written
   * with one slice.
   */
  text: string;
  /** Where each finding's text ends in `text` (the next one starts after the separator). */
  ends: Uint32Array;
  /** Index of each finding's object among the batch's objects; -1 for an object only referenced. */
  owners: Int32Array;
  /** Index in `refs` of each finding's resource. */
  refIndexes: Uint32Array;
  refs: ResourceRef[];
  /** Index in SEVERITIES. */
  severities: Uint8Array;
  /** Index in `strings` of each finding's check id, path and file (-1: no location). */
  checkIds: Uint32Array;
  paths: Uint32Array;
  files: Int32Array;
  /** Location line, 0 without a location. */
  lines: Uint32Array;
  strings: string[];
}

/**
 * Builds a run from findings added one batch at a time: each finding is rendered when it is added, so that a file's
 * finding objects die young (a collection in the middle of a file then copies texts, not thousands of small
 * objects); `build` sorts them and joins their texts.
 */
export class FindingRunBuilder {
  private readonly texts: string[] = [];
  private readonly owners: number[] = [];
  private readonly files: number[] = [];
  private readonly lines: number[] = [];
  private readonly refIndexes: number[] = [];
  private readonly checkIds: number[] = [];
  private readonly paths: number[] = [];
  private readonly severities: number[] = [];
  private readonly strings: string[] = [];
  private readonly stringIndex = new Map<string, number>();
  private readonly refs: ResourceRef[] = [];
  private readonly refIndex = new Map<ResourceRef, number>();
  private readonly refTexts: string[] = [];

  get length(): number {
    return this.texts.length;
  }

  /** Adds findings with the index of each one's object, plus `ownerBase` (-1 stays -1: no object). */
  add(findings: readonly Finding[], owners: readonly number[], ownerBase = 0): void {
    for (let i = 0; i < findings.length; i++) {
      const finding = findings[i]!;
      let ref = this.refIndex.get(finding.resource);
      if (ref === undefined) {
        this.refIndex.set(finding.resource, (ref = this.refs.length));
        this.refs.push(finding.resource);
        this.refTexts.push(formatRef(finding.resource));
      }
      const owner = owners[i]!;
      this.owners.push(owner < 0 ? -1 : ownerBase + owner);
      this.refIndexes.push(ref);
      this.files.push(finding.location ? this.indexOf(finding.location.file) : -1);
      this.lines.push(finding.location?.line ?? 0);
      this.checkIds.push(this.indexOf(finding.checkId));
      this.paths.push(this.indexOf(finding.path));
      this.severities.push(SEVERITIES.indexOf(finding.severity));
      this.texts.push(JSON.stringify(finding));
    }
  }

  /** The run of every finding added, sorted (by file, line, object, check, path: the report's order). */
  build(): FindingRun {
    const { files, lines, refIndexes, checkIds, paths, strings, refTexts } = this;
    const count = this.texts.length;
    // Files compared once each (a run of the inventory checks spans every file), then by rank.
    const fileText = (file: number): string => (file < 0 ? '' : strings[file]!);
    const fileIndexes = [...new Set(files)].sort((a, b) => compareText(fileText(a), fileText(b)));
    // No location sorts as the empty file name: the two share a rank, as they tie in the full comparison.
    const rankOf = new Map<number, number>();
    fileIndexes.forEach((file, i) => rankOf.set(file, i > 0 && fileText(fileIndexes[i - 1]!) === fileText(file) ? rankOf.get(fileIndexes[i - 1]!)! : i));
    const fileRanks = Int32Array.from(files, (file) => rankOf.get(file)!);
    const compare = (a: number, b: number): number =>
      fileRanks[a]! - fileRanks[b]! ||
      compareFindingKeys('', lines[a]!, refTexts[refIndexes[a]!]!, strings[checkIds[a]!]!, strings[paths[a]!]!, '', lines[b]!, refTexts[refIndexes[b]!]!, strings[checkIds[b]!]!, strings[paths[b]!]!);
    const order = Array.from({ length: count }, (_, i) => i).sort(compare);

    const run: FindingRun = {
      text: '',
      ends: new Uint32Array(count),
      owners: new Int32Array(count),
      refIndexes: new Uint32Array(count),
      refs: this.refs,
      severities: new Uint8Array(count),
      checkIds: new Uint32Array(count),
      paths: new Uint32Array(count),
      files: new Int32Array(count),
      lines: new Uint32Array(count),
      strings,
    };
    const texts = new Array<string>(count);
    let end = -SEPARATOR.length;
    for (let to = 0; to < count; to++) {
      const from = order[to]!;
      const text = this.texts[from]!;
      texts[to] = text;
      end += SEPARATOR.length + text.length;
      run.ends[to] = end;
      run.owners[to] = this.owners[from]!;
      run.refIndexes[to] = refIndexes[from]!;
      run.severities[to] = this.severities[from]!;
      run.checkIds[to] = checkIds[from]!;
      run.paths[to] = paths[from]!;
      run.files[to] = files[from]!;
      run.lines[to] = lines[from]!;
    }
    run.text = texts.join(SEPARATOR); // one flat string
    return run;
  }

  private indexOf(text: string): number {
    let index = this.stringIndex.get(text);
    if (index === undefined) {
      this.stringIndex.set(text, (index = this.strings.length));
      this.strings.push(text);
    }
    return index;
  }
}

/** Renders findings (with the index of each one's object) into a sorted run. */
export function findingRunOf(findings: readonly Finding[], owners: readonly number[]): FindingRun {
  const builder = new FindingRunBuilder();
  builder.add(findings, owners);
  return builder.build();
}

/** Between two findings in a run's text (and in the JSON report). */
export const SEPARATOR = ',\n';

export function runLength(run: FindingRun): number {
  return run.ends.length;
}

export function findingText(run: FindingRun, index: number): string {
  return run.text.slice(index === 0 ? 0 : run.ends[index - 1]! + SEPARATOR.length, run.ends[index]!);
}

/** The texts of findings `start` to `end` (exclusive), joined by the separator. */
export function findingTexts(run: FindingRun, start: number, end: number): string {
  return run.text.slice(start === 0 ? 0 : run.ends[start - 1]! + SEPARATOR.length, run.ends[end - 1]!);
}

export function checkIdOf(run: FindingRun, index: number): string {
  return run.strings[run.checkIds[index]!]!;
}

export function refOf(run: FindingRun, index: number): ResourceRef {
  return run.refs[run.refIndexes[index]!]!;
}

/**
 * The report's order of findings: file, line, object (`Kind/ns/name`), check, path; findings without a location
 * first. Texts are compared in code-unit order (text-order.ts).
 */
export function compareFindingKeys(
  fileA: string,
  lineA: number,
  refA: string,
  checkA: string,
  pathA: string,
  fileB: string,
  lineB: number,
  refB: string,
  checkB: string,
  pathB: string,
): number {
  return compareText(fileA, fileB) || lineA - lineB || compareText(refA, refB) || compareText(checkA, checkB) || compareText(pathA, pathB);
}
