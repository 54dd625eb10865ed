import type { PatchOperation } from './check.js';
import type { FieldPath } from './field-path.js';
import type { ResourceRef } from './resource.js';
import type { Severity } from './severity.js';

export interface FindingLocation {
  file: string;
  line: number;
  column: number;
}

/** A framework control a check maps to (derived from frameworks/, never written in a check). */
export interface ControlRef {
  framework: string;
  id: string;
  title: string;
}

export interface AppliedWaiver {
  source: 'config' | 'annotation';
  reason: string;
  owner?: string;
  expires?: string;
  /** Where the waiver was written: `.aspis.yaml:12` or the annotation key. */
  declaredAt: string;
}

export interface Finding {
  checkId: string;
  title: string;
  severity: Severity;
  category: string;
  resource: ResourceRef;
  /** Formatted field path (`spec.containers[0].securityContext.privileged`). */
  path: string;
  fieldPath: FieldPath;
  location?: FindingLocation;
  message: string;
  evidence?: unknown;
  remediation: string;
  fix?: PatchOperation[];
  controls: ControlRef[];
  waiver?: AppliedWaiver;
}
