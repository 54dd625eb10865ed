/**
 * Symbolic links resolved inside the image, the way the kernel resolves them in a container whose root is the
 * image: absolute targets start at the image root, and ".." stops at the root. A link can therefore never lead
 * outside the image, whatever it says (`../../../../etc/shadow` is the image's /etc/shadow).
 */
export interface LinkLookup {
  (path: string): { readonly linkTarget?: string } | undefined;
}

export const MAX_SYMLINK_HOPS = 40;

/** The path with every symlink along it (in any component) followed; throws on loops. */
export function resolveInImage(path: string, lookup: LinkLookup): string {
  let pending = path.split('/');
  const current: string[] = [];
  let hops = 0;
  while (pending.length > 0) {
    const segment = pending.shift()!;
    if (segment === '' || segment === '.') continue;
    if (segment === '..') {
      current.pop();
      continue;
    }
    const candidate = `/${[...current, segment].join('/')}`;
    const target = lookup(candidate)?.linkTarget;
    if (target !== undefined) {
      if (++hops > MAX_SYMLINK_HOPS) throw new Error(`${path}: more than ${MAX_SYMLINK_HOPS} symbolic links (a loop?)`);
      pending = [...target.split('/'), ...pending];
      if (target.startsWith('/')) current.length = 0;
      continue;
    }
    current.push(segment);
  }
  return `/${current.join('/')}`;
}

/** Where a link points if no directory on the way is itself a link (a cheap first guess, confirmed later). */
export function lexicalLinkTarget(linkPath: string, target: string): string {
  return resolveInImage(target.startsWith('/') ? target : `${linkPath.slice(0, linkPath.lastIndexOf('/'))}/${target}`, () => undefined);
}
