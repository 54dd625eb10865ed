import type { Check, InventoryViolation, ObjectCheck, Violation, WorkloadCheck } from '../model/check.js';
import { isInventoryCheck, isObjectCheck, isWorkloadCheck } from '../model/check.js';
import type { CheckContext } from '../model/check-context.js';
import type { KubeObject, Resource, ResourceRef } from '../model/resource.js';
import { refOf } from '../model/resource.js';
import { workloadOf } from '../k8s/workload.js';
import type { Workload } from '../k8s/workload.js';
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

/** Which checks run on what, derived once per list of checks (a scan runs the same list on every document). */
interface CheckDispatch {
  workloadChecks: readonly WorkloadCheck[];
  byKind: ReadonlyMap<string, readonly ObjectCheck[]>;
  hasInventoryChecks: boolean;
}

const dispatches = new WeakMap<readonly Check[], CheckDispatch>();

function dispatchOf(checks: readonly Check[]): CheckDispatch {
  let dispatch = dispatches.get(checks);
  if (dispatch) return dispatch;
  const byKind = new Map<string, ObjectCheck[]>();
  for (const check of checks.filter(isObjectCheck)) {
    for (const kind of check.target.kinds) {
      let list = byKind.get(kind);
      if (!list) byKind.set(kind, (list = []));
      list.push(check);
    }
  }
  dispatch = { workloadChecks: checks.filter(isWorkloadCheck), byKind, hasInventoryChecks: checks.some(isInventoryCheck) };
  dispatches.set(checks, dispatch);
  return dispatch;
}

/**
 * Runs checks over resources. Pure: the same input gives the same output in the CLI, the webhook and a cluster
 * scan. Which checks apply to an object is read from each check's `target`, never from its id.
 */
export function runChecks(resources: readonly Resource[], checks: readonly Check[], ctx: CheckContext): CheckRun {
  const run: CheckRun = { findings: [], failures: [] };
  const dispatch = dispatchOf(checks);
  for (const resource of resources) {
    const workload = dispatch.workloadChecks.length > 0 ? workloadOf(resource.object) : undefined;
    runObjectChecks(resource, workload, dispatch, ctx, run);
  }
  if (dispatch.hasInventoryChecks) for (const finding of runInventoryChecks(resources, checks, ctx, run.failures)) run.findings.push(finding);
  return run;
}

/**
 * The workload and object checks among `checks` on one resource whose workload view (workloadOf) the caller has
 * already made, adding to `run`. No inventory check runs here.
 */
export function runChecksOnResource(resource: Resource, workload: Workload | undefined, checks: readonly Check[], ctx: CheckContext, run: CheckRun): void {
  runObjectChecks(resource, workload, dispatchOf(checks), ctx, run);
}

// A loop per kind of check rather than a closure per evaluation: a scan makes ~600,000 evaluations.
function runObjectChecks(resource: Resource, workload: Workload | undefined, dispatch: CheckDispatch, ctx: CheckContext, run: CheckRun): void {
  if (workload) {
    for (const check of dispatch.workloadChecks) {
      let violations: Violation[];
      try {
        violations = check.evaluate(workload, ctx);
      } catch (error) {
        run.failures.push(failureOf(check, resource, error));
        continue;
      }
      for (const violation of violations) run.findings.push({ check, violation, ref: resource.ref, resource });
    }
  }
  const kind = typeof resource.object.kind === 'string' ? resource.object.kind : '';
  for (const check of dispatch.byKind.get(kind) ?? []) {
    let violations: Violation[];
    try {
      violations = check.evaluate(resource.object, ctx);
    } catch (error) {
      run.failures.push(failureOf(check, resource, error));
      continue;
    }
    for (const violation of violations) run.findings.push({ check, violation, ref: resource.ref, resource });
  }
}

function failureOf(check: Check, resource: Resource, error: unknown): CheckFailure {
  return { checkId: check.id, ref: resource.ref, resource, message: (error as Error).message };
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
  /** Objects whose verdict of a check, given alone, stands (InventoryCheck.alone): never reported again here. */
  judged?: (checkId: string, object: KubeObject) => boolean,
): RawFinding[] {
  const findings: RawFinding[] = [];
  const inventoryChecks = checks.filter(isInventoryCheck);
  if (inventoryChecks.length > 0) {
    const resourceOf = new Map<KubeObject, Resource>(resources.map((r) => [r.object, r]));
    const inventory = new Inventory(resources.map((r) => r.object));
    for (const check of inventoryChecks) {
      try {
        const judgedHere = judged && check.alone ? (object: KubeObject) => judged(check.id, object) : undefined;
        for (const violation of check.evaluate(inventory, ctx, judgedHere)) {
          if (judgedHere && 'object' in violation.subject && judgedHere(violation.subject.object)) continue;
          findings.push(locateSubject(check, violation, resourceOf));
        }
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
