/**
 * Test harness: offers the files of a real directory tree to catalogers the way an image source does (one
 * ImageFile per entry, content only for wanted files, symlinks offered with their target's content).
 */
import { lstatSync, readdirSync, readlinkSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type { Cataloger, CatalogInput, FileContent, ImageFile } from '../../../src/image/catalogers/cataloger.js';

/** Reads on demand from a file on disk, as a source spilling large files to its cache would. */
export function diskContent(path: string): FileContent {
  const size = statSync(path).size;
  return {
    size,
    async read(offset, length) {
      const handle = await open(path, 'r');
      try {
        const n = Math.max(0, Math.min(length, size - offset));
        const buffer = new Uint8Array(n);
        const { bytesRead } = await handle.read(buffer, 0, n, offset);
        return buffer.subarray(0, bytesRead);
      } finally {
        await handle.close();
      }
    },
  };
}

function* walk(dir: string): Generator<string> {
  if (!lstatSync(dir, { throwIfNoEntry: false })?.isDirectory()) {
    if (lstatSync(dir, { throwIfNoEntry: false })) yield dir;
    return;
  }
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names.sort()) {
    const path = join(dir, name);
    const stat = lstatSync(path);
    if (stat.isDirectory()) yield* walk(path);
    else yield path;
  }
}

/** The files under `root`/`subdir` (each subdir walked; default the whole root) that any of `catalogers` wants. */
export function directoryInputs(
  root: string,
  catalogers: readonly Cataloger[],
  options: { subdirs?: readonly string[]; layerDigest?: string } = {},
): CatalogInput[] {
  const inputs: CatalogInput[] = [];
  const layerDigest = options.layerDigest ?? 'sha256:test-layer';
  for (const subdir of options.subdirs ?? ['']) {
    for (const path of walk(join(root, subdir))) {
      const stat = lstatSync(path);
      const imagePath = `/${relative(root, path).split(sep).join('/')}`;
      const file: ImageFile = {
        path: imagePath,
        mode: stat.mode,
        size: stat.size,
        ...(stat.isSymbolicLink() ? { linkTarget: readlinkSync(path) } : {}),
        layerDigest,
        uid: stat.uid,
        gid: stat.gid,
      };
      if (!catalogers.some((c) => c.wants(file))) continue;
      try {
        inputs.push({ file, content: diskContent(path) });
      } catch {
        // dangling symlink: nothing to read
      }
    }
  }
  return inputs;
}
