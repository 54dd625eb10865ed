/**
 * The report's order over the findings of many runs (finding-run.ts), each already sorted: the result is what a
 * stable sort of all findings in run order gives (equal keys keep the order of their runs), computed without sorting
 * them again. Runs of a manifest scan are usually in order already (one file after another, the inventory checks'
 * few findings last), so this checks the boundaries between runs and inserts the stragglers by binary search; runs
 * out of order (files given in another order, a file split over runs out of line order) fall back to a merge.
 */
import { formatRef } from '../core/model/resource.js';
import type { FindingRun } from './finding-run.js';
import { compareFindingKeys, runLength } from './finding-run.js';

/** Findings `start` (inclusive) to `end` (exclusive) of run `run`, in order. */
export interface RunSegment {
  run: number;
  start: number;
  end: number;
}

export function orderFindings(runs: readonly FindingRun[]): RunSegment[] {
  const compare = comparatorOf(runs);
  // The longest prefix of runs whose concatenation is in order (each run is sorted: comparing boundaries suffices).
  const base: RunSegment[] = [];
  let rest = runs.length;
  let last: RunSegment | undefined;
  for (let r = 0; r < runs.length; r++) {
    const length = runLength(runs[r]!);
    if (length === 0) continue;
    if (last && compare(last.run, last.end - 1, r, 0) > 0) {
      rest = r;
      break;
    }
    base.push((last = { run: r, start: 0, end: length }));
  }
  if (rest === runs.length) return base;

  // The findings of the later runs, sorted (stably: built in run order), merged after their equals in the base.
  const later: [number, number][] = [];
  for (let r = rest; r < runs.length; r++) for (let i = 0; i < runLength(runs[r]!); i++) later.push([r, i]);
  later.sort((x, y) => compare(x[0], x[1], y[0], y[1]));

  // Base positions as (run, index), to read any finding of the ordered sequence directly.
  let total = 0;
  for (const segment of base) total += segment.end - segment.start;
  const baseRuns = new Uint32Array(total);
  const baseIndexes = new Uint32Array(total);
  let position = 0;
  for (const segment of base) {
    for (let i = segment.start; i < segment.end; i++, position++) {
      baseRuns[position] = segment.run;
      baseIndexes[position] = i;
    }
  }
  const after = (p: number, run: number, index: number): boolean => compare(baseRuns[p]!, baseIndexes[p]!, run, index) > 0;

  const merged: RunSegment[] = [];
  const emit = (run: number, start: number, end: number): void => {
    if (start === end) return;
    const previous = merged[merged.length - 1];
    if (previous && previous.run === run && previous.end === start) previous.end = end;
    else merged.push({ run, start, end });
  };
  const emitBase = (from: number, to: number): void => {
    for (let p = from; p < to; p++) emit(baseRuns[p]!, baseIndexes[p]!, baseIndexes[p]! + 1);
  };
  let cursor = 0;
  for (const [run, index] of later) {
    // The first base position from `cursor` on whose finding sorts after this one: gallop, then bisect.
    let step = 1;
    let lo = cursor;
    let hi = cursor;
    while (hi < total && !after(hi, run, index)) {
      lo = hi + 1;
      hi = Math.min(total, hi + step);
      step *= 2;
    }
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (after(mid, run, index)) hi = mid;
      else lo = mid + 1;
    }
    emitBase(cursor, lo);
    emit(run, index, index + 1);
    cursor = lo;
  }
  emitBase(cursor, total);
  return merged;
}

type Compare = (runA: number, a: number, runB: number, b: number) => number;

function comparatorOf(runs: readonly FindingRun[]): Compare {
  const refTexts = runs.map((run) => run.refs.map(formatRef));
  return (ra, a, rb, b) => {
    const x = runs[ra]!;
    const y = runs[rb]!;
    const fileA = x.files[a]!;
    const fileB = y.files[b]!;
    return compareFindingKeys(
      fileA < 0 ? '' : x.strings[fileA]!,
      x.lines[a]!,
      refTexts[ra]![x.refIndexes[a]!]!,
      x.strings[x.checkIds[a]!]!,
      x.strings[x.paths[a]!]!,
      fileB < 0 ? '' : y.strings[fileB]!,
      y.lines[b]!,
      refTexts[rb]![y.refIndexes[b]!]!,
      y.strings[y.checkIds[b]!]!,
      y.strings[y.paths[b]!]!,
    );
  };
}
