/**
 * Names of tar entries in a layer, as absolute normalised paths ("/usr/bin/env"). Layers are rooted at the image's
 * "/": a leading "/" or "./" is dropped, as container runtimes do. A name whose ".." would climb above the root is
 * refused (Docker refuses such layers as a breakout); Aspis reports it and skips the entry, and never writes it anywhere.
 */
export class TarPathError extends Error {}

export function normalizeEntryPath(name: string): string {
  if (name.includes('\0')) throw new TarPathError(`tar entry name contains a NUL byte: ${JSON.stringify(name)}`);
  const segments: string[] = [];
  for (const segment of name.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') {
      if (segments.length === 0) throw new TarPathError(`tar entry "${name}" climbs above the image root ("..")`);
      segments.pop();
      continue;
    }
    segments.push(segment);
  }
  return `/${segments.join('/')}`;
}

export function parentPath(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash <= 0 ? '/' : path.slice(0, slash);
}

export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** Every proper ancestor of an absolute path, nearest first, without "/" ("/a/b/c" → "/a/b", "/a"). */
export function* ancestors(path: string): Generator<string> {
  let end = path.lastIndexOf('/');
  while (end > 0) {
    yield path.slice(0, end);
    end = path.lastIndexOf('/', end - 1);
  }
}
