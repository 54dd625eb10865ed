/**
 * Objects a workload controller created from its template (a Deployment's ReplicaSets, their Pods, a CronJob's Jobs…)
 * repeat the controller's pod spec: scanning them too would report every problem of a Deployment three times, once
 * per level, which users of kubescape and Polaris do not expect. An object is left out of the findings when its
 * controller (the ownerReference with `controller: true`) is a workload kind of this scan that was itself read, or
 * left out for the same reason; a Pod whose ReplicaSet could not be read (403, label selector) is scanned itself.
 * Controllers are therefore listed before what they control (see listingOrder).
 */
import type { KubeObject } from '../../core/model/resource.js';
import { groupOf } from '../../core/model/resource.js';
import type { ScannedKind } from './scanned-kinds.js';

/** Which workload kinds a kind's objects are created by, as `group/Kind`. */
const CONTROLLERS_OF: Readonly<Record<string, readonly string[]>> = {
  '/Pod': ['apps/ReplicaSet', 'batch/Job', 'apps/DaemonSet', 'apps/StatefulSet', '/ReplicationController'],
  'apps/ReplicaSet': ['apps/Deployment'],
  'batch/Job': ['batch/CronJob'],
};

function keyOf(group: string, kind: string): string {
  return `${group}/${kind}`;
}

/** The kinds in an order where each comes after the kinds that can control it; otherwise as given. */
export function listingOrder(kinds: readonly ScannedKind[]): ScannedKind[] {
  const depth = (key: string, seen: ReadonlySet<string> = new Set()): number => {
    const controllers = CONTROLLERS_OF[key] ?? [];
    let deepest = 0;
    for (const controller of controllers) {
      if (seen.has(controller)) continue;
      deepest = Math.max(deepest, 1 + depth(controller, new Set([...seen, key])));
    }
    return deepest;
  };
  return kinds
    .map((kind, index) => ({ kind, index, depth: depth(keyOf(kind.group, kind.kind)) }))
    .sort((a, b) => a.depth - b.depth || a.index - b.index)
    .map((entry) => entry.kind);
}

export class ControllerCoverage {
  /** `group/Kind` of the kinds of this scan that control others. */
  private readonly controllerKinds: ReadonlySet<string>;
  /** UIDs of controllers read so far (scanned, or covered by their own controller). */
  private readonly covered = new Set<string>();

  constructor(kinds: readonly ScannedKind[]) {
    const scanned = new Set(kinds.map((kind) => keyOf(kind.group, kind.kind)));
    const controllers = new Set<string>();
    for (const [controlled, of] of Object.entries(CONTROLLERS_OF)) {
      if (!scanned.has(controlled)) continue;
      for (const controller of of) if (scanned.has(controller)) controllers.add(controller);
    }
    this.controllerKinds = controllers;
  }

  /** Whether the object's controller is a workload already read in this scan. */
  isCovered(object: KubeObject): boolean {
    const owners = object.metadata?.['ownerReferences'];
    if (!Array.isArray(owners)) return false;
    for (const owner of owners) {
      if (owner === null || typeof owner !== 'object') continue;
      const { controller, apiVersion, kind, uid } = owner as Record<string, unknown>;
      if (controller !== true || typeof apiVersion !== 'string' || typeof kind !== 'string' || typeof uid !== 'string') continue;
      return this.controllerKinds.has(keyOf(groupOf(apiVersion), kind)) && this.covered.has(uid);
    }
    return false;
  }

  /** Records an object read (scanned or covered), so that what it controls is known to be covered. */
  record(object: KubeObject, kind: ScannedKind): void {
    if (!this.controllerKinds.has(keyOf(kind.group, kind.kind))) return;
    const uid = object.metadata?.uid;
    if (typeof uid === 'string') this.covered.add(uid);
  }
}
