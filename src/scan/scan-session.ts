import type { Check } from '../core/model/check.js';
import { isInventoryCheck } from '../core/model/check.js';
import type { CheckContext } from '../core/model/check-context.js';
import { formatPssVersion } from '../core/model/check-context.js';
import { formatFieldPath } from '../core/model/field-path.js';
import type { FieldPath } from '../core/model/field-path.js';
import type { AppliedWaiver, Finding, FindingLocation } from '../core/model/finding.js';
import type { CheckSummary, InputError, ObjectSummary, Report } from '../core/model/report.js';
import { REPORT_SCHEMA_VERSION } from '../core/model/report.js';
import type { KubeObject, ObjectMeta, Origin, Resource } from '../core/model/resource.js';
import { formatRef } from '../core/model/resource.js';
import type { SourceLocator, SourcePosition } from '../core/model/source-location.js';
import { SEVERITIES } from '../core/model/severity.js';
import type { Severity } from '../core/model/severity.js';
import type { Waiver } from '../core/model/waiver.js';
import { selectorNeedsLabels } from '../core/model/resource-selector.js';
import { runChecks, runInventoryChecks } from '../core/engine/run-checks.js';
import type { CheckFailure, RawFinding } from '../core/engine/run-checks.js';
import { applyWaivers } from '../core/engine/apply-waivers.js';
import { annotationWaivers } from '../core/engine/annotation-waivers.js';
import { workloadOf } from '../core/k8s/workload.js';
import { controlsOf } from '../frameworks/index.js';
import { pssLevelFrom } from '../frameworks/pss.js';
import { flatten, intern } from './compact-text.js';

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
 * bounded by one batch (a file, a page of a LIST) plus what the report itself holds (architecture rule 7):
 *
 * - `add(resources)` runs the workload and object checks on the batch, turns violations into located findings,
 *   computes each object's summary and Pod Security level and collects its annotation waivers. It keeps only what
 *   the inventory (cross-object) checks need, so the batch's objects, texts and locators can be released after it.
 * - `finish()` runs the inventory checks over what was retained, applies waivers, sorts, summarises and returns the
 *   Report. `buildReport` is the one-shot form.
 */
export class ScanSession {
  private readonly objectChecks: readonly Check[];
  private readonly inventoryChecks: readonly Check[];
  /** Kinds the inventory checks declare in `target.inventory`: objects of these kinds are retained for them. */
  private readonly inventoryKinds: ReadonlySet<string>;
  private readonly ranChecks: ReadonlySet<string>;
  /** Whether some configured waiver selects by labels: only then are the labels of findings' objects kept. */
  private readonly needLabels: boolean;

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
    this.objectChecks = options.checks.filter((check) => !isInventoryCheck(check));
    this.inventoryChecks = options.checks.filter(isInventoryCheck);
    this.inventoryKinds = new Set(this.inventoryChecks.flatMap((check) => (isInventoryCheck(check) ? check.target.inventory : [])));
    this.ranChecks = new Set(options.checks.map((check) => check.id));
    this.needLabels = options.waivers.some((waiver) => selectorNeedsLabels(waiver.selector));
  }

  /** Errors met while reading the input; reported (before check failures), and they make the scan fail. */
  addErrors(errors: readonly InputError[]): void {
    for (const error of errors) this.inputErrors.push(error);
  }

  /** Scans one batch of resources. Nothing keeps a reference to them afterwards, except those inventory checks need. */
  add(resources: readonly Resource[]): void {
    if (this.finished) throw new Error('ScanSession: add() after finish()');
    const { ctx, catalog } = this.options;
    const run = runChecks(resources, this.objectChecks, ctx);
    for (const failure of run.failures) this.failures.push(failure);

    const first = this.objects.length;
    const indexOf = new Map<Resource, number>();
    resources.forEach((resource, i) => indexOf.set(resource, first + i));
    const failedChecks = new Map<Resource, Set<string>>();
    for (const raw of run.findings) {
      const finding = toFinding(raw);
      this.findings.push(finding);
      this.owners.push(raw.resource ? (indexOf.get(raw.resource) ?? -1) : -1);
      if (raw.resource) {
        if (this.needLabels) this.labelsOf.set(finding, raw.resource.object.metadata?.labels);
        let failed = failedChecks.get(raw.resource);
        if (!failed) failedChecks.set(raw.resource, (failed = new Set()));
        failed.add(raw.check.id);
      }
    }

    for (const resource of resources) {
      for (const waiver of annotationWaivers(resource, { checks: catalog })) this.annotationWaivers.push(waiver);
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
          (check) => (this.ranChecks.has(check.id) ? (failed?.has(check.id) ?? false) : check.evaluate(workload, ctx).length > 0),
          ctx.pssVersion,
        );
      }
      summary.findings = 0; // counted in finish(), once waivers are applied
      this.objects.push(summary);
      const kind = resource.object.kind;
      if (typeof kind === 'string' && this.inventoryKinds.has(kind)) {
        const kept = workload ? projectWorkload(resource) : resource;
        this.retained.push(kept);
        this.retainedOwners.set(kept, this.objects.length - 1);
      }
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
      if (raw.resource && this.needLabels) this.labelsOf.set(finding, raw.resource.object.metadata?.labels);
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

/**
 * What inventory checks keep of a workload: its identity (apiVersion, kind) and metadata without annotations. The
 * only inventory check that lists workload kinds (namespace-without-network-policy) reads a workload's namespace and
 * whether `workloadOf` recognises it (kind and API group): keeping the pod specs of every workload until the end of
 * the scan would hold most of the input in memory. Labels stay so that waivers selecting by labels still match
 * findings about it. The projection's locator knows the positions of these fields only (see ProjectedLocator).
 * An inventory check that needs more of a workload must extend this projection.
 */
function projectWorkload(resource: Resource): Resource {
  const { object, ref, origin } = resource;
  const metadata: ObjectMeta = {};
  const meta = object.metadata;
  if (meta) {
    for (const key of ['name', 'generateName', 'namespace', 'uid', 'labels'] as const) {
      if (meta[key] !== undefined) (metadata as Record<string, unknown>)[key] = meta[key];
    }
  }
  const projection: KubeObject = { apiVersion: object.apiVersion, kind: object.kind, metadata };
  let projectedOrigin: Origin = origin;
  if (origin.type === 'file' && origin.locator) {
    projectedOrigin = { type: 'file', file: origin.file, documentIndex: origin.documentIndex, locator: new ProjectedLocator(origin.locator) };
  }
  return { object: projection, ref, origin: projectedOrigin };
}

const PROJECTED_PATHS: readonly FieldPath[] = [
  ['metadata', 'name'],
  ['metadata', 'generateName'],
  ['metadata', 'namespace'],
  ['metadata', 'uid'],
  ['metadata', 'labels'],
  ['metadata'],
  ['apiVersion'],
  ['kind'],
];

/**
 * Positions of the projected fields, computed while the document is still in memory, so the projection holds no
 * reference to the source text. A path is located at its longest projected prefix (the object itself otherwise), as
 * a locator answers with the deepest existing node.
 */
class ProjectedLocator implements SourceLocator {
  private readonly root: SourcePosition | undefined;
  private readonly positions = new Map<string, SourcePosition | undefined>();

  constructor(locator: SourceLocator) {
    this.root = locator.locate([]);
    for (const path of PROJECTED_PATHS) this.positions.set(path.join('.'), locator.locate(path));
  }

  locate(path: FieldPath): SourcePosition | undefined {
    for (let n = Math.min(path.length, 2); n > 0; n--) {
      const key = path.slice(0, n).join('.');
      if (this.positions.has(key)) return this.positions.get(key);
    }
    return this.root;
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

/** The lean finding (check metadata is in `report.checks`), its keys built in schema order. */
export function toFinding(raw: RawFinding): Finding {
  const { check, violation } = raw;
  // Findings live until the report is written: their texts are stored compactly (see compact-text.ts).
  const path = intern(formatFieldPath(violation.path));
  const message = flatten(violation.message);
  const location = raw.resource ? locationOf(raw.resource, violation.path) : undefined;
  const finding: Finding = location
    ? { checkId: check.id, severity: check.severity, resource: raw.ref, path, location, message }
    : { checkId: check.id, severity: check.severity, resource: raw.ref, path, message };
  if (violation.evidence !== undefined) finding.evidence = typeof violation.evidence === 'string' ? flatten(violation.evidence) : violation.evidence;
  if (violation.fix) {
    for (const operation of violation.fix) operation.path = intern(operation.path);
    finding.fix = violation.fix;
  }
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
