/**
 * Turns engine results (src/network) into the plain documents of src/outputs/netpol-report.ts, with file:line
 * locations of policies and rules from the input.
 */
import { formatLabelSelector } from '../../core/k8s/label-selector.js';
import type { FieldPath } from '../../core/model/field-path.js';
import type { KubeObject } from '../../core/model/resource.js';
import { formatPolicyRef, rulePath } from '../../network/index.js';
import type { AdminRuleMatch } from '../../core/k8s/admin-network-policy-verdict.js';
import type {
  DirectionVerdict,
  ExternalAccess,
  Explanation,
  NetworkPolicyPeer,
  NetworkPolicyPort,
  NetworkPolicyRule,
  PodGroup,
  ReachDiff,
  ReachMatrix,
  ResolvedEndpoint,
} from '../../network/index.js';
import { matrixEdges } from '../../network/index.js';
import type {
  NetpolAdminRuleReport,
  NetpolDiffReport,
  NetpolDirectionReport,
  NetpolExplainReport,
  NetpolExternalEdge,
  NetpolReachReport,
  NetpolWorkload,
} from '../../outputs/netpol-report.js';

export type Locate = (object: KubeObject, path: FieldPath) => string;

export const REACH_NOTES = [
  'pods are grouped by owning workload; a verdict holds for every pod of a group',
  'hostNetwork pods are not subject to NetworkPolicy and not matched by pod or namespace selectors (the most common CNI behaviour; Kubernetes leaves it to the plugin)',
  'ipBlock peers match by address, pod IPs included (as the upstream e2e tests expect); pod and node addresses are not known here, so only an ipBlock holding a whole address family (0.0.0.0/0 or ::/0) is taken to match them; plugins differ (Cilium never matches pod IPs with ipBlock)',
  'traffic through a Service is judged at the backing pods and their target ports; external traffic through a NodePort or LoadBalancer may arrive with a node\'s source address (externalTrafficPolicy: Cluster)',
];

function portsText(group: PodGroup): string[] {
  return group.ports.map((p) => `${p.name ? `${p.name}=` : ''}${p.port}/${p.protocol}`);
}

export function workloadReport(group: PodGroup, isolated: { ingress: boolean; egress: boolean }, policies: { ingress: string[]; egress: string[] }): NetpolWorkload {
  return {
    id: group.id,
    namespace: group.owner.namespace,
    kind: group.owner.kind,
    name: group.owner.name,
    pods: group.pods ?? null,
    hostNetwork: group.hostNetwork,
    ports: portsText(group),
    isolated,
    policies,
  };
}

function externalEdges(workload: string, access: readonly ExternalAccess[]): NetpolExternalEdge[] {
  return access.map((entry) => ({
    workload,
    addresses: entry.addresses.toCidrs().length > 0 ? entry.addresses.toString().split(', ') : [],
    ports: entry.ports.toString(),
    portRanges: entry.ports.toJSON(),
  }));
}

export function reachReport(
  matrix: ReachMatrix,
  policiesOf: (group: number) => { ingress: string[]; egress: string[] },
  source: 'manifests' | 'cluster',
  shown: (group: number) => boolean = () => true,
): NetpolReachReport {
  const workloads: NetpolWorkload[] = [];
  const ingress: NetpolExternalEdge[] = [];
  const egress: NetpolExternalEdge[] = [];
  matrix.groups.forEach((group, index) => {
    if (!shown(index)) return;
    workloads.push(workloadReport(group, matrix.isolated[index]!, policiesOf(index)));
    ingress.push(...externalEdges(group.id, matrix.fromExternal[index]!));
    egress.push(...externalEdges(group.id, matrix.toExternal[index]!));
  });
  const edges = [];
  for (const edge of matrixEdges(matrix)) {
    if (!shown(edge.from) && !shown(edge.to)) continue;
    edges.push({ from: matrix.groups[edge.from]!.id, to: matrix.groups[edge.to]!.id, ports: edge.ports.toString(), portRanges: edge.ports.toJSON() });
  }
  return {
    kind: 'NetpolReach',
    source,
    workloads,
    edges,
    external: { ingress, egress },
    summary: {
      workloads: workloads.length,
      pairs: workloads.length * workloads.length,
      edges: edges.length,
      isolatedForIngress: workloads.filter((w) => w.isolated.ingress).length,
      isolatedForEgress: workloads.filter((w) => w.isolated.egress).length,
    },
    notes: REACH_NOTES,
  };
}

function peerText(peer: NetworkPolicyPeer): string {
  if (peer.kind === 'ipBlock') return `ipBlock ${peer.cidr}${peer.except.length > 0 ? ` except ${peer.except.join(', ')}` : ''}`;
  const pods = peer.podSelector ? `pods ${formatLabelSelector(peer.podSelector)}` : 'all pods';
  const namespaces = peer.namespaceSelector ? `in namespaces ${formatLabelSelector(peer.namespaceSelector)}` : "in the policy's namespace";
  return `${pods} ${namespaces}`;
}

function portText(port: NetworkPolicyPort): string {
  if (port.port === undefined) return `every ${port.protocol} port`;
  if (port.endPort !== undefined) return `${port.port}-${port.endPort}/${port.protocol}`;
  return `${port.port}/${port.protocol}`;
}

/** A rule in words: `from: pods app=web in the policy's namespace | ipBlock …; ports: 8080/TCP`. */
export function ruleText(rule: NetworkPolicyRule): string {
  const peerWord = rule.direction === 'ingress' ? 'from' : 'to';
  const peers = rule.peers === undefined ? 'everywhere (no peer list)' : rule.peers.map((p) => `[${p.index}] ${peerText(p)}`).join(' | ');
  const ports = rule.ports === undefined ? 'every port (no port list)' : rule.ports.map((p) => `[${p.index}] ${portText(p)}`).join(' | ');
  return `${peerWord}: ${peers}; ports: ${ports}`;
}

function endpointName(group: PodGroup | undefined, resolved: ResolvedEndpoint): string {
  if (group) return group.id;
  return resolved.kind === 'external' ? (resolved.address ? resolved.text : 'external (address unknown)') : resolved.text;
}

function adminRuleReport(match: AdminRuleMatch, locate: Locate): NetpolAdminRuleReport {
  return {
    policy: `${match.policy.kind}/${match.policy.name}`,
    ...(match.policy.priority !== undefined ? { priority: match.policy.priority } : {}),
    rule: match.rule.index,
    ...(match.rule.name ? { name: match.rule.name } : {}),
    action: match.rule.action,
    location: locate(match.policy.object, ['spec', match.rule.direction, match.rule.index]),
  };
}

function directionReport(verdict: DirectionVerdict, at: string, locate: Locate): NetpolDirectionReport {
  const tiers = {
    ...(verdict.admin ? { admin: adminRuleReport(verdict.admin, locate) } : {}),
    ...(verdict.baseline ? { baseline: adminRuleReport(verdict.baseline, locate) } : {}),
  };
  if (!verdict.isolated) return { direction: verdict.direction, at, isolated: false, reason: verdict.reason, selectedBy: [], rules: [], ...tiers, allowed: verdict.allowed };
  return {
    ...tiers,
    direction: verdict.direction,
    at,
    isolated: true,
    selectedBy: verdict.selectedBy.map((policy) => ({ policy: formatPolicyRef(policy), location: locate(policy.object, ['spec', 'podSelector']) })),
    rules: verdict.rules.map((r) => ({
      policy: formatPolicyRef(r.policy),
      direction: r.rule.direction,
      rule: r.rule.index,
      location: locate(r.policy.object, rulePath(r.rule)),
      peer: r.peer ?? null,
      port: r.port ?? null,
      matches: r.matches,
      text: ruleText(r.rule),
    })),
    allowed: verdict.allowed,
  };
}

export function explainReport(explanation: Explanation, locate: Locate): NetpolExplainReport {
  return {
    kind: 'NetpolExplain',
    from: explanation.from.text,
    to: explanation.to.text,
    port: String(explanation.port),
    protocol: explanation.protocol,
    allowed: explanation.allowed,
    cases: explanation.cases.map((c) => {
      const from = endpointName(c.source, explanation.from);
      const to = endpointName(c.destination, explanation.to);
      const service = explanation.to.kind === 'service' ? explanation.to.service : undefined;
      return {
        from,
        to,
        port: c.port ?? null,
        protocol: c.protocol,
        ...(c.servicePort && service ? { servicePort: { service: `${service.namespace}/${service.name}`, port: c.servicePort.port, targetPort: c.servicePort.targetPort } } : {}),
        allowed: c.verdict ? c.verdict.allowed : null,
        ...(c.problem ? { problem: c.problem } : {}),
        ...(c.verdict ? { egress: directionReport(c.verdict.egress, from, locate), ingress: directionReport(c.verdict.ingress, to, locate) } : {}),
      };
    }),
  };
}

function accessText(access: readonly ExternalAccess[]): { addresses: string[]; ports: string }[] {
  return access.map((a) => ({ addresses: a.addresses.toString().split(', '), ports: a.ports.toString() }));
}

export function diffReport(diff: ReachDiff, oldName: string, newName: string): NetpolDiffReport {
  const opened = diff.edges.filter((e) => !e.opened.isEmpty()).map((e) => ({ from: e.from, to: e.to, ports: e.opened.toString(), portRanges: e.opened.toJSON() }));
  const closed = diff.edges.filter((e) => !e.closed.isEmpty()).map((e) => ({ from: e.from, to: e.to, ports: e.closed.toString(), portRanges: e.closed.toJSON() }));
  const external = diff.external.map((change) => ({ workload: change.group, direction: change.direction, opened: accessText(change.opened), closed: accessText(change.closed) }));
  return {
    kind: 'NetpolDiff',
    old: oldName,
    new: newName,
    opened,
    closed,
    external,
    addedWorkloads: diff.addedGroups,
    removedWorkloads: diff.removedGroups,
    summary: { opened: opened.length, closed: closed.length, externalChanges: external.length },
  };
}
