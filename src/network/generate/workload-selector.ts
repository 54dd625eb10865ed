/**
 * The label selector a generated policy uses for a workload's pods: labels that stay the same across rollouts and
 * restarts, so the policy keeps selecting the workload after the next deployment.
 *
 * - A Deployment, ReplicaSet, StatefulSet, DaemonSet or ReplicationController: its own `spec.selector` (the labels its
 *   controller already uses to find its pods; immutable on Deployments, StatefulSets and DaemonSets).
 * - Anything else (a bare Pod, a Job, a CronJob, a workload known only from flows): the pods' labels minus those
 *   Kubernetes or Helm set per revision, per pod or per run (VOLATILE_LABELS).
 * - When that selector also selects pods of other workloads of the namespace, all stable labels of the pods are tried
 *   instead; if the overlap remains, the selector is kept and the overlap reported (rules then also apply to them).
 */
import type { LabelSelector } from '../../core/k8s/label-selector.js';
import { labelSelectorMatcher, validateLabelSelector } from '../../core/k8s/label-selector.js';
import type { KubeObject } from '../../core/model/resource.js';
import type { FlowWorkload } from '../flows/workload-edge.js';

/** Labels that change between revisions, pods or runs of one workload: never in a generated selector. */
export const VOLATILE_LABELS: ReadonlySet<string> = new Set([
  'pod-template-hash', // ReplicaSet of each Deployment revision
  'controller-revision-hash', // StatefulSet and DaemonSet revision
  'pod-template-generation', // DaemonSet generation
  'statefulset.kubernetes.io/pod-name', // one pod of a StatefulSet
  'apps.kubernetes.io/pod-index', // one pod of a StatefulSet
  'controller-uid', // one Job (legacy key)
  'batch.kubernetes.io/controller-uid', // one Job
  'job-name', // one Job (a CronJob run)
  'batch.kubernetes.io/job-name', // one Job
  'batch.kubernetes.io/job-completion-index', // one pod of an indexed Job
  'helm.sh/chart', // chart version, changes on upgrade
  'app.kubernetes.io/version', // application version, changes on upgrade
]);

const SELECTOR_KINDS = new Set(['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet']);

export interface WorkloadSelector {
  selector: LabelSelector;
  /** Why the selector falls short, when it does: empty (cannot select the workload alone) or overlapping. */
  problem?: string;
  /** Other workloads of the namespace whose pods the selector also selects. */
  alsoSelects: string[];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Labels every pod of the workload carries (the intersection over its pod groups), volatile ones left out. */
export function stableLabels(workload: FlowWorkload): Record<string, string> {
  const sets = workload.groups.length > 0 ? workload.groups.map((g) => g.labels) : workload.observedLabels ? [workload.observedLabels] : [];
  if (sets.length === 0) return {};
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(sets[0]!)) {
    if (VOLATILE_LABELS.has(key)) continue;
    if (sets.every((labels) => labels[key] === value)) out[key] = value;
  }
  return out;
}

function sorted(labels: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.keys(labels).sort().map((key) => [key, labels[key]!]));
}

/** The controller's own selector, when the owner is a controller with one that is valid and stable. */
function controllerSelector(owner: KubeObject | undefined): LabelSelector | undefined {
  if (!owner || typeof owner.kind !== 'string') return undefined;
  const spec = isRecord(owner['spec']) ? owner['spec'] : {};
  let selector: unknown = spec['selector'];
  if (owner.kind === 'ReplicationController') selector = isRecord(selector) ? { matchLabels: selector } : undefined;
  else if (!SELECTOR_KINDS.has(owner.kind)) return undefined;
  if (!isRecord(selector) || validateLabelSelector(selector, []).length > 0) return undefined;
  const value = selector as LabelSelector;
  const keys = [...Object.keys(value.matchLabels ?? {}), ...(value.matchExpressions ?? []).map((e) => e.key)];
  if (keys.length === 0 || keys.some((key) => VOLATILE_LABELS.has(key))) return undefined;
  return {
    ...(value.matchLabels && Object.keys(value.matchLabels).length > 0 ? { matchLabels: sorted(value.matchLabels) } : {}),
    ...(value.matchExpressions && value.matchExpressions.length > 0 ? { matchExpressions: value.matchExpressions } : {}),
  };
}

/**
 * The selector for `workload`. `owner` is its top-most owner object when the input has it; `neighbours` are the other
 * workloads of its namespace (their pods must not be selected).
 */
export function workloadSelector(workload: FlowWorkload, owner: KubeObject | undefined, neighbours: readonly FlowWorkload[]): WorkloadSelector {
  const labels = stableLabels(workload);
  const overlap = (selector: LabelSelector) => {
    const matches = labelSelectorMatcher(selector);
    return neighbours
      .filter((other) => other.id !== workload.id)
      .filter((other) => {
        const sets = other.groups.length > 0 ? other.groups.map((g) => g.labels) : other.observedLabels ? [other.observedLabels] : [];
        return sets.some((set) => matches(set));
      })
      .map((other) => other.id)
      .sort();
  };
  const byLabels: LabelSelector | undefined = Object.keys(labels).length > 0 ? { matchLabels: sorted(labels) } : undefined;
  const candidates = [controllerSelector(owner), byLabels].filter((s): s is LabelSelector => s !== undefined);
  if (candidates.length === 0) {
    return { selector: {}, alsoSelects: [], problem: `its pods have no stable label to select them by (labels: ${JSON.stringify(workload.groups[0]?.labels ?? workload.observedLabels ?? {})})` };
  }
  for (const selector of candidates) {
    const alsoSelects = overlap(selector);
    if (alsoSelects.length === 0) return { selector, alsoSelects };
  }
  const selector = candidates[0]!;
  const alsoSelects = overlap(selector);
  return { selector, alsoSelects, problem: `its labels also select the pods of ${alsoSelects.join(', ')}: the rules apply to them too` };
}
