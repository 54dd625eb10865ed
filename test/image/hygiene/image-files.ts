/** Test harness: the headers (no content) of a real directory tree, as ImageFiles of one layer. */
import { lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ImageFile } from '../../../src/image/catalogers/cataloger.js';

export function imageFilesUnder(dirs: readonly string[], layerDigest = 'sha256:host'): ImageFile[] {
  const files: ImageFile[] = [];
  const walk = (dir: string): void => {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return;
    }
    for (const name of names) {
      const path = join(dir, name);
      const stat = lstatSync(path);
      if (stat.isDirectory()) walk(path);
      else files.push({ path, mode: stat.mode, size: stat.size, layerDigest, uid: stat.uid, gid: stat.gid });
    }
  };
  for (const dir of dirs) walk(dir);
  return files;
}
