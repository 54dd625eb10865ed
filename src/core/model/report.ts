import type { CheckMeta } from './check.js';
import type { ControlRef, Finding } from './finding.js';
import type { ResourceRef } from './resource.js';
import type { Severity } from './severity.js';

export const REPORT_SCHEMA_VERSION = 'aspis.dev/report/v1';

/** Input that could not be read or understood. The rest of the input is still processed; the exit code says it failed. */
export interface InputError {
  /** File (or `-` for stdin) or object (`Kind/ns/name`) the error is about. */
  source: string;
  line?: number;
  column?: number;
  /** Field path when the error is about one field of an object. */
  field?: string;
  message: string;
}

/** The error with its keys in schema order (errors are built in several modules; reports write keys as built). */
export function orderedInputError(error: InputError): InputError {
  const { source, line, column, field, message } = error;
  return {
    source,
    ...(line !== undefined ? { line } : {}),
    ...(column !== undefined ? { column } : {}),
    ...(field !== undefined ? { field } : {}),
    message,
  };
}

export type PssLevel = 'privileged' | 'baseline' | 'restricted';

export interface ObjectSummary {
  resource: ResourceRef;
  file?: string;
  line?: number;
  /** Highest Pod Security Standards level the object's pod spec satisfies (workloads only). */
  pssLevel?: PssLevel;
  findings: number;
}

export interface WaiverReport {
  declaredAt: string;
  checks: string[];
  reason: string;
  expires?: string;
  /** Why it is listed: expired waivers stop applying; unused ones matched nothing. */
  status: 'expired' | 'unused' | 'invalid';
  message: string;
}

/** A check that ran, with what its findings share: the findings name it by `checkId`. Severity is as configured. */
export type CheckSummary = Pick<CheckMeta, 'id' | 'title' | 'severity' | 'category' | 'rationale' | 'remediation' | 'references' | 'aliases'> & {
  /** Framework controls the check evidences. */
  controls: ControlRef[];
};

export interface Report {
  schemaVersion: typeof REPORT_SCHEMA_VERSION;
  tool: { name: 'aspis'; version: string };
  generatedAt: string;
  /** What was scanned: file paths, `-` for stdin, a cluster context… */
  inputs: string[];
  pssVersion: string;
  frameworks?: string[];
  summary: {
    objects: number;
    findings: number;
    waived: number;
    errors: number;
    bySeverity: Record<Severity, number>;
  };
  /** The checks that ran, sorted by id. */
  checks: CheckSummary[];
  objects: ObjectSummary[];
  /** Findings in effect (not waived), sorted by file, line, check. */
  findings: Finding[];
  /** Findings a waiver suppressed, each with the waiver that applied. */
  waived: Finding[];
  waivers: WaiverReport[];
  errors: InputError[];
}
