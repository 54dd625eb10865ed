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
  // One entry per verdict, in columns: this is kept for every workload of a scan.
  private readonly objects: KubeObject[] = [];
  private readonly owners: number[] = [];
  private readonly checkIds: string[] = [];
  private readonly namespaces: string[] = [];

  /**
   * The verdicts of a batch whose first object is object `base` of the report, with the batch's kept objects (the
   * projections the verdicts were given on; both lists in object order).
   */
  add(verdicts: readonly ProvisionalVerdict[], retained: readonly { resource: Resource; owner: number }[], base: number): void {
    let kept = 0;
    for (const { owner, checkId, namespace } of verdicts) {
      while (retained[kept]!.owner < owner) kept++;
      this.objects.push(retained[kept]!.resource.object);
      this.owners.push(base + owner);
      this.checkIds.push(checkId);
      this.namespaces.push(namespace);
    }
  }

  /** Settles the verdicts against the objects kept for the inventory checks. */
  settle(checks: readonly InventoryCheck[], retained: readonly Resource[]): Settlement {
    const blocked = new Map<string, Set<string>>();
    for (const check of checks) {
      const kinds = new Set(check.alone?.unlessKinds ?? []);
      const namespaces = new Set<string>();
      for (const { object } of retained) if (typeof object.kind === 'string' && kinds.has(object.kind)) namespaces.add(namespaceOf(object));
      blocked.set(check.id, namespaces);
    }
    const standing = new Map<string, Set<KubeObject>>();
    const fallen = new Map<string, Set<number>>();
    for (let i = 0; i < this.objects.length; i++) {
      const checkId = this.checkIds[i]!;
      if (blocked.get(checkId)?.has(this.namespaces[i]!) ?? true) setIn(fallen, checkId).add(this.owners[i]!);
      else setIn(standing, checkId).add(this.objects[i]!);
    }
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
