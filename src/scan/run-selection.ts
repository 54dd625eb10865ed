/**
 * Findings picked from rendered runs (finding-run.ts) in report order, as a RenderedFindings list: the active or the
 * waived findings of a scan. Consecutive findings of a run are kept as one range, so a report without waivers is
 * written one slice per run; a waived finding's text gets its waiver added as the last key, where `{ ...finding,
 * waiver }` puts it.
 */
import type { AppliedWaiver } from '../core/model/finding.js';
import type { RenderedFindings } from '../core/model/rendered-findings.js';
import type { FindingRun } from './finding-run.js';
import { findingText, findingTexts } from './finding-run.js';

interface Range {
  run: number;
  start: number;
  end: number;
  /** A waived finding (a range of one) and its waiver. */
  waiver?: AppliedWaiver;
}

export class RunSelection implements RenderedFindings {
  private readonly ranges: Range[] = [];
  length = 0;

  constructor(private readonly runs: readonly FindingRun[]) {}

  add(run: number, index: number, waiver?: AppliedWaiver): void {
    this.length++;
    const last = this.ranges[this.ranges.length - 1];
    if (!waiver && last && !last.waiver && last.run === run && last.end === index) last.end++;
    else this.ranges.push(waiver ? { run, start: index, end: index + 1, waiver } : { run, start: index, end: index + 1 });
  }

  /** Findings `start` to `end` (exclusive) of a run, none waived. */
  addRange(run: number, start: number, end: number): void {
    if (start === end) return;
    this.length += end - start;
    const last = this.ranges[this.ranges.length - 1];
    if (last && !last.waiver && last.run === run && last.end === start) last.end = end;
    else this.ranges.push({ run, start, end });
  }

  *texts(): Generator<string> {
    for (const range of this.ranges) {
      for (let i = range.start; i < range.end; i++) yield this.textOf(range, i);
    }
  }

  *joined(): Generator<string> {
    for (const range of this.ranges) {
      yield range.waiver ? this.textOf(range, range.start) : findingTexts(this.runs[range.run]!, range.start, range.end);
    }
  }

  private textOf(range: Range, index: number): string {
    const text = findingText(this.runs[range.run]!, index);
    return range.waiver ? `${text.slice(0, -1)},"waiver":${JSON.stringify(range.waiver)}}` : text;
  }
}


