import type { Check } from '../core/model/check.js';
import type { CheckContext } from '../core/model/check-context.js';
import { formatPssVersion } from '../core/model/check-context.js';
import { formatFieldPath } from '../core/model/field-path.js';
import type { AppliedWaiver, Finding, FindingLocation } from '../core/model/finding.js';
import type { CheckSummary, InputError, ObjectSummary, Report } from '../core/model/report.js';
import { REPORT_SCHEMA_VERSION } from '../core/model/report.js';
import type { Resource } from '../core/model/resource.js';
import { formatRef } from '../core/model/resource.js';
import { SEVERITIES } from '../core/model/severity.js';
import type { Severity } from '../core/model/severity.js';
import type { Waiver } from '../core/model/waiver.js';
import type { FieldPath } from '../core/model/field-path.js';
import { runChecks } from '../core/engine/run-checks.js';
import type { RawFinding } from '../core/engine/run-checks.js';
import { applyWaivers } from '../core/engine/apply-waivers.js';
import { annotationWaivers } from '../core/engine/annotation-waivers.js';
import { workloadOf } from '../core/k8s/workload.js';
import { controlsOf } from '../frameworks/index.js';
import { pssLevelFrom } from '../frameworks/pss.js';

export interface ScanRequest {
  resources: readonly Resource[];
  /** Errors met while reading the input; reported, and they make the scan fail. */
  inputErrors: readonly InputError[];
  /** The checks to run, already selected and with configured severities. */
  checks: readonly Check[];
  /** Every known check (selected or not), so waivers can name former ids and typos are told apart from disabled checks. */
  catalog: readonly Check[];
  ctx: CheckContext;
  waivers: readonly Waiver[];
  /** The clock is an input: waiver expiry is decided against it, so the same request gives the same report. */
  now: Date;
  inputs: string[];
  frameworks?: string[];
  toolVersion: string;
}

/**
 * The one scan pipeline shared by every surface (CLI, cluster scan, webhook): run checks, locate findings,
 * derive framework controls, apply waivers, compute each workload's Pod Security level, summarise.
 */
export function buildReport(request: ScanRequest): Report {
  const { resources, ctx } = request;
  const run = runChecks(resources, request.checks, ctx);
  const resourceOf = new Map<Finding, Resource>();
  const failedChecks = new Map<Resource, Set<string>>();
  const findings = run.findings.map((raw) => {
    const finding = toFinding(raw);
    if (raw.resource) {
      resourceOf.set(finding, raw.resource);
      let failed = failedChecks.get(raw.resource);
      if (!failed) failedChecks.set(raw.resource, (failed = new Set()));
      failed.add(raw.check.id);
    }
    return finding;
  });
  const ranChecks = new Set(request.checks.map((check) => check.id));
  const errors: InputError[] = [...request.inputErrors];
  for (const failure of run.failures) {
    errors.push({ source: formatRef(failure.ref), message: `check ${failure.checkId} failed: ${failure.message}` });
  }

  const waivers = [...request.waivers];
  for (const resource of resources) waivers.push(...annotationWaivers(resource, { checks: request.catalog }));
  // applyWaivers keeps finding identity for active findings, so counts per object follow the same map.
  const applied = applyWaivers(findings, waivers, (f) => resourceOf.get(f)?.object.metadata?.labels, request.now, {
    checks: request.catalog,
  });

  const active = applied.active.sort(compareFindings);
  const waived = applied.waived.sort(compareFindings);
  const activeByResource = new Map<Resource, number>();
  for (const finding of active) {
    const resource = resourceOf.get(finding);
    if (resource) activeByResource.set(resource, (activeByResource.get(resource) ?? 0) + 1);
  }

  const objects: ObjectSummary[] = resources.map((resource) => {
    // Keys in schema order (resource, file, line, pssLevel, findings): the JSON output writes objects as built.
    const summary = { resource: resource.ref } as ObjectSummary;
    const where = locationOf(resource, []);
    if (where) {
      summary.file = where.file;
      summary.line = where.line;
    } else if (resource.origin.type === 'file') summary.file = resource.origin.file;
    const workload = workloadOf(resource.object);
    if (workload) {
      // Checks that ran answer from their findings (waived or not: the level describes the pod, not the policy).
      const failed = failedChecks.get(resource);
      summary.pssLevel = pssLevelFrom(
        (check) => (ranChecks.has(check.id) ? (failed?.has(check.id) ?? false) : check.evaluate(workload, ctx).length > 0),
        ctx.pssVersion,
      );
    }
    summary.findings = activeByResource.get(resource) ?? 0;
    return summary;
  });

  const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  for (const finding of active) bySeverity[finding.severity] += 1;

  // What every finding of a check shares is listed once per check that ran (as SARIF rules are).
  const checks: CheckSummary[] = [...request.checks]
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .map((check) => ({
      id: check.id,
      title: check.title,
      severity: check.severity,
      category: check.category,
      rationale: check.rationale,
      remediation: check.remediation,
      references: [...check.references],
      ...(check.aliases && check.aliases.length > 0 ? { aliases: [...check.aliases] } : {}),
      controls: controlsOf(check.id),
    }));
  // The waiver and error objects come from several modules; written here in schema order (they are few).
  for (const finding of waived) if (finding.waiver) finding.waiver = orderedWaiver(finding.waiver);

  // Keys in schema order: the JSON output writes the report as built, without reordering it.
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool: { name: 'aspis', version: request.toolVersion },
    generatedAt: request.now.toISOString(),
    inputs: request.inputs,
    pssVersion: formatPssVersion(ctx.pssVersion),
    ...(request.frameworks ? { frameworks: request.frameworks } : {}),
    summary: { objects: resources.length, findings: active.length, waived: waived.length, errors: errors.length, bySeverity },
    checks,
    objects,
    findings: active,
    waived,
    waivers: applied.reports,
    errors: errors.map(orderedError),
  };
}

/** The lean finding (check metadata is in `report.checks`), its keys built in schema order. */
function toFinding(raw: RawFinding): Finding {
  const { check, violation } = raw;
  const path = formatFieldPath(violation.path);
  const location = raw.resource ? locationOf(raw.resource, violation.path) : undefined;
  const finding: Finding = location
    ? { checkId: check.id, severity: check.severity, resource: raw.ref, path, location, message: violation.message }
    : { checkId: check.id, severity: check.severity, resource: raw.ref, path, message: violation.message };
  if (violation.evidence !== undefined) finding.evidence = violation.evidence;
  if (violation.fix) finding.fix = violation.fix;
  return finding;
}

function orderedWaiver(waiver: AppliedWaiver): AppliedWaiver {
  const { source, reason, owner, expires, declaredAt } = waiver;
  return { source, reason, ...(owner !== undefined ? { owner } : {}), ...(expires !== undefined ? { expires } : {}), declaredAt };
}

function orderedError(error: InputError): InputError {
  const { source, line, column, field, message } = error;
  return {
    source,
    ...(line !== undefined ? { line } : {}),
    ...(column !== undefined ? { column } : {}),
    ...(field !== undefined ? { field } : {}),
    message,
  };
}

function locationOf(resource: Resource, path: FieldPath): FindingLocation | undefined {
  const origin = resource.origin;
  if (origin.type !== 'file') return undefined;
  const position = origin.locator?.locate(path);
  return position ? { file: origin.file, line: position.line, column: position.column } : undefined;
}

function compareFindings(a: Finding, b: Finding): number {
  return (
    (a.location?.file ?? '').localeCompare(b.location?.file ?? '') ||
    (a.location?.line ?? 0) - (b.location?.line ?? 0) ||
    formatRef(a.resource).localeCompare(formatRef(b.resource)) ||
    a.checkId.localeCompare(b.checkId) ||
    a.path.localeCompare(b.path)
  );
}
