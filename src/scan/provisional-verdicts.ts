import type { InventoryCheck } from '../core/model/check.js';
import type { KubeObject, Resource } from '../core/model/resource.js';
import { namespaceOf } from './scan-batch.js';
import type { ProvisionalVerdict } from './scan-batch.js';

/** Which provisional verdicts stand, once every object is known (ProvisionalVerdicts.settle). */
export interface Settlement {
  /** Whether the check's verdict on the object stands: its evaluation over the inventory must not report it again. */
  stands(checkId: string, object: KubeObject): boolean;
  /** Whether the check's finding on object `owner` (index in the report's objects) is from a verdict that fell. */
  fell(checkId: string, owner: number): boolean;
  /** Whether some verdict fell (so some findings already rendered must be left out). */
  readonly anyFell: boolean;
}

/**
 * The verdicts inventory checks gave on objects alone while a scan read them (InventoryCheck.alone, scan-batch.ts),
 * settled at its end: a verdict stands unless the input holds an object of the check's `unlessKinds` in the object's
 * namespace; then its findings are left out and the check judges the object over the whole inventory, as any other.
 */
export class ProvisionalVerdicts {
  private readonly verdicts: ProvisionalVerdict[] = [];

  /** Verdicts of a batch whose first object is object `base` of the report. */
  add(verdicts: readonly ProvisionalVerdict[], base: number): void {
    for (const verdict of verdicts) this.verdicts.push({ ...verdict, owner: base + verdict.owner });
  }

  /** Settles the verdicts against the objects kept for the inventory checks (`ownerOf`: their index in the report). */
  settle(checks: readonly InventoryCheck[], retained: readonly Resource[], ownerOf: (resource: Resource) => number): Settlement {
    const blocked = new Map<string, Set<string>>();
    for (const check of checks) {
      const kinds = new Set(check.alone?.unlessKinds ?? []);
      const namespaces = new Set<string>();
      for (const { object } of retained) if (typeof object.kind === 'string' && kinds.has(object.kind)) namespaces.add(namespaceOf(object));
      blocked.set(check.id, namespaces);
    }
    const resourceAt = new Map<number, Resource>();
    for (const resource of retained) resourceAt.set(ownerOf(resource), resource);
    const standing = new Map<string, Set<KubeObject>>();
    const fallen = new Map<string, Set<number>>();
    for (const { owner, checkId, namespace } of this.verdicts) {
      if (blocked.get(checkId)?.has(namespace) ?? true) setIn(fallen, checkId).add(owner);
      else setIn(standing, checkId).add(resourceAt.get(owner)!.object);
    }
    this.verdicts.length = 0;
    return {
      stands: (checkId, object) => standing.get(checkId)?.has(object) ?? false,
      fell: (checkId, owner) => fallen.get(checkId)?.has(owner) ?? false,
      anyFell: fallen.size > 0,
    };
  }
}

function setIn<T>(map: Map<string, Set<T>>, key: string): Set<T> {
  let set = map.get(key);
  if (!set) map.set(key, (set = new Set()));
  return set;
}
