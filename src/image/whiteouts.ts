/**
 * Whiteouts of the OCI image layer spec (and AUFS before it): an entry named `.wh.<name>` deletes `<name>` from
 * the layers below; `.wh..wh..opq` in a directory hides everything the layers below put in that directory. Both
 * apply to lower layers only, never to entries of their own layer.
 */
import { baseName, parentPath } from './tar-entry-path.js';

export const WHITEOUT_PREFIX = '.wh.';
export const OPAQUE_MARKER = '.wh..wh..opq';

export type WhiteoutMeaning = { kind: 'opaque'; directory: string } | { kind: 'delete'; path: string } | undefined;

/** What a normalised entry path means as a whiteout, or undefined for an ordinary entry. */
export function whiteoutMeaning(path: string): WhiteoutMeaning {
  const name = baseName(path);
  if (!name.startsWith(WHITEOUT_PREFIX)) return undefined;
  const directory = parentPath(path);
  if (name === OPAQUE_MARKER) return { kind: 'opaque', directory };
  const deleted = name.slice(WHITEOUT_PREFIX.length);
  return { kind: 'delete', path: directory === '/' ? `/${deleted}` : `${directory}/${deleted}` };
}
