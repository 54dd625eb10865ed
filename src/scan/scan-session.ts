import type { Check } from '../core/model/check.js';
import { isInventoryCheck } from '../core/model/check.js';
import type { CheckContext } from '../core/model/check-context.js';
import { formatPssVersion } from '../core/model/check-context.js';
import type { AppliedWaiver, Finding } from '../core/model/finding.js';
import type { CheckSummary, InputError, ObjectSummary, Report } from '../core/model/report.js';
import { REPORT_SCHEMA_VERSION } from '../core/model/report.js';
import type { Resource } from '../core/model/resource.js';
import { formatRef } from '../core/model/resource.js';
import { SEVERITIES } from '../core/model/severity.js';
import type { Severity } from '../core/model/severity.js';
import type { Waiver } from '../core/model/waiver.js';
import { runInventoryChecks } from '../core/engine/run-checks.js';
import type { CheckFailure } from '../core/engine/run-checks.js';
import { applyWaivers } from '../core/engine/apply-waivers.js';
import { controlsOf } from '../frameworks/index.js';
import { scanBatch, scanPlanOf, toFinding } from './scan-batch.js';
import type { BatchResult, ScanPlan } from './scan-batch.js';

export interface ScanSessionOptions {
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

type Labels = Record<string, string> | undefined;

/**
 * The scan pipeline shared by every surface (CLI, cluster scan, webhook), fed incrementally so that memory stays
 * bounded by one batch (a document, a page of a LIST) plus what the report itself holds (architecture rule 7):
 *
 * - `add(resources)` scans a batch (scanBatch: workload and object checks, located findings, each object's summary
 *   and Pod Security level, annotation waivers, and projections of what inventory checks need), then keeps the
 *   result; the batch's objects, texts and locators can be released after it. `merge(result)` takes a batch
 *   scanned elsewhere (a worker thread) with the same plan; results must be added in input order.
 * - `finish()` runs the inventory checks over what was retained, applies waivers, sorts, summarises and returns the
 *   Report. `buildReport` is the one-shot form.
 */
export class ScanSession {
  readonly plan: ScanPlan;
  private readonly inventoryChecks: readonly Check[];

  private readonly inputErrors: InputError[] = [];
  private readonly failures: CheckFailure[] = [];
  private readonly findings: Finding[] = [];
  /** Index in `objects` of each finding's object (parallel to `findings`; -1 for objects only referenced). */
  private readonly owners: number[] = [];
  private readonly labelsOf = new Map<Finding, Labels>();
  private readonly objects: ObjectSummary[] = [];
  private readonly annotationWaivers: Waiver[] = [];
  private readonly retained: Resource[] = [];
  /** Index in `objects` of each retained resource. */
  private readonly retainedOwners = new Map<Resource, number>();
  private finished = false;

  constructor(private readonly options: ScanSessionOptions) {
    this.plan = scanPlanOf(options);
    this.inventoryChecks = options.checks.filter(isInventoryCheck);
  }

  /** Errors met while reading the input; reported (before check failures), and they make the scan fail. */
  addErrors(errors: readonly InputError[]): void {
    for (const error of errors) this.inputErrors.push(error);
  }

  /** Scans one batch of resources. Nothing keeps a reference to them afterwards, except those inventory checks need. */
  add(resources: readonly Resource[]): void {
    this.merge(scanBatch(resources, this.plan));
  }

  /** Keeps the result of a batch scanned with this session's plan (here or in a worker thread). */
  merge(result: BatchResult): void {
    if (this.finished) throw new Error('ScanSession: add() after finish()');
    const first = this.objects.length;
    for (const failure of result.failures) this.failures.push(failure);
    result.findings.forEach((finding, i) => {
      this.findings.push(finding);
      const owner = result.owners[i]!;
      this.owners.push(owner < 0 ? -1 : first + owner);
      if (this.plan.needLabels && owner >= 0) this.labelsOf.set(finding, result.labels[owner]);
    });
    for (const summary of result.objects) this.objects.push(summary);
    for (const waiver of result.annotationWaivers) this.annotationWaivers.push(waiver);
    for (const { resource, owner } of result.retained) {
      this.retained.push(resource);
      this.retainedOwners.set(resource, first + owner);
    }
  }

  finish(): Report {
    if (this.finished) throw new Error('ScanSession: finish() called twice');
    this.finished = true;
    const { options } = this;
    const { ctx } = options;
    const findings = this.findings;
    const owners = this.owners;
    for (const raw of runInventoryChecks(this.retained, this.inventoryChecks, ctx, this.failures)) {
      const finding = toFinding(raw);
      findings.push(finding);
      owners.push(raw.resource ? (this.retainedOwners.get(raw.resource) ?? -1) : -1);
      if (raw.resource && this.plan.needLabels) this.labelsOf.set(finding, raw.resource.object.metadata?.labels);
    }
    this.retained.length = 0;
    this.retainedOwners.clear();

    const errors: InputError[] = [...this.inputErrors];
    for (const failure of this.failures) {
      errors.push({ source: formatRef(failure.ref), message: `check ${failure.checkId} failed: ${failure.message}` });
    }

    const waivers = [...options.waivers, ...this.annotationWaivers];
    const applied = applyWaivers(findings, waivers, (f) => this.labelsOf.get(f), options.now, { checks: options.catalog });
    // applyWaivers keeps the identity and the order of active findings: walk both lists to count them per object.
    const objects = this.objects;
    for (let i = 0, j = 0; i < findings.length && j < applied.active.length; i++) {
      if (findings[i] !== applied.active[j]) continue;
      j++;
      const owner = owners[i]!;
      if (owner >= 0) objects[owner]!.findings += 1;
    }
    this.labelsOf.clear();

    const active = sortFindings(applied.active);
    const waived = sortFindings(applied.waived);

    const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
    for (const finding of active) bySeverity[finding.severity] += 1;

    // What every finding of a check shares is listed once per check that ran (as SARIF rules are).
    const checks: CheckSummary[] = [...options.checks]
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
      tool: { name: 'aspis', version: options.toolVersion },
      generatedAt: options.now.toISOString(),
      inputs: options.inputs,
      pssVersion: formatPssVersion(ctx.pssVersion),
      ...(options.frameworks ? { frameworks: options.frameworks } : {}),
      summary: { objects: objects.length, findings: active.length, waived: waived.length, errors: errors.length, bySeverity },
      checks,
      objects,
      findings: active,
      waived,
      waivers: applied.reports,
      errors: errors.map(orderedError),
    };
  }
}

/** Sorts findings by file, line, object, check and path; each finding's `Kind/ns/name` is formatted once. */
function sortFindings(findings: Finding[]): Finding[] {
  const refText = new Map<object, string>();
  const refOf = (finding: Finding): string => {
    let text = refText.get(finding.resource);
    if (text === undefined) refText.set(finding.resource, (text = formatRef(finding.resource)));
    return text;
  };
  return findings.sort(
    (a, b) =>
      compareText(a.location?.file ?? '', b.location?.file ?? '') ||
      (a.location?.line ?? 0) - (b.location?.line ?? 0) ||
      compareText(refOf(a), refOf(b)) ||
      compareText(a.checkId, b.checkId) ||
      compareText(a.path, b.path),
  );
}

/** localeCompare, without its cost when the strings are equal (most comparisons of a file's findings). */
function compareText(a: string, b: string): number {
  return a === b ? 0 : a.localeCompare(b);
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
