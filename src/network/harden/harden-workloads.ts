/**
 * The whole of `aspis netpol harden` without the I/O:
 * 1. which workloads to harden: those running an image whose scan report has vulnerabilities at or above the
 *    severity with no fixed version (image-match.ts says how reports and containers are matched);
 * 2. the plan (harden-plan.ts): one policy per workload, and the existing policies changed to exclude it;
 * 3. the proof: the connectivity matrix before and after (`netpol diff` semantics: what closes, and that nothing
 *    opens), each hardened workload's exposure before and after, and with flows the replay of every observed edge
 *    under the current and the hardened policies: an edge allowed today and denied after would break.
 */
import type { KubeObject } from '../../core/model/resource.js';
import type { Severity } from '../../core/model/severity.js';
import { buildNetworkModel } from '../network-model.js';
import type { NetworkModel } from '../network-model.js';
import { Reachability } from '../reachability.js';
import { reachMatrix } from '../reach-matrix.js';
import { diffReach } from '../reach-diff.js';
import type { EdgeChange, ExternalChange } from '../reach-diff.js';
import type { EdgeVerdict } from '../flows/replay.js';
import { replayEdge } from '../flows/replay.js';
import type { FlowObservation, FlowWorkload } from '../flows/workload-edge.js';
import type { HardenOptions, HardenPlan, HardenReason, HardenTarget, WorkloadHardening } from './harden-plan.js';
import { modelWorkloads } from '../generate/policy-plan.js';
import { planHardening } from './harden-plan.js';
import type { ContainerImage, ImageMatch, ParseImageName } from './image-match.js';
import { containerImagesOf, matchImageReports } from './image-match.js';
import type { ScannedImageReport } from './scanned-image-report.js';
import { unfixableVulnerabilities } from './scanned-image-report.js';
import type { GroupExposure } from './workload-exposure.js';
import { groupExposure } from './workload-exposure.js';

export interface TargetSelection {
  /** Workloads with unfixable vulnerabilities at or above the severity, sorted by id. */
  targets: HardenTarget[];
  /** Every report–container match, for the report. */
  matches: ImageMatch[];
  /** Reports that match no container of the inventory. */
  unmatched: ScannedImageReport[];
  /** Every workload of the inventory by id (for filters and messages). */
  workloads: Map<string, FlowWorkload>;
  containers: ContainerImage[];
}

/** Which workloads run an image with unfixable vulnerabilities at or above `severity`. */
export function selectTargets(model: NetworkModel, reports: readonly ScannedImageReport[], parse: ParseImageName, severity: Severity): TargetSelection {
  const workloads = modelWorkloads(model);
  const containers = [...workloads.values()].flatMap((w) => containerImagesOf(w.groups, parse));
  const { matches, unmatched } = matchImageReports(containers, reports, parse);
  const reasons = new Map<string, HardenReason[]>();
  for (const match of matches) {
    const unfixable = unfixableVulnerabilities(match.report, severity);
    if (unfixable.length === 0) continue;
    let list = reasons.get(match.container.workload);
    if (!list) reasons.set(match.container.workload, (list = []));
    for (const vulnerability of unfixable) {
      const duplicate = list.some((r) => r.vulnerability.id === vulnerability.id && r.vulnerability.package.name === vulnerability.package.name && r.image === match.container.image);
      if (!duplicate) list.push({ vulnerability, image: match.container.image, container: match.container.container, report: match.report.source });
    }
  }
  const targets = [...reasons.keys()].sort().map((id) => ({ workload: workloads.get(id)!, reasons: reasons.get(id)! }));
  return { targets, matches, unmatched, workloads, containers };
}

export interface WorkloadProof {
  hardening: WorkloadHardening;
  before: GroupExposure[];
  after: GroupExposure[];
  /** Connections from or to the workload that the hardening changes (`netpol diff`): closed, and opened (none expected). */
  edges: EdgeChange[];
  external: ExternalChange[];
}

export interface HardenReplay {
  /** Every observed edge, with its verdict under the current policies and under the hardened ones. */
  edges: { edge: EdgeVerdict['edge']; before: EdgeVerdict; after: EdgeVerdict }[];
  /** Allowed today, denied after hardening. */
  broken: { edge: EdgeVerdict['edge']; after: EdgeVerdict }[];
  flows: number;
  brokenFlows: number;
  /** Denied today already (not the hardening's doing). */
  alreadyDeniedFlows: number;
}

export interface HardenResult {
  plan: HardenPlan;
  workloads: WorkloadProof[];
  /** Changes to connections of workloads not hardened: none unless a hardened selector also selects them. */
  otherEdges: EdgeChange[];
  otherExternal: ExternalChange[];
  replay?: HardenReplay;
  afterModel: NetworkModel;
}

export interface HardenRunOptions extends HardenOptions {
  /** Builds the model of the inventory with the output applied, as the current model was built (same pod grouping). */
  buildModel?: (objects: readonly KubeObject[]) => NetworkModel;
}

export function hardenWorkloads(model: NetworkModel, objects: readonly KubeObject[], targets: readonly HardenTarget[], options: HardenRunOptions): HardenResult {
  const plan = planHardening(model, objects, targets, options);
  const afterModel = (options.buildModel ?? ((objects) => buildNetworkModel(objects, { defaultNamespace: model.defaultNamespace })))(plan.afterObjects);
  const beforeEngine = new Reachability(model);
  const afterEngine = new Reachability(afterModel);
  const diff = diffReach(reachMatrix(model, beforeEngine), reachMatrix(afterModel, afterEngine));
  const exposures = (engine: Reachability, ids: Set<string>) => engine.groups.flatMap((g, i) => (ids.has(g.id) ? [groupExposure(engine, i)] : []));
  const hardenedIds = new Set<string>();
  const workloads = plan.workloads.map((hardening) => {
    const ids = new Set(hardening.target.workload.groups.map((g) => g.id));
    ids.forEach((id) => hardenedIds.add(id));
    return {
      hardening,
      before: exposures(beforeEngine, ids),
      after: exposures(afterEngine, ids),
      edges: diff.edges.filter((e) => ids.has(e.from) || ids.has(e.to)),
      external: diff.external.filter((e) => ids.has(e.group)),
    };
  });
  const result: HardenResult = {
    plan,
    workloads,
    otherEdges: diff.edges.filter((e) => !hardenedIds.has(e.from) && !hardenedIds.has(e.to)),
    otherExternal: diff.external.filter((e) => !hardenedIds.has(e.group)),
    afterModel,
  };
  if (options.observation) result.replay = replayBeforeAfter(options.observation, model, afterModel);
  return result;
}

function replayBeforeAfter(observation: FlowObservation, before: NetworkModel, after: NetworkModel): HardenReplay {
  const replay: HardenReplay = { edges: [], broken: [], flows: 0, brokenFlows: 0, alreadyDeniedFlows: 0 };
  for (const edge of observation.edges) {
    const was = replayEdge(edge, observation.workloads, before.lookup);
    // The hardened policies' ipBlocks may tell apart pods of one group of the observation's model.
    const now = replayEdge(edge, observation.workloads, after.lookup, { policies: after.policies });
    replay.edges.push({ edge, before: was, after: now });
    replay.flows += edge.count;
    if (!was.allowed) replay.alreadyDeniedFlows += edge.count;
    else if (!now.allowed) {
      replay.broken.push({ edge, after: now });
      replay.brokenFlows += edge.count;
    }
  }
  return replay;
}
