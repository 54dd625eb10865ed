/**
 * The comments of generated policies: which observed flows justify each rule (edge, count, first and last seen), and
 * what each policy is for. Shared by every policy dialect so the same plan reads the same way.
 */
import type { WorkloadEdge } from '../flows/workload-edge.js';
import { formatEnd, formatTime } from '../flows/workload-edge.js';
import type { GenerationPlan, NamespacePlan, PlannedRule, WorkloadPolicyPlan } from './policy-plan.js';

/** Edges listed per rule before the rest is summed up in one line. */
export const MAX_EDGES_PER_COMMENT = 20;

export function describeEdge(edge: WorkloadEdge): string {
  const seen = edge.firstSeen === undefined ? '' : edge.firstSeen === edge.lastSeen ? `, at ${formatTime(edge.firstSeen)}` : `, ${formatTime(edge.firstSeen)} … ${formatTime(edge.lastSeen!)}`;
  const via = edge.services ? ` via Service ${edge.services.join(', ')}` : '';
  return `${formatEnd(edge.from)} → ${formatEnd(edge.to)} ${edge.protocol}/${edge.port}${via}: ${edge.count} flow${edge.count === 1 ? '' : 's'}${seen}`;
}

/** The comment lines above a rule. */
export function ruleComment(rule: PlannedRule): string[] {
  const lines: string[] = [];
  if (rule.note) lines.push(rule.note);
  const edges = [...rule.because].sort((a, b) => b.count - a.count || (describeEdge(a) < describeEdge(b) ? -1 : 1));
  for (const edge of edges.slice(0, MAX_EDGES_PER_COMMENT)) lines.push(describeEdge(edge));
  if (edges.length > MAX_EDGES_PER_COMMENT) {
    const rest = edges.slice(MAX_EDGES_PER_COMMENT);
    lines.push(`… and ${rest.length} more edges (${rest.reduce((n, e) => n + e.count, 0)} flows)`);
  }
  return lines;
}

export function policyHeader(policy: WorkloadPolicyPlan): string[] {
  const w = policy.workload;
  const lines = [`${w.kind}/${w.namespace}/${w.name}: allows the traffic observed in flows (aspis netpol generate); the namespace's default-deny denies the rest.`];
  if (w.groups.length === 0) lines.push('The inventory does not have this workload: its selector comes from the pod labels the flows gave.');
  if (policy.selectorProblem) lines.push(`Warning: ${policy.selectorProblem}.`);
  if (policy.ingress.length === 0) lines.push('No ingress was observed: none is allowed.');
  if (policy.egress.length === 0) lines.push('No egress was observed: none is allowed.');
  return lines;
}

export function defaultDenyHeader(namespace: NamespacePlan, plan: GenerationPlan): string[] {
  const lines = [`Default deny for namespace ${namespace.namespace}: every pod is isolated for ingress and egress; the other policies allow what was observed.`];
  if (namespace.quiet.length > 0) lines.push(`No traffic was observed for ${namespace.quiet.join(', ')}: all of it is denied.`);
  if (plan.dns === undefined) lines.push('DNS egress was not generated (--no-dns).');
  return lines;
}
