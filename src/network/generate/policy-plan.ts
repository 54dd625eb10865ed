/**
 * From observed workload edges to a least-privilege segmentation plan, independent of the policy dialect it is
 * written in (NetworkPolicy, CiliumNetworkPolicy):
 *
 * - per generated namespace, a default deny for ingress and egress of every pod;
 * - per workload with observed traffic, one policy selecting its pods by stable labels (workload-selector.ts) that
 *   allows exactly the observed edges: ingress from each observed source (one rule per source workload, external
 *   sources grouped by port set), egress to each observed destination, each rule carrying the edges that justify it;
 * - egress to the cluster DNS (UDP and TCP 53) for every workload that sends anything (Service names must resolve);
 * - ports by name where the destination declares the name for exactly that port on all its pods;
 * - external peers as /32 (/128) blocks, or aggregated to a shorter prefix on request.
 *
 * Namespaces generated: those given, or else every namespace with a workload in an edge except the Kubernetes system
 * namespaces (a default deny there breaks the control plane unless every system flow was recorded). A namespace with
 * workloads but no observed flow is never given a default deny implicitly: nothing would prove it breaks nothing.
 */
import type { LabelSelector } from '../../core/k8s/label-selector.js';
import { labelSelectorMatcher } from '../../core/k8s/label-selector.js';
import type { Cidr, IpAddress } from '../../core/k8s/ip-set.js';
import { formatCidr, parseIpAddress } from '../../core/k8s/ip-set.js';
import { resolveNamedPort } from '../../core/k8s/pod-network.js';
import type { Protocol } from '../../core/k8s/port-set.js';
import type { KubeObject } from '../../core/model/resource.js';
import type { NetworkModel } from '../network-model.js';
import type { PodGroup } from '../pod-groups.js';
import type { EdgeEnd, FlowObservation, FlowWorkload, WorkloadEdge } from '../flows/workload-edge.js';
import { endKey, workloadId } from '../flows/workload-edge.js';
import { workloadSelector } from './workload-selector.js';
import { compareText } from '../../core/model/text-order.js';

export const SYSTEM_NAMESPACES: ReadonlySet<string> = new Set(['kube-system', 'kube-public', 'kube-node-lease']);
export const DNS_PORT = 53;

export interface PlanOptions {
  /** Namespaces to generate policies for (default: see the file comment). Each must hold a workload. */
  namespaces?: readonly string[];
  /** Allow egress to the cluster DNS (default true). */
  dns?: boolean;
  /** Prefix lengths external addresses are aggregated to (default 32 and 128: one block per address). */
  externalPrefix?: { v4: number; v6: number };
}

/** The cluster DNS pods, as a namespace and a selector of its pods. */
export interface DnsTarget {
  namespace: string;
  selector: LabelSelector;
  /** Where the selector comes from: `default` (k8s-app=kube-dns) or the inventory's DNS workload. */
  from: string;
}

export type PlannedPeer =
  | { type: 'workload'; workload: FlowWorkload; selector: LabelSelector }
  | { type: 'cidr'; cidr: string; what?: string }
  | { type: 'dns'; dns: DnsTarget }
  /** Every pod of every namespace (ingress of the cluster DNS itself). */
  | { type: 'all-pods' };

export interface PlannedPort {
  protocol: Protocol;
  port: number;
  /** The destination's name for the port, when it declares one for exactly this port on every pod. */
  name?: string;
}

export interface PlannedRule {
  peers: PlannedPeer[];
  ports: PlannedPort[];
  /** The observed edges the rule allows (what justifies it). */
  because: WorkloadEdge[];
  /** Why the rule exists when no edge is the reason (DNS). */
  note?: string;
}

export interface WorkloadPolicyPlan {
  workload: FlowWorkload;
  /** Policy name, unique in its namespace. */
  name: string;
  selector: LabelSelector;
  /** A caveat about the selector (overlap with other workloads). */
  selectorProblem?: string;
  ingress: PlannedRule[];
  egress: PlannedRule[];
}

export interface NamespacePlan {
  namespace: string;
  policies: WorkloadPolicyPlan[];
  /** Workloads of the namespace without observed traffic: isolated by the default deny, no policy of their own. */
  quiet: string[];
}

export interface GenerationPlan {
  namespaces: NamespacePlan[];
  dns: DnsTarget | undefined;
  /** Problems that make the plan incomplete (a workload that cannot be selected…); the replay shows their effect. */
  problems: string[];
  /** Namespaces with workloads but no observed flow, left alone. */
  skippedNamespaces: string[];
}

export class PlanError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PlanError';
  }
}

const DEFAULT_DNS: DnsTarget = { namespace: 'kube-system', selector: { matchLabels: { 'k8s-app': 'kube-dns' } }, from: 'default (k8s-app=kube-dns in kube-system)' };
const DNS_NAMES = new Set(['coredns', 'kube-dns']);

function labelSetsOf(workload: FlowWorkload): Readonly<Record<string, string>>[] {
  return workload.groups.length > 0 ? workload.groups.map((g) => g.labels) : workload.observedLabels ? [workload.observedLabels] : [];
}

/** The name of `port` on the destination pods, when every pod group declares that name for exactly that port. */
export function uniquePortName(groups: readonly PodGroup[], port: number, protocol: Protocol): string | undefined {
  let name: string | undefined;
  for (const group of groups) {
    const entry = group.ports.find((p) => p.port === port && p.protocol === protocol && p.name !== undefined);
    if (!entry?.name || (name !== undefined && entry.name !== name)) return undefined;
    if (resolveNamedPort(group.ports, entry.name, protocol).length !== 1) return undefined;
    name = entry.name;
  }
  return name;
}

/**
 * The block of the requested prefix length around an external address, narrowed bit by bit until it holds none of
 * the pod addresses the inventory knows: ipBlocks match pod IPs in most implementations (kube-router, Calico), so a
 * coarse `--external-prefix` must not open traffic to pods that was never observed.
 */
function aggregate(ip: string, prefix: { v4: number; v6: number }, podAddresses: readonly IpAddress[]): string {
  const address = parseIpAddress(ip)!;
  const bits = address.family === 4 ? 32 : 128;
  const pods = podAddresses.filter((pod) => pod.family === address.family && pod.value !== address.value);
  for (let length = address.family === 4 ? prefix.v4 : prefix.v6; ; length++) {
    const host = BigInt(bits - length);
    const start = (address.value >> host) << host;
    const end = start + (1n << host) - 1n;
    if (length < bits && pods.some((pod) => pod.value >= start && pod.value <= end)) continue;
    return formatCidr({ family: address.family, start, end, prefix: length } satisfies Cidr);
  }
}

function comparePorts(a: PlannedPort, b: PlannedPort): number {
  return compareText(a.protocol, b.protocol) || a.port - b.port;
}

function addPort(ports: PlannedPort[], port: PlannedPort): void {
  if (!ports.some((p) => p.protocol === port.protocol && p.port === port.port)) ports.push(port);
}

/** Every workload of the model (pods grouped by owner), by id. */
export function modelWorkloads(model: NetworkModel): Map<string, FlowWorkload> {
  const out = new Map<string, FlowWorkload>();
  for (const group of model.groups) {
    const id = workloadId(group.owner.namespace, group.owner.kind, group.owner.name);
    let workload = out.get(id);
    if (!workload) out.set(id, (workload = { id, namespace: group.owner.namespace, kind: group.owner.kind, name: group.owner.name, groups: [] }));
    workload.groups.push(group);
  }
  return out;
}

/** Every workload of the inventory and of the flows, by id (inventory workloads built from the model's groups). */
function allWorkloads(model: NetworkModel, observation: FlowObservation): Map<string, FlowWorkload> {
  const out = modelWorkloads(model);
  for (const [id, workload] of observation.workloads) if (!out.has(id)) out.set(id, workload);
  return out;
}

function findDns(workloads: Iterable<FlowWorkload>, owners: (w: FlowWorkload) => KubeObject | undefined, all: FlowWorkload[]): DnsTarget {
  const inSystem = [...workloads].filter((w) => w.namespace === DEFAULT_DNS.namespace);
  const matches = labelSelectorMatcher(DEFAULT_DNS.selector);
  if (inSystem.length === 0 || inSystem.some((w) => labelSetsOf(w).some((set) => matches(set)))) return DEFAULT_DNS;
  const named = inSystem.find((w) => DNS_NAMES.has(w.name));
  if (!named) return DEFAULT_DNS;
  const { selector, problem } = workloadSelector(named, owners(named), all.filter((w) => w.namespace === named.namespace));
  return problem ? DEFAULT_DNS : { namespace: named.namespace, selector, from: `the inventory's ${named.kind}/${named.namespace}/${named.name}` };
}

export function planPolicies(
  observation: FlowObservation,
  model: NetworkModel,
  ownerObject: (workload: FlowWorkload) => KubeObject | undefined,
  options: PlanOptions = {},
): GenerationPlan {
  const prefix = options.externalPrefix ?? { v4: 32, v6: 128 };
  if (prefix.v4 < 0 || prefix.v4 > 32 || prefix.v6 < 0 || prefix.v6 > 128) throw new PlanError('external prefix lengths must be 0-32 (IPv4) and 0-128 (IPv6)');
  const workloads = allWorkloads(model, observation);
  const list = [...workloads.values()];
  const podAddresses = model.groups.flatMap((group) => group.addresses ?? []);
  const byNamespace = new Map<string, FlowWorkload[]>();
  for (const workload of list) {
    let entries = byNamespace.get(workload.namespace);
    if (!entries) byNamespace.set(workload.namespace, (entries = []));
    entries.push(workload);
  }
  const problems: string[] = [];

  // Which namespaces: asked for, or those that flows were seen in.
  const inEdges = new Set<string>();
  for (const edge of observation.edges) for (const end of [edge.from, edge.to]) if (end.type === 'workload') inEdges.add(end.namespace);
  let generated: string[];
  if (options.namespaces && options.namespaces.length > 0) {
    for (const ns of options.namespaces) if (!byNamespace.has(ns)) throw new PlanError(`--namespace ${ns}: no workload of the inventory or of the flows is in namespace "${ns}"`);
    generated = [...new Set(options.namespaces)].sort(compareText);
  } else {
    generated = [...inEdges].filter((ns) => !SYSTEM_NAMESPACES.has(ns)).sort(compareText);
  }
  const generatedSet = new Set(generated);
  const skippedNamespaces = [...byNamespace.keys()].filter((ns) => !generatedSet.has(ns) && !inEdges.has(ns) && !SYSTEM_NAMESPACES.has(ns)).sort(compareText);

  const dns = options.dns === false ? undefined : findDns(workloads.values(), ownerObject, list);
  const dnsMatches = dns ? labelSelectorMatcher(dns.selector) : undefined;
  const isDnsEdge = (edge: WorkloadEdge): boolean => {
    if (!dns || edge.to.type !== 'workload' || edge.to.namespace !== dns.namespace || edge.port !== DNS_PORT) return false;
    const target = workloads.get(endKey(edge.to));
    return target !== undefined && labelSetsOf(target).some((set) => dnsMatches!(set));
  };

  // Selectors, computed once per workload named by an edge or generated.
  const selectors = new Map<string, ReturnType<typeof workloadSelector>>();
  const selectorOf = (workload: FlowWorkload) => {
    let entry = selectors.get(workload.id);
    if (!entry) {
      entry = workloadSelector(workload, ownerObject(workload), byNamespace.get(workload.namespace) ?? []);
      selectors.set(workload.id, entry);
    }
    return entry;
  };
  const workloadOf = (end: Extract<EdgeEnd, { type: 'workload' }>) => workloads.get(endKey(end))!;

  interface Sides {
    ingress: WorkloadEdge[];
    egress: WorkloadEdge[];
  }
  const sides = new Map<string, Sides>();
  const sidesOf = (id: string) => {
    let entry = sides.get(id);
    if (!entry) sides.set(id, (entry = { ingress: [], egress: [] }));
    return entry;
  };
  for (const edge of observation.edges) {
    if (edge.from.type === 'workload' && generatedSet.has(edge.from.namespace)) sidesOf(endKey(edge.from)).egress.push(edge);
    if (edge.to.type === 'workload' && generatedSet.has(edge.to.namespace)) sidesOf(endKey(edge.to)).ingress.push(edge);
  }

  const peerOf = (end: EdgeEnd): PlannedPeer => {
    if (end.type === 'external') return { type: 'cidr', cidr: aggregate(end.ip, prefix, podAddresses), ...(end.what ? { what: end.what } : {}) };
    const workload = workloadOf(end);
    return { type: 'workload', workload, selector: selectorOf(workload).selector };
  };
  const portOf = (edge: WorkloadEdge): PlannedPort => {
    const destination = edge.to.type === 'workload' ? workloadOf(edge.to) : undefined;
    const name = destination && destination.groups.length > 0 ? uniquePortName(destination.groups, edge.port, edge.protocol) : undefined;
    return { protocol: edge.protocol, port: edge.port, ...(name ? { name } : {}) };
  };

  /** One rule per workload peer; external peers with the same ports share a rule. */
  const rulesFor = (edges: WorkloadEdge[], peerEnd: (edge: WorkloadEdge) => EdgeEnd): PlannedRule[] => {
    const perPeer = new Map<string, { peer: PlannedPeer; ports: PlannedPort[]; because: WorkloadEdge[] }>();
    for (const edge of edges) {
      const peer = peerOf(peerEnd(edge));
      const key = peer.type === 'workload' ? `w:${peer.workload.id}` : peer.type === 'cidr' ? `c:${peer.cidr}` : peer.type;
      let entry = perPeer.get(key);
      if (!entry) perPeer.set(key, (entry = { peer, ports: [], because: [] }));
      addPort(entry.ports, portOf(edge));
      entry.because.push(edge);
    }
    const rules: PlannedRule[] = [];
    const external = new Map<string, PlannedRule>();
    for (const key of [...perPeer.keys()].sort(compareText)) {
      const { peer, ports, because } = perPeer.get(key)!;
      ports.sort(comparePorts);
      if (peer.type !== 'cidr') {
        rules.push({ peers: [peer], ports, because });
        continue;
      }
      const portsKey = ports.map((p) => `${p.protocol}/${p.port}`).join(',');
      const shared = external.get(portsKey);
      if (shared) {
        shared.peers.push(peer);
        shared.because.push(...because);
      } else {
        const rule: PlannedRule = { peers: [peer], ports, because: [...because] };
        external.set(portsKey, rule);
        rules.push(rule);
      }
    }
    return rules;
  };

  const namespaces: NamespacePlan[] = [];
  for (const namespace of generated) {
    const members = (byNamespace.get(namespace) ?? []).slice().sort((a, b) => compareText(a.id, b.id));
    const active = members.filter((w) => sides.has(w.id));
    const quiet = members.filter((w) => !sides.has(w.id)).map((w) => w.id);
    // Policy names: the workload's name, qualified by kind when two workloads of the namespace share it.
    const nameCounts = new Map<string, number>();
    for (const w of active) nameCounts.set(w.name, (nameCounts.get(w.name) ?? 0) + 1);
    const reserved = new Set(['default-deny']);
    const policies: WorkloadPolicyPlan[] = [];
    for (const workload of active) {
      const { selector, problem } = selectorOf(workload);
      let name = nameCounts.get(workload.name)! > 1 || reserved.has(workload.name) ? `${workload.name}-${workload.kind.toLowerCase()}` : workload.name;
      if (name.length > 253) name = name.slice(0, 253);
      if (problem) problems.push(`${workload.id}: ${problem}`);
      if (Object.keys(selector).length === 0) continue;
      const { ingress, egress } = sides.get(workload.id)!;
      const egressRules: PlannedRule[] = [];
      if (dns && egress.length > 0) {
        const dnsEdges = egress.filter(isDnsEdge);
        egressRules.push({
          peers: [{ type: 'dns', dns }],
          ports: [{ protocol: 'UDP', port: DNS_PORT }, { protocol: 'TCP', port: DNS_PORT }],
          because: dnsEdges,
          note: 'cluster DNS: the workload sends traffic, and Service names must resolve',
        });
      }
      egressRules.push(...rulesFor(egress.filter((e) => !isDnsEdge(e)), (e) => e.to));
      const isDnsWorkload = dns !== undefined && workload.namespace === dns.namespace && labelSetsOf(workload).some((set) => dnsMatches!(set));
      const ingressRules = rulesFor(isDnsWorkload ? ingress.filter((e) => e.port !== DNS_PORT) : ingress, (e) => e.from);
      if (isDnsWorkload) {
        ingressRules.unshift({
          peers: [{ type: 'all-pods' }],
          ports: [{ protocol: 'UDP', port: DNS_PORT }, { protocol: 'TCP', port: DNS_PORT }],
          because: ingress.filter((e) => e.port === DNS_PORT),
          note: 'the cluster DNS answers every pod of the cluster',
        });
      }
      policies.push({ workload, name, selector, ...(problem ? { selectorProblem: problem } : {}), ingress: ingressRules, egress: egressRules });
    }
    namespaces.push({ namespace, policies, quiet });
  }
  return { namespaces, dns, problems, skippedNamespaces };
}
