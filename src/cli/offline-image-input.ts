/**
 * Whether reading an image input would go to a registry, decided by the same rules openImage follows
 * (src/sources/image/open-image.ts): `registry:` and `docker:` always do; `oci:`, `oci-archive:` and
 * `docker-archive:` never do; without a prefix, an existing path (PATH or PATH:NAME) is local and anything else a
 * registry reference. `--offline` refuses the registry ones before anything is read.
 */
import { existsSync } from 'node:fs';

const LOCAL_TRANSPORTS = ['oci:', 'oci-archive:', 'docker-archive:'];
const REGISTRY_TRANSPORTS = ['registry:', 'docker:'];

export function imageInputUsesRegistry(input: string): boolean {
  if (REGISTRY_TRANSPORTS.some((prefix) => input.startsWith(prefix))) return true;
  if (LOCAL_TRANSPORTS.some((prefix) => input.startsWith(prefix))) return false;
  if (existsSync(input)) return false;
  for (let colon = input.indexOf(':'); colon > 0; colon = input.indexOf(':', colon + 1)) {
    if (existsSync(input.slice(0, colon))) return false;
  }
  return true;
}
