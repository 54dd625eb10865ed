/**
 * The final filesystem of a layer stack, decided while reading the layers from the TOP down: the first layer (from
 * the top) that names a path owns it, so an entry is final as soon as it is read, and the walker can read a wanted
 * file's content in the same pass instead of reading every layer twice.
 *
 * An entry of a lower layer is hidden when an upper layer
 *  - has an entry at the same path (files, links, directories: the upper one's metadata wins),
 *  - whites the path out (`.wh.name`), or whites out or replaces with a non-directory any directory above it,
 *  - marks a directory above it opaque (`.wh..wh..opq`).
 * Whiteouts and opaque markers act on lower layers only, so they take effect when their layer ends; within one
 * layer the last entry for a path wins, as when a tar is extracted.
 */
import type { ImageFile } from './catalogers/cataloger.js';
import { ancestors } from './tar-entry-path.js';

export type EntryKind = 'directory' | 'file' | 'symlink' | 'hardlink' | 'other';

export interface ViewEntry {
  readonly file: ImageFile;
  readonly kind: EntryKind;
  /** For hard links: the normalised path of the entry linked to (in the same layer, or a lower one). */
  readonly hardlinkTarget?: string;
  /** Position of the layer in the manifest (0 = base). */
  readonly layerIndex: number;
}

export class TopDownLayerView {
  /** Paths owned by layers above the current one; null = deleted by a whiteout. */
  private readonly decided = new Map<string, ViewEntry | null>();
  /** Paths whose descendants in lower layers are hidden (whited out, opaque, or replaced by a non-directory). */
  private readonly hiddenBelow = new Set<string>();
  private current = new Map<string, ViewEntry>();
  private currentWhiteouts = new Set<string>();
  private currentNonDirectories = new Set<string>();
  private currentOpaque = new Set<string>();

  /** Would an entry at this path in the current layer be part of the final filesystem? */
  isVisible(path: string): boolean {
    if (this.decided.has(path) || this.hiddenBelow.has('/')) return false;
    for (const ancestor of ancestors(path)) if (this.hiddenBelow.has(ancestor)) return false;
    return true;
  }

  /** Records a visible entry of the current layer; returns the entry of this layer it replaces, if any. */
  add(entry: ViewEntry): ViewEntry | undefined {
    const path = entry.file.path;
    const replaced = this.current.get(path);
    this.current.set(path, entry);
    if (entry.kind !== 'directory') this.currentNonDirectories.add(path);
    else this.currentNonDirectories.delete(path);
    return replaced;
  }

  whiteout(path: string): void {
    this.currentWhiteouts.add(path);
  }

  opaque(directory: string): void {
    this.currentOpaque.add(directory);
  }

  /** The current layer's entry at a path, if it has one. */
  inCurrentLayer(path: string): ViewEntry | undefined {
    return this.current.get(path);
  }

  endLayer(): void {
    for (const [path, entry] of this.current) this.decided.set(path, entry);
    for (const path of this.currentWhiteouts) {
      if (!this.decided.has(path)) this.decided.set(path, null);
      this.hiddenBelow.add(path);
    }
    for (const path of this.currentNonDirectories) this.hiddenBelow.add(path);
    for (const path of this.currentOpaque) this.hiddenBelow.add(path);
    this.current = new Map();
    this.currentWhiteouts = new Set();
    this.currentNonDirectories = new Set();
    this.currentOpaque = new Set();
  }

  /** Forgets what the current layer contributed (a layer that turned out corrupt). */
  abandonLayer(): void {
    this.current = new Map();
    this.currentWhiteouts = new Set();
    this.currentNonDirectories = new Set();
    this.currentOpaque = new Set();
  }

  /** The final entry at a path (after endLayer of every layer). */
  get(path: string): ViewEntry | undefined {
    return this.decided.get(path) ?? undefined;
  }

  /** Every entry of the final filesystem. */
  *entries(): Generator<ViewEntry> {
    for (const entry of this.decided.values()) if (entry) yield entry;
  }

  get size(): number {
    let n = 0;
    for (const entry of this.decided.values()) if (entry) n++;
    return n;
  }
}
