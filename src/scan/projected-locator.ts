import type { FieldPath } from '../core/model/field-path.js';
import type { SourceLocator, SourcePosition } from '../core/model/source-location.js';

/** Joins a path's segments into a key: NUL never occurs in a YAML key, so `a.b: x` and `a: {b: x}` stay apart. */
const SEPARATOR = '\u0000';

/** The fields whose positions the projection of a workload keeps: its identity and metadata. */
const IDENTITY_PATHS: readonly FieldPath[] = [
  ['metadata', 'name'],
  ['metadata', 'generateName'],
  ['metadata', 'namespace'],
  ['metadata', 'uid'],
  ['metadata', 'labels'],
  ['metadata'],
  ['apiVersion'],
  ['kind'],
];

/** More fields than this in an object kept whole are located at their nearest kept ancestor. */
const MAX_WHOLE_FIELDS = 2_000;

/** The kept paths of one projection, as keys, and the slot (index in `keys`) of each. */
interface KeptPaths {
  paths: readonly FieldPath[];
  keys: readonly string[];
  slots: ReadonlyMap<string, number>;
  /** The most segments of a kept path: a longer path is located at one of its prefixes. */
  depth: number;
}

/**
 * Positions of the fields of an object that inventory checks report, computed while its document is still in memory,
 * so that what is kept for those checks holds no reference to the source text. A path is located at its longest kept
 * prefix (the object itself otherwise), as a locator answers with the deepest existing node.
 *
 * - A workload (its projection, see inventory-projection.ts) keeps its identity and metadata, and its pod template's
 *   metadata and labels (network checks report a workload at its template's labels, which its pods are selected by).
 *   The paths kept depend only on where the kind's pod template is, so a workload names them by that path (`shape`)
 *   and shares them with every workload of its kind.
 * - An object kept whole (NetworkPolicy, Namespace, Service…: few and small) keeps the position of every field, up
 *   to MAX_WHOLE_FIELDS, since checks report any of them (a policy's rule, peer or port).
 *
 * Plain data, so it survives being posted from a worker thread (`revive` gives it its methods back): positions are one
 * array of numbers, line and column per kept path (line 0: not written), since a scan keeps one locator per workload
 * and posting a Map of position objects for each cost the receiving thread most of its garbage collection.
 */
export class ProjectedLocator implements SourceLocator {
  private constructor(
    /** A workload's shape (its pod template's metadata path, as a key), or the keys of an object kept whole. */
    private readonly paths: string | readonly string[],
    private readonly positions: number[],
  ) {}

  /** Keeps the identity of a workload and its pod template's metadata (at `templateMetadataPath`). */
  static ofWorkload(locator: SourceLocator, templateMetadataPath: FieldPath): ProjectedLocator {
    let shape = shapes.get(templateMetadataPath);
    if (shape === undefined) shapes.set(templateMetadataPath, (shape = templateMetadataPath.join(SEPARATOR)));
    return new ProjectedLocator(shape, positionsOf(locator, workloadPaths(shape).paths));
  }

  /** Keeps every field of `object`. */
  static ofWhole(locator: SourceLocator, object: unknown): ProjectedLocator {
    const paths: FieldPath[] = [[]];
    collectPaths(object, [], paths);
    return new ProjectedLocator(paths.map(keyOf), positionsOf(locator, paths));
  }

  /** A ProjectedLocator again, after a structured clone (postMessage) kept only its fields. */
  static revive(data: SourceLocator): ProjectedLocator {
    const { paths, positions } = data as unknown as { paths: string | string[]; positions: number[] };
    return new ProjectedLocator(paths, positions);
  }

  locate(path: FieldPath): SourcePosition | undefined {
    const kept = typeof this.paths === 'string' ? workloadPaths(this.paths) : wholePaths(this.paths);
    for (let n = Math.min(path.length, kept.depth); n > 0; n--) {
      const slot = kept.slots.get(keyOf(path.slice(0, n)));
      if (slot !== undefined) return this.at(slot);
    }
    return this.at(0);
  }

  private at(slot: number): SourcePosition | undefined {
    const line = this.positions[2 * slot]!;
    return line === 0 ? undefined : { line, column: this.positions[2 * slot + 1]! };
  }
}

function positionsOf(locator: SourceLocator, paths: readonly FieldPath[]): number[] {
  const positions: number[] = [];
  for (const path of paths) {
    const position = locator.locate(path);
    positions.push(position?.line ?? 0, position?.column ?? 0);
  }
  return positions;
}

/** Appends the path of every field under `value` (at `path`), up to MAX_WHOLE_FIELDS paths. */
function collectPaths(value: unknown, path: FieldPath, paths: FieldPath[]): void {
  if (value === null || typeof value !== 'object') return;
  const entries: [string | number, unknown][] = Array.isArray(value) ? value.map((item, i) => [i, item]) : Object.entries(value);
  for (const [segment, child] of entries) {
    if (paths.length >= MAX_WHOLE_FIELDS) return;
    const childPath = [...path, segment];
    paths.push(childPath);
    collectPaths(child, childPath, paths);
  }
}

/** A path as a key: `.name` for a mapping key, `#3` for a sequence index (a key may be "3"). */
function keyOf(path: FieldPath): string {
  return path.map((segment) => (typeof segment === 'number' ? `#${segment}` : `.${segment}`)).join(SEPARATOR);
}

function keptPaths(keys: readonly string[], paths: readonly FieldPath[] = []): KeptPaths {
  const slots = new Map<string, number>();
  let depth = 0;
  keys.forEach((key, slot) => {
    if (!slots.has(key)) slots.set(key, slot);
    if (key !== '') depth = Math.max(depth, key.split(SEPARATOR).length);
  });
  return { paths, keys, slots, depth };
}

/** Shape (see ofWorkload) of each pod template metadata path: workload-kinds.ts makes one path per kind. */
const shapes = new WeakMap<FieldPath, string>();
const workloadShapes = new Map<string, KeptPaths>();

/** The kept paths of workloads whose pod template's metadata is at `shape` (a workload's own for a Pod). */
function workloadPaths(shape: string): KeptPaths {
  let kept = workloadShapes.get(shape);
  if (!kept) {
    const template = shape.split(SEPARATOR);
    const paths = [[], ...IDENTITY_PATHS, template, [...template, 'labels']];
    workloadShapes.set(shape, (kept = keptPaths(paths.map(keyOf), paths)));
  }
  return kept;
}

const wholeObjects = new WeakMap<readonly string[], KeptPaths>();

function wholePaths(keys: readonly string[]): KeptPaths {
  let kept = wholeObjects.get(keys);
  if (!kept) wholeObjects.set(keys, (kept = keptPaths(keys)));
  return kept;
}
