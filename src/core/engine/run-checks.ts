import type { Check, InventoryViolation, ObjectCheck, Violation } from '../model/check.js';
import { isInventoryCheck, isObjectCheck, isWorkloadCheck } from '../model/check.js';
import type { CheckContext } from '../model/check-context.js';
import type { KubeObject, Resource, ResourceRef } from '../model/resource.js';
import { refOf } from '../model/resource.js';
import { workloadOf } from '../k8s/workload.js';
import { Inventory } from './inventory.js';

/** One violation of one check, tied to the resource it was found on (absent for objects only referenced). */
export interface RawFinding {
  check: Check;
  violation: Violation;
  ref: ResourceRef;
  resource?: Resource;
}

/** A check that threw: reported as an error for that object, never a silent pass. */
export interface CheckFailure {
  checkId: string;
  ref: ResourceRef;
  resource?: Resource;
  message: string;
}

export interface CheckRun {
  findings: RawFinding[];
  failures: CheckFailure[];
}

/**
 * Runs checks over resources. Pure: the same input gives the same output in the CLI, the webhook and a cluster
 * scan. Which checks apply to an object is read from each check's `target`, never from its id.
 */
export function runChecks(resources: readonly Resource[], checks: readonly Check[], ctx: CheckContext): CheckRun {
  const run: CheckRun = { findings: [], failures: [] };
  const byKind = new Map<string, ObjectCheck[]>();
  const workloadChecks = checks.filter(isWorkloadCheck);
  for (const check of checks.filter(isObjectCheck)) {
    for (const kind of check.target.kinds) {
      let list = byKind.get(kind);
      if (!list) byKind.set(kind, (list = []));
      list.push(check);
    }
  }

  const attempt = (check: Check, resource: Resource, evaluate: () => Violation[]) => {
    try {
      for (const violation of evaluate()) run.findings.push({ check, violation, ref: resource.ref, resource });
    } catch (error) {
      run.failures.push({ checkId: check.id, ref: resource.ref, resource, message: (error as Error).message });
    }
  };

  for (const resource of resources) {
    const workload = workloadChecks.length > 0 ? workloadOf(resource.object) : undefined;
    if (workload) for (const check of workloadChecks) attempt(check, resource, () => check.evaluate(workload, ctx));
    const kind = typeof resource.object.kind === 'string' ? resource.object.kind : '';
    for (const check of byKind.get(kind) ?? []) attempt(check, resource, () => check.evaluate(resource.object, ctx));
  }

  for (const finding of runInventoryChecks(resources, checks, ctx, run.failures)) run.findings.push(finding);
  return run;
}

/**
 * Runs the inventory (cross-object) checks among `checks` over `resources`, pushing check failures to `failures`.
 * A streaming scan passes only the resources it retained for them (the kinds their `target.inventory` lists).
 */
export function runInventoryChecks(
  resources: readonly Resource[],
  checks: readonly Check[],
  ctx: CheckContext,
  failures: CheckFailure[],
): RawFinding[] {
  const findings: RawFinding[] = [];
  const inventoryChecks = checks.filter(isInventoryCheck);
  if (inventoryChecks.length > 0) {
    const resourceOf = new Map<KubeObject, Resource>(resources.map((r) => [r.object, r]));
    const inventory = new Inventory(resources.map((r) => r.object));
    for (const check of inventoryChecks) {
      try {
        for (const violation of check.evaluate(inventory, ctx)) findings.push(locateSubject(check, violation, resourceOf));
      } catch (error) {
        failures.push({ checkId: check.id, ref: { apiVersion: '', kind: '', name: '' }, message: (error as Error).message });
      }
    }
  }
  return findings;
}

function locateSubject(check: Check, violation: InventoryViolation, resourceOf: Map<KubeObject, Resource>): RawFinding {
  const { subject, ...rest } = violation;
  if ('ref' in subject) return { check, violation: rest, ref: subject.ref };
  const resource = resourceOf.get(subject.object);
  return resource ? { check, violation: rest, ref: resource.ref, resource } : { check, violation: rest, ref: refOf(subject.object) };
}
