/**
 * Walks an image's layers and hands catalogers the files they want from the FINAL filesystem, without holding a
 * layer in memory.
 *
 * Layers are read from the top down (TopDownLayerView), so an entry is known to be final the moment it is read:
 * the walker asks `wants(file)` once per final file and keeps the bytes of wanted regular files only (in the
 * ContentStore: memory, or the cache on disk for big files). Every blob is verified against its digest while it
 * streams; a layer that fails (digest or size mismatch, corrupt compression, truncated tar) has everything it gave
 * discarded and is reported, and the layers below it are still read.
 *
 * Links: a wanted symlink or hard link is offered under its own path with the content of the file it leads to.
 * While walking, the walker also keeps the file a link most likely leads to (its lexical target) if a lower layer
 * or a later entry holds it; once the final filesystem is known it resolves every wanted link properly (through
 * directory symlinks, chains, absolute targets, all confined to the image root) and re-reads a layer only for
 * link targets it had not kept (counted in `stats.rereadPasses`).
 */
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as tar from 'tar-stream';
import type { CatalogInput, FileContent, ImageFile } from './catalogers/cataloger.js';
import { DigestVerifier } from './blob-digest.js';
import { memoryContentStore, readStream, type ContentStore } from './content-store.js';
import type { ImageProblem } from './image-problem.js';
import { createDecompressor } from './layer-decompression.js';
import { TopDownLayerView, type EntryKind, type ViewEntry } from './layer-stack-view.js';
import type { LayerCompression } from './media-types.js';
import { lexicalLinkTarget, resolveInImage } from './symlink-resolution.js';
import { normalizeEntryPath } from './tar-entry-path.js';
import { whiteoutMeaning } from './whiteouts.js';

/** One entry of a tar stream as tar-stream yields it (header, data offset, a readable for the data). */
export type TarEntry = tar.Extract extends AsyncIterable<infer E> ? E : never;

export interface LayerToRead {
  /** Position in the manifest, 0 = base layer. */
  readonly index: number;
  /** The digest files of this layer are reported under (blob digest; for docker-save archives the diff id). */
  readonly digest: string;
  readonly compression: LayerCompression;
  /** What the bytes `open` returns must hash to (and their size, when known). */
  readonly verify: { readonly digest: string; readonly size?: number };
}

/** Sees entries of EVERY layer, hidden ones too (secrets deleted in a later layer are still in the image). */
export interface LayerInspector {
  /** Called for every entry of every layer; return true to get the bytes of a regular file. */
  wants(file: ImageFile, visible: boolean): boolean;
  inspect(file: ImageFile, bytes: Uint8Array): void;
  /** Files above this size are not read for inspection (default 1 MiB). */
  readonly maxBytes?: number;
  /**
   * Asked once the first `headBytes` of a file (or all of a smaller one) are read: false drops the file unbuffered
   * (a binary is judged from its head, not held whole to be skipped).
   */
  wantsRest?(file: ImageFile, head: Uint8Array): boolean;
  readonly headBytes?: number;
}

export interface LayerWalkOptions {
  /** In manifest order (base first); the walker reads them top down. */
  readonly layers: readonly LayerToRead[];
  /** The raw (compressed) blob of a layer; called again for a re-read. */
  open(layer: LayerToRead): Promise<Readable>;
  /** Cheap predicate on the header of each final file (Cataloger.wants of every cataloger). */
  wants(file: ImageFile): boolean;
  readonly store?: ContentStore;
  /** Wanted files above this size are reported and not read (default 2 GiB). */
  readonly maxFileBytes?: number;
  readonly inspector?: LayerInspector;
}

export interface LayerWalkStats {
  readonly layers: number;
  readonly layerPasses: number;
  readonly rereadPasses: number;
  readonly entries: number;
  readonly finalFiles: number;
  readonly keptFiles: number;
  readonly keptBytes: number;
}

export interface LayerWalkResult {
  /** The final filesystem (every entry, header only). */
  readonly view: TopDownLayerView;
  /** The wanted files with their content, in path order. */
  readonly inputs: CatalogInput[];
  readonly problems: ImageProblem[];
  readonly stats: LayerWalkStats;
  /** Frees kept content (spilled files included). Call once the catalogers are done. */
  release(): Promise<void>;
}

export const DEFAULT_MAX_FILE_BYTES = 2 * 1024 ** 3;
const S_IFMT: Record<EntryKind, number> = { directory: 0o040000, file: 0o100000, symlink: 0o120000, hardlink: 0o100000, other: 0 };

interface LinkSource {
  readonly layerIndex: number;
  readonly path: string;
  /** True when the bytes are those of `path` in layer `layerIndex` itself, false for a lower layer's. */
  readonly withinLayer: boolean;
}

interface Kept {
  readonly layerIndex: number;
  readonly content: FileContent;
}

export async function walkLayers(options: LayerWalkOptions): Promise<LayerWalkResult> {
  return new LayerWalk(options).run();
}

class LayerWalk {
  private readonly view = new TopDownLayerView();
  private readonly store: ContentStore;
  private readonly maxFileBytes: number;
  private readonly problems: ImageProblem[] = [];
  /** Content of final regular files that are wanted or that a wanted link probably leads to, by path. */
  private readonly kept = new Map<string, Kept>();
  /** Final paths of wanted files and links, with the layer they come from. */
  private readonly wantedFiles = new Map<string, number>();
  private readonly wantedLinks = new Map<string, number>();
  /** Paths a wanted link (from an upper layer or an earlier entry) probably leads to. */
  private readonly linkTargets = new Set<string>();
  /** Wanted hard links whose target is an earlier entry of their own layer (not a file of a lower layer). */
  private readonly hardlinksWithinLayer = new Set<string>();
  private passes = 0;
  private rereads = 0;
  private entries = 0;

  constructor(private readonly options: LayerWalkOptions) {
    this.store = options.store ?? memoryContentStore;
    this.maxFileBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  }

  async run(): Promise<LayerWalkResult> {
    const layers = [...this.options.layers].sort((a, b) => b.index - a.index);
    for (const layer of layers) {
      const captured: string[] = [];
      try {
        const regularPaths = new Set<string>();
        await this.readLayer(layer, (entry, file, kind, hardlinkTarget) =>
          this.mainEntry(layer, entry, file, kind, { captured, regularPaths }, hardlinkTarget),
        );
        this.view.endLayer();
      } catch (error) {
        await this.abandonLayer(layer, captured);
        const where = `layer ${layer.digest}`;
        const message = (error as Error).message.replace(`${where}: `, '');
        this.problems.push({ where, message: `${message}; the files of this layer are left out` });
      }
    }
    const inputs = await this.collectInputs();
    const keptBytes = [...this.kept.values()].reduce((sum, k) => sum + k.content.size, 0);
    return {
      view: this.view,
      inputs,
      problems: this.problems,
      stats: {
        layers: layers.length,
        layerPasses: this.passes,
        rereadPasses: this.rereads,
        entries: this.entries,
        finalFiles: this.view.size,
        keptFiles: this.kept.size,
        keptBytes,
      },
      release: async () => {
        for (const { content } of this.kept.values()) await this.store.release(content);
        this.kept.clear();
      },
    };
  }

  /** Streams one layer through digest verification, decompression and tar parsing. */
  private async readLayer(
    layer: LayerToRead,
    onEntry: (entry: TarEntry, file: ImageFile, kind: EntryKind, hardlinkTarget?: string) => Promise<void>,
  ): Promise<void> {
    this.passes++;
    const what = `layer ${layer.digest}`;
    const raw = await this.options.open(layer);
    const extract = tar.extract();
    const done = pipeline(raw, new DigestVerifier(layer.verify.digest, what, layer.verify.size), createDecompressor(layer.compression, what), extract);
    done.catch(() => {}); // awaited below; this only keeps an early failure from being unhandled
    try {
      for await (const entry of extract) {
        this.entries++;
        const described = this.describe(layer, entry);
        if (described) await onEntry(entry, described.file, described.kind, described.hardlinkTarget);
        entry.resume();
      }
    } catch (error) {
      raw.destroy();
      await done.catch(() => {});
      throw tarError(error, what);
    }
    await done.catch((error: unknown) => {
      throw tarError(error, what);
    });
  }

  /** The ImageFile of a tar entry, or undefined for whiteouts, the root and refused entries (reported). */
  private describe(layer: LayerToRead, entry: TarEntry): { file: ImageFile; kind: EntryKind; hardlinkTarget?: string } | undefined {
    const header = entry.header;
    const where = `layer ${layer.digest}`;
    let path: string;
    try {
      path = normalizeEntryPath(header.name);
    } catch (error) {
      this.problems.push({ where, entry: header.name, message: `${(error as Error).message}; entry skipped` });
      return undefined;
    }
    if (path === '/') return undefined;
    const whiteout = whiteoutMeaning(path);
    if (whiteout) {
      if (whiteout.kind === 'opaque') this.view.opaque(whiteout.directory);
      else if (/\/(?:\.{1,2})?$/.test(whiteout.path)) this.problems.push({ where, entry: header.name, message: 'whiteout names no file; ignored' });
      else this.view.whiteout(whiteout.path);
      return undefined;
    }
    const kind = entryKind(header.type);
    let hardlinkTarget: string | undefined;
    if (kind === 'hardlink') {
      try {
        hardlinkTarget = normalizeEntryPath(header.linkname ?? '');
      } catch (error) {
        this.problems.push({ where, entry: header.name, message: `hard link target: ${(error as Error).message}; entry skipped` });
        return undefined;
      }
    }
    const file: ImageFile = {
      path,
      mode: S_IFMT[kind] | ((header.mode ?? 0) & 0o7777),
      size: kind === 'file' ? (header.size ?? 0) : 0,
      ...(kind === 'symlink' ? { linkTarget: header.linkname ?? '' } : {}),
      layerDigest: layer.digest,
      uid: header.uid ?? 0,
      gid: header.gid ?? 0,
    };
    return { file, kind, ...(hardlinkTarget !== undefined ? { hardlinkTarget } : {}) };
  }

  private async mainEntry(
    layer: LayerToRead,
    entry: TarEntry,
    file: ImageFile,
    kind: EntryKind,
    thisLayer: { captured: string[]; regularPaths: Set<string> },
    hardlinkTarget?: string,
  ): Promise<void> {
    if (kind === 'file') thisLayer.regularPaths.add(file.path);
    const visible = this.view.isVisible(file.path);
    const inspector = this.options.inspector;
    const inspect = inspector !== undefined && kind === 'file' && this.ask(() => inspector.wants(file, visible), file);
    if (!visible) {
      if (inspect) await this.inspect(entry, file);
      return;
    }
    const viewEntry: ViewEntry = { file, kind, layerIndex: layer.index, ...(hardlinkTarget !== undefined ? { hardlinkTarget } : {}) };
    const replaced = this.view.add(viewEntry);
    if (replaced) await this.forget(file.path);
    const wanted = this.ask(() => this.options.wants(file), file);
    if (kind === 'file') {
      if (wanted) this.wantedFiles.set(file.path, layer.index);
      if (wanted || this.linkTargets.has(file.path)) {
        if (file.size > this.maxFileBytes) {
          this.problems.push({ where: `layer ${layer.digest}`, entry: file.path, message: `file is ${file.size} bytes, above the ${this.maxFileBytes}-byte limit; not read` });
          this.wantedFiles.delete(file.path);
          return;
        }
        const content = await this.store.keep(entryData(entry), file.size);
        this.kept.set(file.path, { layerIndex: layer.index, content });
        thisLayer.captured.push(file.path);
        if (inspect && file.size <= (inspector!.maxBytes ?? 1024 ** 2)) inspector!.inspect(file, await content.read(0, file.size));
      } else if (inspect) {
        await this.inspect(entry, file);
      }
    } else if (wanted && (kind === 'symlink' || kind === 'hardlink')) {
      this.wantedLinks.set(file.path, layer.index);
      if (kind === 'hardlink' && thisLayer.regularPaths.has(hardlinkTarget!)) this.hardlinksWithinLayer.add(file.path);
      const target = kind === 'symlink' ? lexicalLinkTarget(file.path, file.linkTarget!) : hardlinkTarget!;
      if (!this.kept.has(target)) this.linkTargets.add(target);
    }
  }

  private async inspect(entry: TarEntry, file: ImageFile): Promise<void> {
    const inspector = this.options.inspector!;
    if (file.size > (inspector.maxBytes ?? 1024 ** 2)) return;
    if (!inspector.wantsRest) return inspector.inspect(file, await readStream(entryData(entry)));
    const headBytes = Math.min(inspector.headBytes ?? 8192, file.size);
    const chunks: Uint8Array[] = [];
    let read = 0;
    let decided = false;
    let dropped = false;
    for await (const chunk of entryData(entry)) {
      if (dropped) continue; // drained, not kept
      chunks.push(chunk);
      read += chunk.length;
      if (!decided && read >= headBytes) {
        decided = true;
        if (!inspector.wantsRest(file, chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks))) {
          dropped = true;
          chunks.length = 0;
        }
      }
    }
    if (!dropped) inspector.inspect(file, chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
  }

  /** A cataloger's or inspector's predicate that throws is a bug there: report it and treat the file as unwanted. */
  private ask(predicate: () => boolean, file: ImageFile): boolean {
    try {
      return predicate();
    } catch (error) {
      this.problems.push({ where: `layer ${file.layerDigest}`, entry: file.path, message: `wants() failed: ${(error as Error).message}` });
      return false;
    }
  }

  private async forget(path: string): Promise<void> {
    const kept = this.kept.get(path);
    if (kept) await this.store.release(kept.content);
    this.kept.delete(path);
    this.wantedFiles.delete(path);
    this.wantedLinks.delete(path);
  }

  private async abandonLayer(layer: LayerToRead, captured: readonly string[]): Promise<void> {
    for (const path of captured) {
      const kept = this.kept.get(path);
      if (kept?.layerIndex === layer.index) {
        await this.store.release(kept.content);
        this.kept.delete(path);
      }
    }
    for (const map of [this.wantedFiles, this.wantedLinks]) {
      for (const [path, index] of map) if (index === layer.index) map.delete(path);
    }
    this.view.abandonLayer();
  }

  /** Where a wanted link's bytes are: a regular file entry of some layer, or a reason there is none. */
  private linkSource(path: string): LinkSource | { problem: string } {
    const entry = this.view.get(path)!;
    if (entry.kind === 'hardlink') return this.hardlinkSource(path, entry);
    let resolved: string;
    try {
      resolved = resolveInImage(path, (p) => {
        const e = this.view.get(p);
        return e?.kind === 'symlink' ? e.file : undefined;
      });
    } catch (error) {
      return { problem: (error as Error).message };
    }
    const target = this.view.get(resolved);
    if (!target) return { problem: `symbolic link to ${entry.file.linkTarget} leads to ${resolved}, which the image does not have` };
    if (target.kind === 'hardlink') return this.hardlinkSource(resolved, target);
    if (target.kind !== 'file') return { problem: `symbolic link leads to ${resolved}, which is a ${target.kind}, not a file` };
    return { layerIndex: target.layerIndex, path: resolved, withinLayer: true };
  }

  /** A hard link's bytes are its target's in its own layer, or else in the layers below it. */
  private hardlinkSource(path: string, entry: ViewEntry): LinkSource {
    return { layerIndex: entry.layerIndex, path: entry.hardlinkTarget!, withinLayer: this.hardlinksWithinLayer.has(path) };
  }

  private async collectInputs(): Promise<CatalogInput[]> {
    const inputs: CatalogInput[] = [];
    for (const path of this.wantedFiles.keys()) {
      const kept = this.kept.get(path);
      if (kept) inputs.push({ file: this.view.get(path)!.file, content: kept.content });
    }
    const rereads = new Map<number, Map<string, string[]>>();
    const linkContent = new Map<string, FileContent>();
    for (const path of this.wantedLinks.keys()) {
      const source = this.linkSource(path);
      const file = this.view.get(path)!.file;
      if ('problem' in source) {
        this.problems.push({ where: `layer ${file.layerDigest}`, entry: path, message: source.problem });
        continue;
      }
      const kept = this.kept.get(source.path);
      if (kept && (source.withinLayer ? kept.layerIndex === source.layerIndex : kept.layerIndex < source.layerIndex)) {
        linkContent.set(path, kept.content);
        continue;
      }
      if (!source.withinLayer) {
        this.problems.push({ where: `layer ${file.layerDigest}`, entry: path, message: `hard link target ${source.path} is in no layer below this one as a visible file` });
        continue;
      }
      const wanted = rereads.get(source.layerIndex) ?? new Map<string, string[]>();
      wanted.set(source.path, [...(wanted.get(source.path) ?? []), path]);
      rereads.set(source.layerIndex, wanted);
    }
    for (const [layerIndex, wanted] of rereads) await this.reread(layerIndex, wanted, linkContent);
    for (const [path, content] of linkContent) {
      const entry = this.view.get(path)!;
      inputs.push({ file: entry.kind === 'hardlink' ? { ...entry.file, size: content.size } : entry.file, content });
    }
    return inputs.sort((a, b) => (a.file.path < b.file.path ? -1 : a.file.path > b.file.path ? 1 : 0));
  }

  /** Reads one layer again for link targets that were not kept on the first pass. */
  private async reread(layerIndex: number, wanted: Map<string, string[]>, linkContent: Map<string, FileContent>): Promise<void> {
    const layer = this.options.layers.find((l) => l.index === layerIndex)!;
    this.rereads++;
    const found = new Map<string, FileContent>();
    try {
      await this.readLayer(layer, async (entry, file, kind) => {
        if (kind !== 'file' || !wanted.has(file.path) || file.size > this.maxFileBytes) return;
        const previous = found.get(file.path);
        if (previous) await this.store.release(previous);
        found.set(file.path, await this.store.keep(entryData(entry), file.size));
      });
    } catch (error) {
      for (const content of found.values()) await this.store.release(content);
      for (const links of wanted.values()) {
        for (const link of links) this.problems.push({ where: `layer ${layer.digest}`, entry: link, message: `link target not read: ${(error as Error).message}` });
      }
      return;
    }
    for (const [target, links] of wanted) {
      const content = found.get(target);
      if (!content) {
        for (const link of links) {
          this.problems.push({ where: `layer ${layer.digest}`, entry: link, message: `link target ${target} is not a regular file of this layer (or is above the size limit)` });
        }
        continue;
      }
      // Kept under a key of its own so release() frees it once, however many links share it.
      this.kept.set(`\0reread:${layerIndex}:${target}`, { layerIndex, content });
      for (const link of links) linkContent.set(link, content);
    }
  }
}

/** streamx readables are async iterables of their chunks; its typings do not say so. */
function entryData(entry: TarEntry): AsyncIterable<Uint8Array> {
  return entry as unknown as AsyncIterable<Uint8Array>;
}

function entryKind(type: tar.Header['type'] | undefined): EntryKind {
  switch (type) {
    case 'file':
    case 'contiguous-file':
    case undefined:
      return 'file';
    case 'directory':
      return 'directory';
    case 'symlink':
      return 'symlink';
    case 'link':
      return 'hardlink';
    default:
      return 'other';
  }
}

function tarError(error: unknown, what: string): Error {
  const message = (error as Error).message ?? String(error);
  if (message.startsWith(what)) return error as Error;
  return new Error(`${what}: ${/Unexpected end of data|Invalid tar header|checksum/i.test(message) ? `truncated or corrupt tar: ${message}` : message}`);
}
