/**
 * Reads policy folders and fixture files for `aspis policy test` and `aspis scan --policies`: every YAML/JSON file
 * under the given paths (the manifests source's rules), with each object's file:line for messages.
 */
import type { InputError } from '../../core/model/report.js';
import type { KubeObject } from '../../core/model/resource.js';
import { loadManifests } from '../../sources/manifests/load-manifests.js';

export interface LoadedObjects {
  objects: KubeObject[];
  /** `file:line` of an object read here. */
  sourceOf: (object: KubeObject) => string | undefined;
  errors: InputError[];
}

export async function loadObjects(paths: string[], cwd?: string): Promise<LoadedObjects> {
  const loaded = await loadManifests(paths, cwd ? { cwd } : {});
  const sources = new WeakMap<KubeObject, string>();
  for (const resource of loaded.resources) {
    if (resource.origin.type !== 'file') continue;
    const line = resource.origin.locator?.locate([])?.line;
    sources.set(resource.object, line ? `${resource.origin.file}:${line}` : resource.origin.file);
  }
  return { objects: loaded.resources.map((r) => r.object), sourceOf: (object) => sources.get(object), errors: loaded.errors };
}
