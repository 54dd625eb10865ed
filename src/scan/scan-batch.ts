import type { Check, InventoryCheck, InventoryViolation } from '../core/model/check.js';
import { isInventoryCheck } from '../core/model/check.js';
import type { CheckContext } from '../core/model/check-context.js';
import { formatFieldPath } from '../core/model/field-path.js';
import type { FieldPath } from '../core/model/field-path.js';
import type { Finding, FindingLocation } from '../core/model/finding.js';
import type { ObjectSummary } from '../core/model/report.js';
import type { KubeObject, Resource } from '../core/model/resource.js';
import type { Waiver } from '../core/model/waiver.js';
import { selectorNeedsLabels } from '../core/model/resource-selector.js';
import { runChecksOnResource } from '../core/engine/run-checks.js';
import type { CheckFailure, CheckRun, RawFinding } from '../core/engine/run-checks.js';
import { annotationWaivers } from '../core/engine/annotation-waivers.js';
import { workloadOf } from '../core/k8s/workload.js';
import { pssLevelFrom } from '../frameworks/pss.js';
import { projectForInventory } from './inventory-projection.js';
import { ProjectedLocator } from './projected-locator.js';
import type { FindingRun, FindingRunBuilder } from './finding-run.js';

type Labels = Record<string, string> | undefined;

/** What scanning a batch needs to know, derived once from the session's options. */
export interface ScanPlan {
  /** Workload and object checks, run on each batch. */
  objectChecks: readonly Check[];
  /** Ids of every check that runs (inventory checks included), for the Pod Security level of each workload. */
  ranChecks: ReadonlySet<string>;
  ctx: CheckContext;
  catalog: readonly Check[];
  /** Kinds the inventory checks declare in `target.inventory`: objects of these kinds are kept for them. */
  inventoryKinds: ReadonlySet<string>;
  /** Whether some configured waiver selects by labels: only then are the labels of findings' objects kept. */
  needLabels: boolean;
  /** Inventory checks that judge objects alone (InventoryCheck.alone): run on each kept object of their kinds. */
  aloneChecks: readonly InventoryCheck[];
}

/** A verdict of an inventory check on one object alone, which stands unless its namespace holds an `unlessKinds` object. */
export interface ProvisionalVerdict {
  /** Index of the object in the batch's `objects` (of the session's, once merged). */
  owner: number;
  checkId: string;
  namespace: string;
}

export function scanPlanOf(options: {
  checks: readonly Check[];
  catalog: readonly Check[];
  ctx: CheckContext;
  waivers: readonly Waiver[];
  /** Judge objects alone where inventory checks can (default true; false keeps every inventory verdict to the end). */
  judgeAlone?: boolean;
}): ScanPlan {
  const inventoryChecks = options.checks.filter(isInventoryCheck);
  return {
    aloneChecks: options.judgeAlone === false ? [] : inventoryChecks.filter((check) => check.alone),
    objectChecks: options.checks.filter((check) => !isInventoryCheck(check)),
    ranChecks: new Set(options.checks.map((check) => check.id)),
    ctx: options.ctx,
    catalog: options.catalog,
    inventoryKinds: new Set(inventoryChecks.flatMap((check) => (isInventoryCheck(check) ? check.target.inventory : []))),
    needLabels: options.waivers.some((waiver) => selectorNeedsLabels(waiver.selector)),
  };
}

/** What scanning one batch produced, findings as objects; renderBatches turns consecutive ones into a BatchResult. */
export interface BatchScan {
  objects: ObjectSummary[];
  findings: Finding[];
  /** Index in `objects` of each finding's resource, -1 when it has none. */
  owners: number[];
  labels: Labels[];
  annotationWaivers: Waiver[];
  retained: { resource: Resource; owner: number }[];
  provisional: ProvisionalVerdict[];
  failures: CheckFailure[];
}

/**
 * What scanning one or more consecutive batches produced. It depends on those batches alone, so they can be scanned
 * anywhere (a worker thread posts it as plain data: see reviveBatch) and merged in input order. Indexes point into
 * `objects`.
 */
export interface BatchResult {
  /** One per resource of the batches, in order; `findings` counts are filled in when waivers are applied. */
  objects: ObjectSummary[];
  /** The findings, rendered and sorted (finding-run.ts); their owners are indexes in `objects`. */
  findings: FindingRun;
  /** Labels of each object, when the plan needs them (else empty). */
  labels: Labels[];
  annotationWaivers: Waiver[];
  /** What the inventory checks need of the batch (projections), with the index of their object. */
  retained: { resource: Resource; owner: number }[];
  /** Verdicts of inventory checks on objects alone; their findings are among `findings`. */
  provisional: ProvisionalVerdict[];
  failures: CheckFailure[];
}

/** Runs the workload and object checks on a batch and summarises each object. Pure. */
export function scanBatch(resources: readonly Resource[], plan: ScanPlan): BatchScan {
  const { ctx, catalog } = plan;
  const run: CheckRun = { findings: [], failures: [] };
  const findings: Finding[] = [];
  const owners: number[] = [];
  const objects: ObjectSummary[] = [];
  const labels: Labels[] = [];
  const waivers: Waiver[] = [];
  const retained: BatchResult['retained'] = [];
  const provisional: ProvisionalVerdict[] = [];
  resources.forEach((resource, index) => {
    // One workload view per object, for its checks, its Pod Security level and its projection.
    const workload = workloadOf(resource.object);
    const first = run.findings.length;
    runChecksOnResource(resource, workload, plan.objectChecks, ctx, run);
    const failed = new Set<string>();
    for (let i = first; i < run.findings.length; i++) {
      const raw = run.findings[i]!;
      findings.push(toFinding(raw));
      owners.push(index);
      failed.add(raw.check.id);
    }

    for (const waiver of annotationWaivers(resource, { checks: catalog })) waivers.push(waiver);
    // Keys in schema order (resource, file, line, pssLevel, findings): the JSON output writes objects as built.
    const summary = { resource: resource.ref } as ObjectSummary;
    const where = locationOf(resource, []);
    if (where) {
      summary.file = where.file;
      summary.line = where.line;
    } else if (resource.origin.type === 'file') summary.file = resource.origin.file;
    if (workload) {
      // Checks that ran answer from their findings (waived or not: the level describes the pod, not the policy).
      summary.pssLevel = pssLevelFrom(
        (check) => (plan.ranChecks.has(check.id) ? failed.has(check.id) : check.evaluate(workload, ctx).length > 0),
        ctx.pssVersion,
      );
    }
    summary.findings = 0; // counted in ScanSession.finish(), once waivers are applied
    objects.push(summary);
    if (plan.needLabels) labels.push(resource.object.metadata?.labels);
    const kind = resource.object.kind;
    if (typeof kind === 'string' && plan.inventoryKinds.has(kind)) {
      const projection = projectForInventory(resource, workload);
      retained.push({ resource: projection, owner: index });
      // Judged on the projection, as at the scan's end.
      for (const check of plan.aloneChecks) {
        if (!check.target.inventory.includes(kind)) continue;
        const violations = judgeAlone(check, projection, ctx);
        if (!violations) continue;
        for (const { subject: _, ...violation } of violations) {
          findings.push(toFinding({ check, violation, ref: projection.ref, resource: projection }));
          owners.push(index);
        }
        provisional.push({ owner: index, checkId: check.id, namespace: namespaceOf(projection.object) });
      }
    }
  });
  const failures = run.failures.map(({ checkId, ref, message }) => ({ checkId, ref, message }));
  return { objects, findings, owners, labels, annotationWaivers: waivers, retained, provisional, failures };
}

/** The check's verdict on the object alone, when it gives one about the object itself (else it judges it at the end). */
function judgeAlone(check: InventoryCheck, resource: Resource, ctx: CheckContext): InventoryViolation[] | undefined {
  let violations;
  try {
    violations = check.alone!.evaluate(resource.object, ctx);
  } catch {
    return undefined; // reported when the check runs over the inventory
  }
  if (violations?.some(({ subject }) => !('object' in subject) || subject.object !== resource.object)) return undefined;
  return violations;
}

/** The namespace an object is in for the checks judging it alone: '' when it names none (where it is applied). */
export function namespaceOf(object: KubeObject): string {
  const namespace = object.metadata?.namespace;
  return typeof namespace === 'string' ? namespace : '';
}

/**
 * Batches scanned one after another (a file's documents), as one result with one rendered run: a run per document
 * would cost the main thread a few typed arrays and a merge step for every object. The batches' findings were added
 * to `findings` as each batch was scanned (see scan-item.ts), their owners counted from the first batch's first
 * object; the batches' own `findings` are not read.
 */
export function renderBatches(batches: readonly BatchScan[], findings: FindingRunBuilder): BatchResult {
  const objects: ObjectSummary[] = [];
  const result: Omit<BatchResult, 'findings'> = { objects, labels: [], annotationWaivers: [], retained: [], provisional: [], failures: [] };
  for (const batch of batches) {
    const first = objects.length;
    for (const summary of batch.objects) objects.push(summary);
    for (const labels of batch.labels) result.labels.push(labels);
    for (const waiver of batch.annotationWaivers) result.annotationWaivers.push(waiver);
    for (const { resource, owner } of batch.retained) result.retained.push({ resource, owner: first + owner });
    for (const verdict of batch.provisional) result.provisional.push({ ...verdict, owner: first + verdict.owner });
    for (const failure of batch.failures) result.failures.push(failure);
  }
  return { ...result, findings: findings.build() };
}

/** A BatchResult again after a structured clone (postMessage), which keeps data but not classes. */
export function reviveBatch(result: BatchResult): BatchResult {
  for (const { resource } of result.retained) {
    const origin = resource.origin;
    if (origin.type === 'file' && origin.locator) origin.locator = ProjectedLocator.revive(origin.locator);
  }
  return result;
}

/**
 * The lean finding (check metadata is in `report.checks`), its keys built in schema order. A scan renders it at once
 * (finding-run.ts): nothing keeps finding objects until the report is written.
 */
export function toFinding(raw: RawFinding): Finding {
  const { check, violation } = raw;
  const path = formatFieldPath(violation.path);
  const message = violation.message;
  const location = raw.resource ? locationOf(raw.resource, violation.path) : undefined;
  const finding: Finding = location
    ? { checkId: check.id, severity: check.severity, resource: raw.ref, path, location, message }
    : { checkId: check.id, severity: check.severity, resource: raw.ref, path, message };
  if (violation.evidence !== undefined) finding.evidence = violation.evidence;
  if (violation.fix) finding.fix = violation.fix;
  return finding;
}

function locationOf(resource: Resource, path: FieldPath): FindingLocation | undefined {
  const origin = resource.origin;
  if (origin.type !== 'file') return undefined;
  const position = origin.locator?.locate(path);
  return position ? { file: origin.file, line: position.line, column: position.column } : undefined;
}
