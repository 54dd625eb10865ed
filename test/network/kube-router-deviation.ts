/**
 * Where kube-router v2.1.0's firewall departs from the NetworkPolicy spec, written down so that the dataplane test
 * (real-dataplane.test.ts) compares Aspis with the spec and kube-router with "the spec plus this", never ignoring a
 * probe.
 *
 * The one deviation found (by the differential test; reduced by fast-check to a single policy): a policy with both
 * policyTypes leaks its rules of one direction into the other, between pods it selects both. kube-router builds one
 * iptables chain per policy holding its ingress rules (`-m set --match-set <selected pods> dst` + sources + ports)
 * and its egress rules (`… <selected pods> src` + destinations + ports), and one chain per pod for both directions.
 * For an Ingress-only or Egress-only policy the pod chain jumps to the policy chain with `-d POD` or `-s POD`, but for
 * a policy of both types it jumps unconditionally (pkg/controllers/netpol/pod.go, setupPodNetpolRules,
 * `case kubeBothPolicyType`). So when S and D are both selected by such a policy P, the packet S→D evaluated for S's
 * egress runs through P's ingress rules too (D is among P's selected pods), and when evaluated for D's ingress it runs
 * through P's egress rules (S is among them). Example: `podSelector: {}`, policyTypes [Ingress, Egress],
 * `ingress: [{}]`, no egress rule: the spec denies all egress of the namespace's pods; kube-router lets them reach each
 * other (the ingress rule "from anywhere to the selected pods" marks the packet in the sender's egress pass).
 *
 * kube-router's verdict is therefore: (spec egress allows ∨ some such P's ingress rules allow the connection) ∧
 * (spec ingress allows ∨ some such P's egress rules allow it). Each P's rules are evaluated with Aspis's engine on a
 * model holding P alone, restricted to one direction.
 *
 * The second deviation (reduced to `podSelector: {}`, `egress: [{to: [], ports: [{port: http}]}]`): an egress rule
 * with no `to` and a named port. The spec resolves the name on each destination pod; kube-router resolves it on the
 * pods of the policy's own namespace (pkg/controllers/netpol/policy.go, "if rule.To is empty but rule.Ports not, we
 * must try to grab NamedPort from pods that in same namespace") and allows the numbers found to every destination.
 * Modelled by rewriting such entries into those numbers before evaluating (a rule left with no port matches nothing,
 * so it is dropped; the policy still isolates).
 *
 * The third (reduced to one rule `from: [{ipBlock: {cidr: 10.77.0.0/24}}, {ipBlock: {cidr: 10.77.0.0/24, except:
 * [10.77.0.11/32]}}]`): the ipBlock peers of one rule share one `hash:net` ipset, excepts added as `nomatch`
 * entries (policy.go evalIPBlockPeer; utils/ipset.go restores with -exist). A lookup takes the most specific entry,
 * so one peer's except also removes the address from the other peers' blocks, where the spec ORs the peers (the
 * address is in the first block: allowed). Modelled by replacing a rule's ipBlock peers with the pod addresses the
 * shared set matches: longest prefix wins, on equal prefixes the entry written last.
 *
 * The fourth (reduced to `egress: [{to: [{ipBlock: {cidr: 10.77.0.0/24}}], ports: [{port: http}]}]`): an egress rule's
 * named ports are resolved only on the pods its selector peers select (policy.go grabs them from evalPodPeer's pods),
 * so they never apply to its ipBlock peers, where the spec resolves them on whichever pod is the destination.
 * Modelled by splitting such a rule: selector peers with every port entry, ipBlock peers with the numeric entries only
 * (none left: no rule for them).
 *
 * The fifth (reduced to `podSelector: {}`, `ingress: [{from: [{podSelector: {tier: front}, namespaceSelector: {team:
 * a}}], ports: [{port: dns}]}]`, where no pod of ns-a declares `dns` over TCP): a rule with selector peers whose port
 * entries are all names and none resolves (ingress: on the policy's selected pods; egress: on the peers' pods) has
 * neither numeric nor named ports left, and kube-router takes that for a rule without ports: every port is open to
 * those peers (policy.go, "If the ingress policy contains no ports at all create the policy based only on IP", and
 * the same for egress). The spec's rule matches nothing. The rule's ipBlock peers get nothing either way.
 *
 * The sixth (seed -332213851, scenario 83, reduced to one policy in ns-a selecting web and db: `egress: [{to:
 * [{namespaceSelector: {name: ns-b}}, {podSelector: {}, namespaceSelector: {}}], ports: [{protocol: UDP, port:
 * dns}]}]`; kube-router let ns-a/web reach ns-a/db on UDP 5353, a port db does not declare): a rule's named-port
 * endpoints are collected pod by pod (policy.go grabNamedPortFromPod), and every endpoint one pod creates shares that
 * pod's map of addresses; a later pod declaring the same name, protocol and number as one of them appends its address
 * to the shared map, so the address joins all of the first pod's named-port sets (ns-b/web declares http/TCP/8080
 * and dns/UDP/5353, ns-a/db http/TCP/8080: db's address joins the dns/5353 set). Which pod comes first follows the
 * informer's listing order, so whether it happens varies: it is modelled as an allowance ("may also open": the
 * probe may be open where the prediction says refused), never as a prediction.
 */
import type { KubeObject } from '../../src/core/model/resource.js';
import { matchesLabelSelector, type LabelSelector } from '../../src/core/k8s/label-selector.js';
import { buildNetworkModel, evaluateConnection, parseIpAddress } from '../../src/network/index.js';
import type { NetworkModel, Protocol } from '../../src/network/index.js';

export interface PodPair {
  /** namespace/name of the two pods (bare pods: their workload id is namespace/Pod/name). */
  from: string;
  to: string;
  protocol: Protocol;
  port: number;
}

function isNetworkPolicy(object: KubeObject): boolean {
  return object.kind === 'NetworkPolicy';
}

function policyTypesOf(object: KubeObject): string[] {
  const types = (object['spec'] as { policyTypes?: string[] } | undefined)?.policyTypes;
  return Array.isArray(types) ? types : [];
}

/** The two ends as pods with their addresses (an ipBlock matches a pod by address: upstream e2e, kube-router). */
export function podEnds(model: NetworkModel, pair: PodPair, addressOf: (key: string) => string) {
  const find = (key: string) => {
    const [namespace, name] = key.split('/');
    const group = model.groups.find((g) => g.id === `${namespace}/Pod/${name}`);
    if (!group) throw new Error(`no workload for pod ${key}`);
    const address = parseIpAddress(addressOf(key));
    if (!address) throw new Error(`pod ${key} has no valid address`);
    return { kind: 'pod' as const, pod: { ...group, addresses: [address] } };
  };
  return { from: find(pair.from), to: find(pair.to) };
}

/** Predicts kube-router v2.1.0's verdicts for a set of objects (read back from the API server, policyTypes defaulted). */
export class KubeRouterVerdicts {
  private readonly spec: NetworkModel;
  /** Per policy of both types: the model of it alone as Ingress-only, and as Egress-only. */
  private readonly bothTypes: { ingressOnly: NetworkModel; egressOnly: NetworkModel }[];

  /** The objects as read back (before the rewrites that model the other deviations). */
  private readonly objects: readonly KubeObject[];

  constructor(
    objects: readonly KubeObject[],
    private readonly addressOf: (key: string) => string,
  ) {
    this.objects = objects;
    const podAddresses = objects.flatMap((o) => (o.kind === 'Pod' ? [(o['status'] as { podIP?: string } | undefined)?.podIP ?? ''] : [])).filter((ip) => ip !== '');
    objects = objects.map((o) => (isNetworkPolicy(o) ? withSharedIpBlockSets(withoutNamedPortsOnIpBlocks(withNamespaceNamedPorts(withUnresolvedNamesOpen(o, objects), objects)), podAddresses) : o));
    this.spec = buildNetworkModel([...objects], { podsFrom: 'pods' });
    const others = objects.filter((o) => !isNetworkPolicy(o));
    const alone = (policy: KubeObject, type: string): NetworkModel =>
      buildNetworkModel([...others, { ...policy, spec: { ...(policy['spec'] as object), policyTypes: [type] } }], { podsFrom: 'pods' });
    this.bothTypes = objects
      .filter((o) => isNetworkPolicy(o) && policyTypesOf(o).includes('Ingress') && policyTypesOf(o).includes('Egress'))
      .map((policy) => ({ ingressOnly: alone(policy, 'Ingress'), egressOnly: alone(policy, 'Egress') }));
  }

  /**
   * Whether kube-router lets the connection through, and whether it may also do so where it is predicted not to: the
   * sixth deviation depends on the order kube-router lists pods in, so it is never a prediction, only an allowance.
   */
  verdict(pair: PodPair): { allowed: boolean; mayAlsoOpen: boolean } {
    const connection = (model: NetworkModel) => ({ ...podEnds(model, pair, this.addressOf), port: pair.port, protocol: pair.protocol });
    const spec = evaluateConnection(this.spec.lookup, connection(this.spec));
    let egress = spec.egress.allowed;
    let ingress = spec.ingress.allowed;
    for (const { ingressOnly, egressOnly } of this.bothTypes) {
      const asIngress = evaluateConnection(ingressOnly.lookup, connection(ingressOnly));
      const asEgress = evaluateConnection(egressOnly.lookup, connection(egressOnly));
      const selectsBoth = asIngress.ingress.isolated && asEgress.egress.isolated;
      if (!selectsBoth) continue;
      if (asIngress.ingress.allowed) egress = true;
      if (asEgress.egress.allowed) ingress = true;
    }
    const allowed = egress && ingress;
    const mayAlsoOpen =
      !allowed &&
      (egress || namedPortLeak(this.objects, pair, 'egress')) &&
      (ingress || namedPortLeak(this.objects, pair, 'ingress'));
    return { allowed, mayAlsoOpen };
  }
}

interface PortEntry {
  protocol?: string;
  port?: number | string;
  endPort?: number;
}

/** The numbers the pods of a namespace declare under a port name, for a protocol. */
function namespacePortNumbers(objects: readonly KubeObject[], namespace: string, name: string, protocol: string): number[] {
  const numbers = new Set<number>();
  for (const pod of objects) {
    if (pod.kind !== 'Pod' || pod.metadata?.namespace !== namespace) continue;
    const containers = ((pod['spec'] as { containers?: { ports?: { name?: string; containerPort: number; protocol?: string }[] }[] }).containers ?? []);
    for (const c of containers) for (const p of c.ports ?? []) if (p.name === name && (p.protocol ?? 'TCP') === protocol) numbers.add(p.containerPort);
  }
  return [...numbers].sort((a, b) => a - b);
}

/** kube-router's reading of egress rules without `to`: named ports replaced by the numbers of the policy's namespace. */
function withNamespaceNamedPorts(policy: KubeObject, objects: readonly KubeObject[]): KubeObject {
  const spec = policy['spec'] as { egress?: { to?: unknown[]; ports?: PortEntry[] }[] };
  if (!spec.egress?.some((r) => (r.to === undefined || r.to.length === 0) && r.ports?.some((p) => typeof p.port === 'string'))) return policy;
  const namespace = String(policy.metadata?.namespace);
  const egress = spec.egress.flatMap((r) => {
    if ((r.to !== undefined && r.to.length > 0) || !r.ports?.some((p) => typeof p.port === 'string')) return [r];
    const ports = r.ports.flatMap((p) => {
      if (typeof p.port !== 'string') return [p];
      const protocol = p.protocol ?? 'TCP';
      return namespacePortNumbers(objects, namespace, p.port, protocol).map((port) => ({ protocol, port }));
    });
    return ports.length > 0 ? [{ ...r, ports }] : [];
  });
  return { ...policy, spec: { ...spec, egress } };
}

function ipv4(text: string): number {
  return text.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
}

function holds(cidr: string, address: string): boolean {
  const [base, bits] = cidr.split('/');
  const prefix = Number(bits);
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return ((ipv4(base!) & mask) >>> 0) === ((ipv4(address) & mask) >>> 0);
}

interface IpBlockPeer {
  ipBlock?: { cidr: string; except?: string[] };
  podSelector?: unknown;
  namespaceSelector?: unknown;
}

/** Whether kube-router's shared set of a rule's ipBlock peers matches an address (see the header). */
function sharedSetMatches(blocks: { cidr: string; except?: string[] }[], address: string): boolean {
  // Entries in the order kube-router writes them; a /0 is written as two /1 halves.
  const entries: { cidr: string; nomatch: boolean }[] = [];
  const split = (cidr: string, nomatch: boolean) =>
    cidr.endsWith('/0') ? [{ cidr: '0.0.0.0/1', nomatch }, { cidr: '128.0.0.0/1', nomatch }] : [{ cidr, nomatch }];
  for (const block of blocks) {
    entries.push(...split(block.cidr, false));
    for (const except of block.except ?? []) entries.push(...split(except, true));
  }
  let best: { prefix: number; nomatch: boolean } | undefined;
  for (const entry of entries) {
    if (!holds(entry.cidr, address)) continue;
    const prefix = Number(entry.cidr.split('/')[1]);
    if (!best || prefix >= best.prefix) best = { prefix, nomatch: entry.nomatch };
  }
  return best !== undefined && !best.nomatch;
}

/** kube-router's reading of ipBlock peers: per rule, the pod addresses its shared set matches, as /32 blocks. */
function withSharedIpBlockSets(policy: KubeObject, podAddresses: readonly string[]): KubeObject {
  const spec = policy['spec'] as Record<string, unknown>;
  const rewrite = (rules: unknown, key: 'from' | 'to') =>
    Array.isArray(rules)
      ? rules.map((rule: Record<string, unknown>) => {
          const peers = rule[key] as IpBlockPeer[] | undefined;
          const blocks = (peers ?? []).filter((p) => p.ipBlock && !p.podSelector && !p.namespaceSelector).map((p) => p.ipBlock!);
          if (!peers || blocks.length === 0) return rule;
          const matched = podAddresses.filter((address) => sharedSetMatches(blocks, address));
          // 192.0.2.0/32 (TEST-NET-1) holds no pod: the rule keeps a peer list, so it does not become "from anywhere".
          const replacement = (matched.length > 0 ? matched.map((a) => `${a}/32`) : ['192.0.2.0/32']).map((cidr) => ({ ipBlock: { cidr } }));
          return { ...rule, [key]: [...peers.filter((p) => !p.ipBlock), ...replacement] };
        })
      : rules;
  return { ...policy, spec: { ...spec, ingress: rewrite(spec['ingress'], 'from'), egress: rewrite(spec['egress'], 'to') } };
}

/** kube-router's reading of egress rules with `to`: named ports apply to the selector peers only. */
function withoutNamedPortsOnIpBlocks(policy: KubeObject): KubeObject {
  const spec = policy['spec'] as { egress?: { to?: IpBlockPeer[]; ports?: PortEntry[] }[] };
  if (!spec.egress) return policy;
  const egress = spec.egress.flatMap((r) => {
    const blocks = (r.to ?? []).filter((p) => p.ipBlock && !p.podSelector && !p.namespaceSelector);
    if (blocks.length === 0 || !r.ports?.some((p) => typeof p.port === 'string')) return [r];
    const selectors = (r.to ?? []).filter((p) => !blocks.includes(p));
    const numeric = r.ports.filter((p) => typeof p.port !== 'string');
    return [...(selectors.length > 0 ? [{ ...r, to: selectors }] : []), ...(numeric.length > 0 ? [{ ...r, to: blocks, ports: numeric }] : [])];
  });
  return { ...policy, spec: { ...spec, egress } };
}

interface RulePeer extends IpBlockPeer {
  podSelector?: LabelSelector;
  namespaceSelector?: LabelSelector;
}

interface PodFacts {
  /** namespace/name */
  key: string;
  namespace: string;
  labels: Record<string, string>;
  ports: { name?: string; protocol: string; containerPort: number }[];
}

function podFacts(objects: readonly KubeObject[]): PodFacts[] {
  return objects
    .filter((o) => o.kind === 'Pod')
    .map((pod) => {
      const containers = (pod['spec'] as { containers?: { ports?: { name?: string; protocol?: string; containerPort: number }[] }[] }).containers ?? [];
      return {
        key: `${String(pod.metadata?.namespace)}/${String(pod.metadata?.name)}`,
        namespace: String(pod.metadata?.namespace),
        labels: (pod.metadata?.labels ?? {}) as Record<string, string>,
        ports: containers.flatMap((c) =>
          (c.ports ?? []).map((p) => ({ ...(p.name ? { name: p.name } : {}), protocol: p.protocol ?? 'TCP', containerPort: p.containerPort })),
        ),
      };
    });
}

/**
 * Whether kube-router's named-port sets of a rule may hold `destination` under one of `names` for `protocol`/`port`
 * (the sixth deviation, see the header): `grabbed` are the pods whose named ports the rule reads, in some order; a pod
 * that declares the port creates its endpoint with its own address map, and the destination's address joins that map
 * if it declares a name, protocol and number (named or not) the same as one of that pod's.
 */
function namedPortSetMayHold(grabbed: readonly PodFacts[], destination: PodFacts, names: readonly string[], protocol: string, port: number): boolean {
  if (!grabbed.some((pod) => pod.key === destination.key)) return false;
  const same = (a: PodFacts['ports'][number], b: PodFacts['ports'][number]) =>
    (a.name ?? '') === (b.name ?? '') && a.protocol === b.protocol && a.containerPort === b.containerPort;
  return grabbed.some(
    (pod) =>
      pod.key !== destination.key &&
      pod.ports.some((p) => p.name !== undefined && names.includes(p.name) && p.protocol === protocol && p.containerPort === port) &&
      pod.ports.some((p) => destination.ports.some((q) => same(p, q))),
  );
}

/** Whether the sixth deviation may let `pair` through in one direction (policies of the source's or destination's namespace). */
function namedPortLeak(objects: readonly KubeObject[], pair: PodPair, direction: 'ingress' | 'egress'): boolean {
  const pods = podFacts(objects);
  const source = pods.find((pod) => pod.key === pair.from);
  const destination = pods.find((pod) => pod.key === pair.to);
  if (!source || !destination) return false;
  const subject = direction === 'egress' ? source : destination;
  for (const policy of objects) {
    if (!isNetworkPolicy(policy) || policy.metadata?.namespace !== subject.namespace) continue;
    if (!policyTypesOf(policy).includes(direction === 'egress' ? 'Egress' : 'Ingress')) continue;
    const spec = policy['spec'] as { podSelector?: LabelSelector; ingress?: Record<string, unknown>[]; egress?: Record<string, unknown>[] };
    if (!matchesLabelSelector(spec.podSelector ?? {}, subject.labels)) continue;
    const targets = pods.filter((pod) => pod.namespace === subject.namespace && matchesLabelSelector(spec.podSelector ?? {}, pod.labels));
    for (const rule of (direction === 'egress' ? spec.egress : spec.ingress) ?? []) {
      const names = ((rule['ports'] as PortEntry[] | undefined) ?? [])
        .filter((p) => typeof p.port === 'string' && (p.protocol ?? 'TCP') === pair.protocol)
        .map((p) => String(p.port));
      if (names.length === 0) continue;
      const peers = (rule[direction === 'egress' ? 'to' : 'from'] as RulePeer[] | undefined) ?? [];
      const selectors = peers.filter((peer) => !peer.ipBlock);
      if (direction === 'egress') {
        // Egress: the names are read on the peers' pods (with no `to`, on the policy's namespace).
        const grabbed = peers.length === 0 ? pods.filter((pod) => pod.namespace === subject.namespace) : selectors.flatMap((peer) => peerPods(peer, subject.namespace, pods, objects));
        if (namedPortSetMayHold(grabbed, destination, names, pair.protocol, pair.port)) return true;
      } else {
        // Ingress: the names are read on the policy's own pods; the rule must admit the source (through a selector
        // peer; a rule with ipBlock peers is taken to admit it, a looser allowance than the sets kube-router builds).
        const admits = peers.length === 0 || selectors.some((peer) => peerPods(peer, subject.namespace, pods, objects).some((pod) => pod.key === source.key)) || peers.some((peer) => peer.ipBlock !== undefined);
        if (admits && namedPortSetMayHold(targets, destination, names, pair.protocol, pair.port)) return true;
      }
    }
  }
  return false;
}

function namespaceLabelsOf(objects: readonly KubeObject[], namespace: string): Record<string, string> {
  const ns = objects.find((o) => o.kind === 'Namespace' && o.metadata?.name === namespace);
  return { ...((ns?.metadata?.labels ?? {}) as Record<string, string>), 'kubernetes.io/metadata.name': namespace };
}

/** The pods a selector peer selects (the spec's and kube-router's evalPodPeer agree on this). */
function peerPods(peer: RulePeer, policyNamespace: string, pods: readonly PodFacts[], objects: readonly KubeObject[]): PodFacts[] {
  return pods.filter((pod) => {
    if (peer.namespaceSelector) {
      if (!matchesLabelSelector(peer.namespaceSelector, namespaceLabelsOf(objects, pod.namespace))) return false;
    } else if (pod.namespace !== policyNamespace) return false;
    return peer.podSelector ? matchesLabelSelector(peer.podSelector, pod.labels) : true;
  });
}

/** kube-router's reading of rules whose port entries are all names that resolve nowhere it looks: all ports. */
function withUnresolvedNamesOpen(policy: KubeObject, objects: readonly KubeObject[]): KubeObject {
  const spec = policy['spec'] as { podSelector?: LabelSelector; ingress?: Record<string, unknown>[]; egress?: Record<string, unknown>[] };
  const namespace = String(policy.metadata?.namespace);
  const pods = podFacts(objects);
  const unresolved = (ports: PortEntry[] | undefined, on: readonly PodFacts[]) =>
    ports !== undefined &&
    ports.length > 0 &&
    ports.every((p) => typeof p.port === 'string') &&
    !ports.some((p) => on.some((pod) => pod.ports.some((c) => c.name === p.port && c.protocol === (p.protocol ?? 'TCP'))));
  const rewrite = (rules: Record<string, unknown>[] | undefined, key: 'from' | 'to') =>
    rules?.map((rule) => {
      const selectors = ((rule[key] as RulePeer[] | undefined) ?? []).filter((p) => !p.ipBlock);
      if (selectors.length === 0) return rule;
      const resolvedOn =
        key === 'from'
          ? pods.filter((pod) => pod.namespace === namespace && matchesLabelSelector(spec.podSelector ?? {}, pod.labels))
          : selectors.flatMap((peer) => peerPods(peer, namespace, pods, objects));
      return unresolved(rule['ports'] as PortEntry[] | undefined, resolvedOn) ? { [key]: selectors } : rule;
    });
  return { ...policy, spec: { ...spec, ingress: rewrite(spec.ingress, 'from'), egress: rewrite(spec.egress, 'to') } };
}
