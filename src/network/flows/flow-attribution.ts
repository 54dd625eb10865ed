/**
 * Attributes the ends of observed flows to workloads through the inventory at the time of the flow:
 *
 * - a workload the observer named (Hubble `workloads`, Aspis JSONL `workload`) is taken as is;
 * - a pod is placed under its top-most owner (its pod group in the model);
 * - an address is looked up in the address book: Pods' `status.podIP(s)` from their creation until their deletion
 *   (or the end of their containers for finished pods), Services' cluster IPs, external IPs and load-balancer
 *   addresses, and the address records of the flow files (a node recorder writes them beside its flows); a
 *   hostNetwork pod's address is its node's, which NetworkPolicy only knows as an address;
 * - a Service (named, or reached by its address) stands for its backends, each reached on its target port (a named
 *   targetPort resolves per backend);
 * - an address nobody held, inside the cluster's networks, is unattributed (with the reason, and who held the address
 *   at another time); outside them it is an external peer. Hubble's `world` identity is external wherever it is.
 *
 * Workloads the inventory does not have but the flows name with their labels (Hubble gives every pod's labels) are
 * kept as workloads "known from flows", so generation can still select them.
 */
import type { Cidr, IpAddress } from '../../core/k8s/ip-set.js';
import { IpSet, parseCidr, parseIpAddress } from '../../core/k8s/ip-set.js';
import { labelKeyError, labelValueError } from '../../core/k8s/label-selector.js';
import type { Protocol } from '../../core/k8s/port-set.js';
import type { ServiceInfo } from '../../core/k8s/service.js';
import { serviceSelects, targetPortOn } from '../../core/k8s/service.js';
import type { AddressRecord, FlowEndpoint, FlowWorkloadRef } from '../../core/model/flow-record.js';
import type { KubeObject } from '../../core/model/resource.js';
import type { NetworkModel } from '../network-model.js';
import { AddressBook } from './address-book.js';
import { isKindName, isNamespaceName, isObjectName } from './kubernetes-names.js';
import type { Assignment } from './address-book.js';
import type { EdgeEnd, FlowWorkload } from './workload-edge.js';
import { podAddressTexts } from '../pod-addresses.js';
import { endKey, workloadId } from './workload-edge.js';

/** Private and shared address space: where pod and Service addresses live unless `clusterNetworks` says otherwise. */
export const DEFAULT_CLUSTER_NETWORKS = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', 'fc00::/7'] as const;

export interface FlowAttributionOptions {
  /** CIDRs of the pod and Service networks (default DEFAULT_CLUSTER_NETWORKS). */
  clusterNetworks?: readonly string[];
}

/** An attributed end; a destination also says on which port it receives and through which Service. */
export interface AttributedEnd {
  end: EdgeEnd;
  /** `endKey(end)`, computed once: results are cached and reused for every flow of the same end. */
  key: string;
  port: number;
  /** `namespace/name:port` of the Service the flow was addressed to. */
  service?: string;
}

export type Attribution = { ends: AttributedEnd[] } | { unattributed: { subject: string; reason: string } };

const PROTOCOL_INDEX: Record<Protocol, number> = { TCP: 0, UDP: 1, SCTP: 2 };

interface AddressEntry {
  canonical: string | undefined;
  /** One assignment for all time: answers do not depend on the flow's time and are kept. */
  timeless: boolean;
  answers: Map<number, Attribution>;
}

type Holder =
  | { kind: 'workload'; workload: FlowWorkload }
  | { kind: 'service'; service: ServiceInfo }
  | { kind: 'host'; what: string };

function workloadEnd(workload: FlowWorkload): EdgeEnd {
  return { type: 'workload', namespace: workload.namespace, kind: workload.kind, name: workload.name };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function timeOf(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const time = Date.parse(value);
  return Number.isNaN(time) ? undefined : time;
}

function iso(time: number): string {
  return Number.isFinite(time) ? new Date(time).toISOString() : time < 0 ? 'the start' : 'now';
}

/** When a Pod held its addresses: from its creation (or start) until its deletion, or until its containers ended. */
function podInterval(pod: KubeObject): { from: number; until: number } {
  const meta = pod.metadata ?? {};
  const status = isRecord(pod['status']) ? pod['status'] : {};
  const from = timeOf(meta['creationTimestamp']) ?? timeOf(status['startTime']) ?? -Infinity;
  let until = timeOf(meta['deletionTimestamp']) ?? Infinity;
  if (status['phase'] === 'Succeeded' || status['phase'] === 'Failed') {
    // A finished pod's address goes back to the pool when its last container ends.
    let finished = -Infinity;
    for (const entry of Array.isArray(status['containerStatuses']) ? status['containerStatuses'] : []) {
      const terminated = isRecord(entry) && isRecord(entry['state']) ? entry['state']['terminated'] : undefined;
      const at = isRecord(terminated) ? timeOf(terminated['finishedAt']) : undefined;
      if (at !== undefined && at > finished) finished = at;
    }
    if (finished > -Infinity) until = Math.min(until, finished);
  }
  return { from, until };
}

/** Addresses a Service answers on inside the cluster and from outside it. */
function serviceAddresses(service: ServiceInfo): string[] {
  const spec = isRecord(service.object['spec']) ? service.object['spec'] : {};
  const out = new Set<string>();
  const add = (value: unknown) => {
    if (typeof value === 'string' && value !== '' && value !== 'None') out.add(value);
  };
  if (Array.isArray(spec['clusterIPs'])) spec['clusterIPs'].forEach(add);
  add(spec['clusterIP']);
  if (Array.isArray(spec['externalIPs'])) spec['externalIPs'].forEach(add);
  const status = isRecord(service.object['status']) ? service.object['status'] : {};
  const balancer = isRecord(status['loadBalancer']) ? status['loadBalancer'] : {};
  for (const entry of Array.isArray(balancer['ingress']) ? balancer['ingress'] : []) if (isRecord(entry)) add(entry['ip']);
  return [...out];
}

export class FlowAttributor {
  /** Every workload attributed so far (inventory and flows), by id. */
  readonly workloads = new Map<string, FlowWorkload>();
  private readonly book = new AddressBook<Holder>();
  private readonly clusterNetworks: IpSet;
  private readonly podsByName = new Map<string, FlowWorkload>();
  private readonly services = new Map<string, ServiceInfo>();
  /** Results that cannot change with time or with later address records, by end and address. */
  private readonly stable = new Map<string, Attribution>();
  private readonly inCluster = new Map<string, boolean>();
  private readonly addresses = new Map<string, AddressEntry>();
  /** Answers for a workload end by port and protocol: the same objects for every flow of an edge. */
  private readonly workloadAnswers = new Map<FlowWorkload, Map<number, Attribution>>();
  private readonly interned = new Map<string, AttributedEnd>();

  constructor(
    private readonly model: NetworkModel,
    options: FlowAttributionOptions = {},
  ) {
    let networks = IpSet.EMPTY;
    for (const text of options.clusterNetworks ?? DEFAULT_CLUSTER_NETWORKS) {
      const cidr = parseCidr(text);
      if (typeof cidr === 'string') throw new Error(`cluster network ${cidr}`);
      networks = networks.union(IpSet.ofCidr(cidr as Cidr));
    }
    this.clusterNetworks = networks;
    for (const group of model.groups) {
      const workload = this.workloadFor(group.owner.namespace, group.owner.kind, group.owner.name);
      workload.groups.push(group);
      for (const object of group.objects) {
        if (object.kind !== 'Pod') continue;
        const name = object.metadata?.name;
        if (typeof name === 'string') this.podsByName.set(`${group.namespace}/${name}`, workload);
        const { from, until } = podInterval(object);
        for (const ip of podAddressTexts(object)) {
          const holder: Holder = group.hostNetwork ? { kind: 'host', what: 'node' } : { kind: 'workload', workload };
          this.book.assign(ip, { from, until, holder, key: group.hostNetwork ? 'host' : workload.id });
        }
      }
    }
    for (const service of model.services) {
      this.services.set(`${service.namespace}/${service.name}`, service);
      const from = timeOf(service.object.metadata?.['creationTimestamp']) ?? -Infinity;
      for (const ip of serviceAddresses(service)) {
        this.book.assign(ip, { from, until: Infinity, holder: { kind: 'service', service }, key: `service:${service.namespace}/${service.name}` });
      }
    }
  }

  /**
   * The one AttributedEnd for an end, port and Service: answers are shared objects, so the aggregator can find an
   * edge by the identity of its ends instead of building a key per flow.
   */
  private attributed(end: EdgeEnd, port: number, service?: string): AttributedEnd {
    const key = endKey(end);
    const id = `${key}\u0000${port}\u0000${service ?? ''}`;
    let found = this.interned.get(id);
    if (!found) this.interned.set(id, (found = { end, key, port, ...(service ? { service } : {}) }));
    return found;
  }

  private workloadFor(namespace: string, kind: string, name: string): FlowWorkload {
    const id = workloadId(namespace, kind, name);
    let workload = this.workloads.get(id);
    if (!workload) this.workloads.set(id, (workload = { id, namespace, kind, name, groups: [] }));
    return workload;
  }

  /**
   * A workload the flows name: the inventory's, or one known from the flows when they give its labels (those a
   * selector may use: generated policies select by them). Otherwise why it cannot be attributed.
   */
  private namedWorkload(namespace: string, ref: FlowWorkloadRef, labels: Readonly<Record<string, string>> | undefined): FlowWorkload | string {
    const id = workloadId(namespace, ref.kind, ref.name);
    const known = this.workloads.get(id);
    if (known && (known.groups.length > 0 || known.observedLabels)) return known;
    if (!labels || Object.keys(labels).length === 0) return 'not in the inventory, and no pod labels are given';
    if (!isNamespaceName(namespace)) return `not in the inventory, and "${namespace}" is not a namespace name`;
    if (!isObjectName(ref.name)) return `not in the inventory, and "${ref.name}" is not an object name`;
    if (!isKindName(ref.kind)) return `not in the inventory, and "${ref.kind}" is not a kind`;
    const usable = Object.fromEntries(Object.entries(labels).filter(([key, value]) => labelKeyError(key) === undefined && labelValueError(value) === undefined));
    if (Object.keys(usable).length === 0) return 'not in the inventory, and none of the pod labels given is a valid label';
    const workload = this.workloadFor(namespace, ref.kind, ref.name);
    workload.observedLabels = usable;
    return workload;
  }

  /** Records an address assignment; returns a problem when the record's pod cannot be placed under a workload. */
  addAddress(record: AddressRecord): string | undefined {
    // The named workload, else the pod's in the inventory, else the pod as a workload of its own (from its labels).
    const named = record.workload ? this.namedWorkload(record.namespace, record.workload, record.labels) : undefined;
    const workload =
      typeof named === 'object'
        ? named
        : (this.podsByName.get(`${record.namespace}/${record.pod}`) ?? this.namedWorkload(record.namespace, { kind: 'Pod', name: record.pod }, record.labels));
    if (typeof workload === 'string') {
      const subject = record.workload ? `workload ${workloadId(record.namespace, record.workload.kind, record.workload.name)}` : `pod ${record.namespace}/${record.pod}`;
      return `${subject}: ${typeof named === 'string' ? named : workload}; its flows cannot be attributed`;
    }
    const hostNetwork = workload.groups.length > 0 && workload.groups.every((g) => g.hostNetwork);
    const holder: Holder = hostNetwork ? { kind: 'host', what: 'node' } : { kind: 'workload', workload };
    const assignment: Assignment<Holder> = { from: record.from ?? -Infinity, until: record.until ?? Infinity, holder, key: hostNetwork ? 'host' : workload.id };
    if (!this.book.assign(record.ip, assignment)) return `"${record.ip}" is not an IP address`;
    // Cached answers may no longer hold.
    this.stable.clear();
    this.addresses.clear();
    return undefined;
  }

  attributeSource(endpoint: FlowEndpoint, time: number | undefined): Attribution {
    return this.attribute(endpoint, time, 'source', 0, 'TCP');
  }

  attributeDestination(endpoint: FlowEndpoint, time: number | undefined, port: number, protocol: Protocol): Attribution {
    return this.attribute(endpoint, time, 'destination', port, protocol);
  }

  private attribute(endpoint: FlowEndpoint, time: number | undefined, side: 'source' | 'destination', port: number, protocol: Protocol): Attribution {
    const ns = endpoint.namespace;
    if (endpoint.workload && ns !== undefined) {
      const key = `w\u0000${ns}\u0000${endpoint.workload.kind}\u0000${endpoint.workload.name}\u0000${port}\u0000${protocol}`;
      let result = this.stable.get(key);
      if (!result) {
        const workload = this.namedWorkload(ns, endpoint.workload, endpoint.labels);
        result =
          typeof workload === 'object'
            ? this.onWorkload(workload, port, protocol)
            : { unattributed: { subject: `workload ${workloadId(ns, endpoint.workload.kind, endpoint.workload.name)}`, reason: workload } };
        this.stable.set(key, result);
      }
      return result;
    }
    if (endpoint.pod !== undefined && ns !== undefined) {
      const workload = this.podsByName.get(`${ns}/${endpoint.pod}`) ?? (endpoint.labels ? this.namedWorkload(ns, { kind: 'Pod', name: endpoint.pod }, endpoint.labels) : undefined);
      if (typeof workload === 'object') return this.onWorkload(workload, port, protocol);
      if (endpoint.ip === undefined) return { unattributed: { subject: `pod ${ns}/${endpoint.pod}`, reason: workload ?? 'not in the inventory, and the flow gives neither its address nor its labels' } };
    }
    if (endpoint.service !== undefined && ns !== undefined) {
      if (side === 'source') return { unattributed: { subject: `Service ${ns}/${endpoint.service}`, reason: 'a connection comes from a pod, not from a Service' } };
      const service = this.services.get(`${ns}/${endpoint.service}`);
      if (!service) return { unattributed: { subject: `Service ${ns}/${endpoint.service}`, reason: 'no such Service in the inventory' } };
      return this.onService(service, port, protocol);
    }
    if (endpoint.ip === undefined) return { unattributed: { subject: `${side} endpoint`, reason: 'the flow gives no address, pod, workload or Service' } };
    return this.onAddress(endpoint.ip, endpoint.reserved, time, side, port, protocol);
  }

  private onWorkload(workload: FlowWorkload, port: number, protocol: Protocol): Attribution {
    let answers = this.workloadAnswers.get(workload);
    if (!answers) this.workloadAnswers.set(workload, (answers = new Map()));
    const key = port * 4 + PROTOCOL_INDEX[protocol];
    let answer = answers.get(key);
    if (!answer) {
      answer =
        workload.groups.length > 0 && workload.groups.every((g) => g.hostNetwork)
          ? { unattributed: { subject: `workload ${workload.id}`, reason: 'its pods use the host network: NetworkPolicy sees their traffic as their node\'s address, which the flow does not give' } }
          : { ends: [this.attributed(workloadEnd(workload), port)] };
      answers.set(key, answer);
    }
    return answer;
  }

  private onService(service: ServiceInfo, port: number, protocol: Protocol): Attribution {
    const key = `s\u0000${service.namespace}\u0000${service.name}\u0000${port}\u0000${protocol}`;
    const cached = this.stable.get(key);
    if (cached) return cached;
    const subject = `Service ${service.namespace}/${service.name}:${port}/${protocol}`;
    let result: Attribution;
    const servicePort = service.ports.find((p) => p.port === port && p.protocol === protocol);
    if (!service.selector) result = { unattributed: { subject, reason: 'the Service has no selector (its endpoints are managed by hand): give flows with the pod addresses' } };
    else if (!servicePort) result = { unattributed: { subject, reason: `the Service has no port ${port}/${protocol} (its ports: ${service.ports.map((p) => `${p.port}/${p.protocol}`).join(', ') || 'none'})` } };
    else {
      const ends: AttributedEnd[] = [];
      const seen = new Set<string>();
      for (const group of this.model.groups) {
        if (!serviceSelects(service, group) || group.hostNetwork) continue;
        const target = targetPortOn(servicePort, group);
        if (target === undefined) continue;
        const workload = this.workloads.get(workloadId(group.owner.namespace, group.owner.kind, group.owner.name))!;
        const id = `${workload.id}:${target}`;
        if (seen.has(id)) continue;
        seen.add(id);
        ends.push(this.attributed(workloadEnd(workload), target, `${service.namespace}/${service.name}:${port}`));
      }
      result = ends.length > 0 ? { ends } : { unattributed: { subject, reason: `the Service selects no pod of the inventory that declares its target port ${String(servicePort.targetPort)}` } };
    }
    this.stable.set(key, result);
    return result;
  }

  private isInCluster(canonical: string): boolean {
    let inside = this.inCluster.get(canonical);
    if (inside === undefined) {
      inside = this.clusterNetworks.has(parseIpAddress(canonical) as IpAddress);
      this.inCluster.set(canonical, inside);
    }
    return inside;
  }

  private onAddress(ip: string, reserved: string | undefined, time: number | undefined, side: 'source' | 'destination', port: number, protocol: Protocol): Attribution {
    // Per address text: its canonical form, whether its holder can change with time, and the time-independent
    // answers by side, port and protocol. A million flows between a few hundred addresses do the work once each.
    const text = reserved === undefined ? ip : `${ip}\u0000${reserved}`;
    let entry = this.addresses.get(text);
    if (!entry) {
      const canonical = this.book.canonicalAddress(ip);
      entry = { canonical, timeless: canonical !== undefined && !this.book.timeDependent(canonical), answers: new Map() };
      this.addresses.set(text, entry);
    }
    const canonical = entry.canonical;
    if (!canonical) return { unattributed: { subject: ip, reason: 'not an IP address' } };
    if (!entry.timeless) return this.lookupAddress(canonical, reserved, time, side, port, protocol);
    const key = side === 'source' ? -1 : port * 4 + PROTOCOL_INDEX[protocol];
    let result = entry.answers.get(key);
    if (!result) {
      result = this.lookupAddress(canonical, reserved, time, side, port, protocol);
      entry.answers.set(key, result);
    }
    return result;
  }

  private lookupAddress(canonical: string, reserved: string | undefined, time: number | undefined, side: 'source' | 'destination', port: number, protocol: Protocol): Attribution {
    const found = this.book.lookup(canonical, time);
    if ('found' in found) {
      const holder = found.found;
      if (holder.kind === 'workload') return this.onWorkload(holder.workload, port, protocol);
      if (holder.kind === 'service') {
        if (side === 'source') return { unattributed: { subject: canonical, reason: `the source address is Service ${holder.service.namespace}/${holder.service.name}'s: connections come from pods` } };
        return this.onService(holder.service, port, protocol);
      }
      return { ends: [this.attributed({ type: 'external', ip: canonical, what: holder.what }, port)] };
    }
    if ('ambiguous' in found) {
      const names = found.ambiguous.map((h) => (h.kind === 'workload' ? h.workload.id : h.kind === 'service' ? `Service ${h.service.namespace}/${h.service.name}` : h.what)).sort();
      return { unattributed: { subject: canonical, reason: `${time === undefined ? 'the flow has no time and the address was held by' : 'held at the same time by'} ${names.slice(0, 3).join(', ')}${names.length > 3 ? ', …' : ''}` } };
    }
    if (reserved === 'world') return { ends: [this.attributed({ type: 'external', ip: canonical }, port)] };
    if (reserved !== undefined) return { ends: [this.attributed({ type: 'external', ip: canonical, what: reserved }, port)] };
    if (!this.isInCluster(canonical)) return { ends: [this.attributed({ type: 'external', ip: canonical }, port)] };
    let reason = 'an address of the cluster networks that no pod or Service of the inventory held';
    if (found.nearest) {
      const h = found.nearest.holder;
      const who = h.kind === 'workload' ? h.workload.id : h.kind === 'service' ? `Service ${h.service.namespace}/${h.service.name}` : h.what;
      reason += ` at the time of the flow (${who} held it from ${iso(found.nearest.from)} until ${iso(found.nearest.until)})`;
    }
    return { unattributed: { subject: canonical, reason } };
  }
}
