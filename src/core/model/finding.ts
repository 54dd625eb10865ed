import type { PatchOperation } from './check.js';
import type { ResourceRef } from './resource.js';
import type { Severity } from './severity.js';

export interface FindingLocation {
  file: string;
  line: number;
  column: number;
}

/** A framework control a check maps to (derived from frameworks/, never written in a check); see `Report.checks`. */
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

/**
 * One violation of one check on one object. What is the same for every finding of a check (title, category,
 * remediation, framework controls…) is in `Report.checks`, once per check, as SARIF does with its rules.
 */
export interface Finding {
  checkId: string;
  /** Severity of the check, as configured. */
  severity: Severity;
  resource: ResourceRef;
  /** Formatted field path (`spec.containers[0].securityContext.privileged`). */
  path: string;
  location?: FindingLocation;
  message: string;
  evidence?: unknown;
  fix?: PatchOperation[];
  waiver?: AppliedWaiver;
}
