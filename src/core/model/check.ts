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
  evaluate(inventory: Inventory, ctx: CheckContext): InventoryViolation[];
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
