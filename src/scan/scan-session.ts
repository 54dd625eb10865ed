import type { Check } from '../core/model/check.js';
import { isInventoryCheck } from '../core/model/check.js';
import type { CheckContext } from '../core/model/check-context.js';
import { formatPssVersion } from '../core/model/check-context.js';
import type { AppliedWaiver } from '../core/model/finding.js';
import type { CheckSummary, InputError, ObjectSummary, Report } from '../core/model/report.js';
import { orderedInputError, REPORT_SCHEMA_VERSION } from '../core/model/report.js';
import type { Resource } from '../core/model/resource.js';
import { formatRef } from '../core/model/resource.js';
import { SEVERITIES } from '../core/model/severity.js';
import type { Severity } from '../core/model/severity.js';
import type { Waiver } from '../core/model/waiver.js';
import { runInventoryChecks } from '../core/engine/run-checks.js';
import type { CheckFailure } from '../core/engine/run-checks.js';
import { WaiverMatcher } from '../core/engine/apply-waivers.js';
import { attachRenderedFindings } from '../core/model/rendered-findings.js';
import { controlsOf } from '../frameworks/index.js';
import { renderBatches, scanBatch, scanPlanOf, toFinding } from './scan-batch.js';
import type { BatchResult, ScanPlan } from './scan-batch.js';
import { checkIdOf, FindingRunBuilder, refOf } from './finding-run.js';
import type { FindingRun } from './finding-run.js';
import { orderFindings } from './finding-order.js';
import { RunSelection } from './run-selection.js';
import { ProvisionalVerdicts } from './provisional-verdicts.js';
import { compareText } from '../core/model/text-order.js';

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
  /** Let inventory checks judge objects alone while the scan reads them (default true; see InventoryCheck.alone). */
  judgeAlone?: boolean;
}

type Labels = Record<string, string> | undefined;

/**
 * The scan pipeline shared by every surface (CLI, cluster scan, webhook), fed incrementally so that memory stays
 * bounded by one batch (a document, a page of a LIST) plus what the report itself holds (architecture rule 7):
 *
 * - `add(resources)` scans a batch (scanBatch: workload and object checks, located findings, each object's summary
 *   and Pod Security level, annotation waivers, projections of what inventory checks need, and the verdicts of the
 *   inventory checks that can judge an object alone, with their findings), then keeps the
 *   result with its findings rendered as JSON text in one sorted run (finding-run.ts); the batch's objects, texts and
 *   locators can be released after it. `merge(result)` takes batches scanned elsewhere (a worker thread) with the
 *   same plan (renderBatches); results must be added in input order.
 * - `finish()` settles the verdicts given alone (provisional-verdicts.ts), runs the inventory checks over what was
 *   retained (leaving out the objects whose verdict given alone stands), orders the runs' findings (finding-order.ts),
 *   applies waivers, summarises and returns the Report; its findings are built as objects only if something reads
 *   them (the JSON output writes their text). `buildReport` is the one-shot form.
 */
export class ScanSession {
  readonly plan: ScanPlan;
  private readonly inventoryChecks: readonly Check[];

  private readonly inputErrors: InputError[] = [];
  private readonly failures: CheckFailure[] = [];
  /** The findings, a rendered run per batch (finding-run.ts), and the index in `objects` of each run's first object. */
  private readonly runs: FindingRun[] = [];
  private readonly runBases: number[] = [];
  /** Labels of each object (parallel to `objects`), when some waiver selects by labels. */
  private readonly labels: Labels[] = [];
  private readonly objects: ObjectSummary[] = [];
  private readonly annotationWaivers: Waiver[] = [];
  private readonly retained: Resource[] = [];
  /** Index in `objects` of each retained resource. */
  private readonly retainedOwners = new Map<Resource, number>();
  private readonly provisional = new ProvisionalVerdicts();
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
    const scanned = scanBatch(resources, this.plan);
    const findings = new FindingRunBuilder();
    findings.add(scanned.findings, scanned.owners);
    this.merge(renderBatches([scanned], findings));
  }

  /** Keeps the result of a batch scanned with this session's plan (here or in a worker thread). */
  merge(result: BatchResult): void {
    if (this.finished) throw new Error('ScanSession: add() after finish()');
    const first = this.objects.length;
    for (const failure of result.failures) this.failures.push(failure);
    this.runs.push(result.findings);
    this.runBases.push(first);
    for (const summary of result.objects) this.objects.push(summary);
    if (this.plan.needLabels) for (const labels of result.labels) this.labels.push(labels);
    for (const waiver of result.annotationWaivers) this.annotationWaivers.push(waiver);
    for (const { resource, owner } of result.retained) {
      this.retained.push(resource);
      this.retainedOwners.set(resource, first + owner);
    }
    this.provisional.add(result.provisional, result.retained, first);
  }

  finish(): Report {
    if (this.finished) throw new Error('ScanSession: finish() called twice');
    this.finished = true;
    const { options } = this;
    const { ctx } = options;
    // Inventory checks' findings: one more run, after the batches' (a stable sort keeps them after equal keys).
    // Each rendered as soon as it is made, so that 20,000 finding objects do not survive collections until the last.
    // Verdicts given on objects alone stand unless the inventory says otherwise (provisional-verdicts.ts).
    const settlement = this.provisional.settle(this.plan.aloneChecks, this.retained);
    const inventoryFindings = new FindingRunBuilder();
    for (const raw of runInventoryChecks(this.retained, this.inventoryChecks, ctx, this.failures, settlement.stands)) {
      inventoryFindings.add([toFinding(raw)], [raw.resource ? (this.retainedOwners.get(raw.resource) ?? -1) : -1]);
    }
    const inventoryRun = this.runs.push(inventoryFindings.build()) - 1;
    this.runBases.push(0);
    this.retained.length = 0;
    this.retainedOwners.clear();

    const errors: InputError[] = [...this.inputErrors];
    for (const failure of this.failures) {
      errors.push({ source: formatRef(failure.ref), message: `check ${failure.checkId} failed: ${failure.message}` });
    }

    const matcher = new WaiverMatcher([...options.waivers, ...this.annotationWaivers], options.now, { checks: options.catalog });
    const objects = this.objects;
    const active = new RunSelection(this.runs);
    const waived = new RunSelection(this.runs);
    const severityCounts = new Array<number>(SEVERITIES.length).fill(0);
    for (const { run: r, start, end } of orderFindings(this.runs)) {
      const run = this.runs[r]!;
      const base = this.runBases[r]!;
      const { owners, severities } = run;
      // Without waivers or fallen verdicts every finding is active: the whole range at once (a scan of 180,000
      // findings is mostly this).
      const whole = matcher.empty && !settlement.anyFell;
      if (whole) active.addRange(r, start, end);
      for (let i = start; i < end; i++) {
        const owner = owners[i]! < 0 ? -1 : base + owners[i]!;
        if (!whole) {
          // A fallen verdict's findings were rendered with their batch; the inventory run has the check's own.
          if (settlement.anyFell && r !== inventoryRun && owner >= 0 && settlement.fell(checkIdOf(run, i), owner)) continue;
          const applied = matcher.empty ? undefined : matcher.match(checkIdOf(run, i), refOf(run, i), () => this.labels[owner]);
          if (applied) {
            waived.add(r, i, orderedWaiver(applied));
            continue;
          }
          active.add(r, i);
        }
        severityCounts[severities[i]!]! += 1;
        if (owner >= 0) objects[owner]!.findings += 1;
      }
    }
    const bySeverity = Object.fromEntries(SEVERITIES.map((s, i) => [s, severityCounts[i]!])) as Record<Severity, number>;
    this.labels.length = 0;
    const waiverReports = matcher.reports();

    // What every finding of a check shares is listed once per check that ran (as SARIF rules are).
    const checks: CheckSummary[] = [...options.checks]
      .sort((a, b) => compareText(a.id, b.id))
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
    // Keys in schema order: the JSON output writes the report as built, without reordering it.
    const report: Report = {
      schemaVersion: REPORT_SCHEMA_VERSION,
      tool: { name: 'aspis', version: options.toolVersion },
      generatedAt: options.now.toISOString(),
      inputs: options.inputs,
      pssVersion: formatPssVersion(ctx.pssVersion),
      ...(options.frameworks ? { frameworks: options.frameworks } : {}),
      summary: { objects: objects.length, findings: active.length, waived: waived.length, errors: errors.length, bySeverity },
      checks,
      objects,
      findings: [],
      waived: [],
      waivers: waiverReports,
      errors: errors.map(orderedInputError),
    };
    // The findings stay text until something reads them as objects (the JSON output never does).
    attachRenderedFindings(report, 'findings', active);
    attachRenderedFindings(report, 'waived', waived);
    return report;
  }
}

function orderedWaiver(waiver: AppliedWaiver): AppliedWaiver {
  const { source, reason, owner, expires, declaredAt } = waiver;
  return { source, reason, ...(owner !== undefined ? { owner } : {}), ...(expires !== undefined ? { expires } : {}), declaredAt };
}
