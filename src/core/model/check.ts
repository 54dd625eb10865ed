import type { FieldPath } from './field-path.js';
import type { KubeObject, ResourceRef } from './resource.js';
import type { Severity } from './severity.js';
import type { Workload } from '../k8s/workload.js';
import type { Inventory } from '../engine/inventory.js';
import type { CheckContext } from './check-context.js';

/** One JSON Patch (RFC 6902) operation a user can apply to fix a finding. Paths are relative to the object. */
export type PatchOperation =
  | { op: 'add' | 'replace' | 'test'; path: string; value: unknown }
  | { op: 'remove'; path: string };

/** What a check reports: the field that is wrong, in words, with the observed value. */
export interface Violation {
  path: FieldPath;
  message: string;
  /** The observed value that made the check fail (never a secret's value). */
  evidence?: unknown;
  fix?: PatchOperation[];
}

/** A violation of a cross-object check, naming the object it is about. */
export interface InventoryViolation extends Violation {
  /** The object the finding is about; a ref when the object is absent from the input (e.g. a namespace only referenced). */
  subject: { object: KubeObject } | { ref: ResourceRef };
}

export interface CheckMeta {
  /** Stable kebab-case id, equal to the check's folder name. */
  id: string;
  title: string;
  severity: Severity;
  /** Folder under src/checks/ the check lives in (pod-security, workload, rbac, network, namespace…). */
  category: string;
  rationale: string;
  remediation: string;
  references: string[];
  /** Former ids, kept so existing waivers and configs keep working after a rename. */
  aliases?: string[];
  /** Opt-in checks run only when enabled in `.aspis.yaml` (e.g. they need settings such as a registry allowlist). */
  optIn?: boolean;
}

/** Evaluated once per workload (any object carrying a pod spec: Pod, Deployment, CronJob…). */
export interface WorkloadCheck extends CheckMeta {
  target: { workloads: true };
  evaluate(workload: Workload, ctx: CheckContext): Violation[];
}

/** Evaluated once per object of the listed kinds. */
export interface ObjectCheck extends CheckMeta {
  target: { kinds: readonly string[] };
  evaluate(object: KubeObject, ctx: CheckContext): Violation[];
}

/** Evaluated once over every object of the input, for findings that need several objects. */
export interface InventoryCheck extends CheckMeta {
  target: { inventory: readonly string[] };
  /** `judged`, for a check with `alone`: objects whose verdict alone stands, which the result may leave out. */
  evaluate(inventory: Inventory, ctx: CheckContext, judged?: (object: KubeObject) => boolean): InventoryViolation[];
  /**
   * For a check whose verdict on an object depends on nothing but the object itself and the objects of `unlessKinds`
   * (kinds of `target.inventory`) in its namespace: its verdict on one object when that namespace holds none of them.
   * A scan then reports those violations while it reads the object, in every thread, instead of at its end, and uses
   * them unless the input turns out to hold such an object in the namespace (scan-batch.ts, scan-session.ts).
   * `evaluate` returns undefined for an object it cannot judge alone; otherwise exactly what `InventoryCheck.evaluate`
   * reports about the object (subject the object itself) in such an input.
   */
  alone?: {
    unlessKinds: readonly string[];
    evaluate(object: KubeObject, ctx: CheckContext): InventoryViolation[] | undefined;
  };
}

export type Check = WorkloadCheck | ObjectCheck | InventoryCheck;

export function isWorkloadCheck(check: Check): check is WorkloadCheck {
  return 'workloads' in check.target;
}
export function isObjectCheck(check: Check): check is ObjectCheck {
  return 'kinds' in check.target;
}
export function isInventoryCheck(check: Check): check is InventoryCheck {
  return 'inventory' in check.target;
}
