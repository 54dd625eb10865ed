import type { FieldPath } from '../core/model/field-path.js';
import type { SourceLocator, SourcePosition } from '../core/model/source-location.js';

/** The fields whose positions a projection keeps: an object's identity and metadata. */
const PROJECTED_PATHS: readonly FieldPath[] = [
  ['metadata', 'name'],
  ['metadata', 'generateName'],
  ['metadata', 'namespace'],
  ['metadata', 'uid'],
  ['metadata', 'labels'],
  ['metadata'],
  ['apiVersion'],
  ['kind'],
];
/** Slot of each projected path (joined by dots) in `positions`; slot 0 is the object itself. */
const SLOTS = new Map(PROJECTED_PATHS.map((path, i) => [path.join('.'), i + 1]));

/**
 * Positions of an object's identity fields, computed while its document is still in memory, so that what is kept
 * for inventory checks holds no reference to the source text. A path is located at its longest projected prefix (the
 * object itself otherwise), as a locator answers with the deepest existing node. Plain data, so it survives being
 * posted from a worker thread (`revive` gives it its methods back): one array of numbers, line and column per slot
 * (line 0: not written), since a scan keeps one locator per workload and posting a Map of position objects for each
 * cost the receiving thread most of its garbage collection.
 */
export class ProjectedLocator implements SourceLocator {
  private constructor(private readonly positions: number[]) {}

  static of(locator: SourceLocator): ProjectedLocator {
    const positions: number[] = [];
    for (const path of [[], ...PROJECTED_PATHS]) {
      const position = locator.locate(path);
      positions.push(position?.line ?? 0, position?.column ?? 0);
    }
    return new ProjectedLocator(positions);
  }

  /** A ProjectedLocator again, after a structured clone (postMessage) kept only its fields. */
  static revive(data: SourceLocator): ProjectedLocator {
    return new ProjectedLocator((data as unknown as { positions: number[] }).positions);
  }

  locate(path: FieldPath): SourcePosition | undefined {
    for (let n = Math.min(path.length, 2); n > 0; n--) {
      const slot = SLOTS.get(n === 2 ? `${path[0]}.${path[1]}` : String(path[0]));
      if (slot !== undefined) return this.at(slot);
    }
    return this.at(0);
  }

  private at(slot: number): SourcePosition | undefined {
    const line = this.positions[2 * slot]!;
    return line === 0 ? undefined : { line, column: this.positions[2 * slot + 1]! };
  }
}
