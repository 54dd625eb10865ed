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

/**
 * Positions of an object's identity fields, computed while its document is still in memory, so that what is kept
 * for inventory checks holds no reference to the source text. A path is located at its longest projected prefix (the
 * object itself otherwise), as a locator answers with the deepest existing node. Plain data, so it survives being
 * posted from a worker thread (`revive` gives it its methods back).
 */
export class ProjectedLocator implements SourceLocator {
  private constructor(
    private readonly root: SourcePosition | undefined,
    private readonly positions: Map<string, SourcePosition | undefined>,
  ) {}

  static of(locator: SourceLocator): ProjectedLocator {
    const positions = new Map<string, SourcePosition | undefined>();
    for (const path of PROJECTED_PATHS) positions.set(path.join('.'), locator.locate(path));
    return new ProjectedLocator(locator.locate([]), positions);
  }

  /** A ProjectedLocator again, after a structured clone (postMessage) kept only its fields. */
  static revive(data: SourceLocator): ProjectedLocator {
    const { root, positions } = data as unknown as { root: SourcePosition | undefined; positions: Map<string, SourcePosition | undefined> };
    return new ProjectedLocator(root, positions);
  }

  locate(path: FieldPath): SourcePosition | undefined {
    for (let n = Math.min(path.length, 2); n > 0; n--) {
      const key = path.slice(0, n).join('.');
      if (this.positions.has(key)) return this.positions.get(key);
    }
    return this.root;
  }
}
