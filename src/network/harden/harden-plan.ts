/**
 * `aspis netpol harden` without the I/O: for each workload running an image with vulnerabilities no version fixes, one
 * NetworkPolicy that isolates it for ingress and egress and allows
 * - ingress: with flows, only the observed sources the current policies allow (in-cluster workloads by their stable
 *   labels; outside addresses as /32 or /128 blocks); without flows, the in-cluster sources the current policies
 *   allow (their rules copied without ipBlock peers; every pod of the cluster when nothing isolates it today);
 * - ingress from outside the cluster only when the workload is internet-facing by design (a LoadBalancer or NodePort
 *   Service, externalIPs, an Ingress backend), on those Services' target ports only, and only from the addresses
 *   allowed today; `closeInternetIngress` closes it too;
 * - egress: the in-cluster destinations observed (or, without flows, allowed today) plus the cluster DNS when it is
 *   allowed today; nothing outside the cluster except the blocks given in `allowEgress`.
 * It never allows what the current policies deny (except `allowEgress`, which the user asks for).
 *
 * NetworkPolicies add up: a new policy cannot take away what another policy selecting the same pods allows. So every
 * existing policy that selects the workload and allows something for it is changed to exclude it (its podSelector
 * gains `key NotIn [value]` on a label that tells the workload apart from the other pods the policy selects); policies
 * that only deny stay as they are. The existing policy named like the hardened one (a previous run) is replaced.
 */
import type { LabelSelector } from '../../core/k8s/label-selector.js';
import type { Direction, NetworkPolicy } from '../../core/k8s/network-policy.js';
import { evaluateConnection } from '../../core/k8s/network-verdict.js';
import { formatCidr } from '../../core/k8s/ip-set.js';
import { PortSet } from '../../core/k8s/port-set.js';
import type { KubeObject } from '../../core/model/resource.js';
import type { Severity } from '../../core/model/severity.js';
import type { NetworkModel } from '../network-model.js';
import { Reachability } from '../reachability.js';
import { replayEdge } from '../flows/replay.js';
import type { FlowObservation, FlowWorkload, WorkloadEdge } from '../flows/workload-edge.js';
import { workloadId } from '../flows/workload-edge.js';
import { isObjectName } from '../flows/kubernetes-names.js';
import { commentedYaml } from '../generate/commented-yaml.js';
import { ownerIndex } from '../generate/generate-policies.js';
import { ruleComment } from '../generate/justification.js';
import { MANAGED_BY_LABEL, ruleOf } from '../generate/network-policy-render.js';
import { DNS_PORT, modelWorkloads, planPolicies } from '../generate/policy-plan.js';
import { stableLabels, workloadSelector } from '../generate/workload-selector.js';
import type { ReportedVulnerability } from './scanned-image-report.js';
import type { InternetExposure } from './workload-exposure.js';
import { internetExposure } from './workload-exposure.js';
import { compareText } from '../../core/model/text-order.js';

export interface HardenReason {
  vulnerability: ReportedVulnerability;
  /** The image as the pod spec names it, and the container running it. */
  image: string;
  container: string;
  /** Where the report was read. */
  report: string;
}

export interface HardenTarget {
  workload: FlowWorkload;
  reasons: HardenReason[];
}

export interface HardenOptions {
  /** The severity the reasons were selected at (for the comments). */
  severity: Severity;
  /** Observed flows: ingress and egress only as observed. Without: as the current policies allow, in-cluster only. */
  observation?: FlowObservation;
  /** Allow egress to the cluster DNS when it is allowed today (default true). */
  dns?: boolean;
  /** CIDRs outside the cluster the hardened workloads may still reach. */
  allowEgress?: readonly string[];
  /** Close ingress from outside the cluster to internet-facing workloads too. */
  closeInternetIngress?: boolean;
}

export interface RenderedObject {
  namespace: string;
  name: string;
  object: KubeObject;
  yaml: string;
}

export interface Exclusion {
  /** `namespace/name` of the existing policy. */
  policy: string;
  key: string;
  value: string;
}

export interface LeftOutEdge {
  edge: WorkloadEdge;
  reason: string;
}

export interface WorkloadHardening {
  target: HardenTarget;
  /** The hardened policy; undefined when the workload cannot be selected alone (see problems). */
  policy?: RenderedObject;
  internetFacing: InternetExposure[];
  exclusions: Exclusion[];
  /** Observed edges of the workload the hardened policy does not allow, and why. */
  leftOut: LeftOutEdge[];
  /** Rules of the current policies not carried over (without flows), in words. */
  dropped: string[];
  problems: string[];
}

export interface HardenPlan {
  workloads: WorkloadHardening[];
  /** Existing policies changed to exclude hardened workloads. */
  modified: RenderedObject[];
  /** The hardened policies and the changed ones, in output order (namespace, then name). */
  output: RenderedObject[];
  /** The inventory as it would be with the output applied. */
  afterObjects: KubeObject[];
}

interface RuleWithComment {
  rule: Record<string, unknown>;
  comment: string[];
}

const DNS_POD = { namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' }, ports: [], hostNetwork: false };
const SERVER_FIELDS = ['resourceVersion', 'uid', 'creationTimestamp', 'generation', 'managedFields', 'selfLink'];

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** NetworkPolicy `ports` entries for a port set (ranges with endPort). */
export function portEntries(ports: PortSet): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const [protocol, ranges] of Object.entries(ports.toJSON())) {
    for (const [from, to] of ranges ?? []) out.push({ protocol, port: from, ...(to !== from ? { endPort: to } : {}) });
  }
  return out;
}

function describeReason(reason: HardenReason): string {
  const v = reason.vulnerability;
  const aliases = v.aliases.length > 0 ? ` (${v.aliases.join(', ')})` : '';
  const score = v.score !== undefined ? ` ${v.score}` : '';
  return `${v.id}${aliases} ${v.severity}${score} in ${v.package.ecosystem} ${v.package.name} ${v.package.version}, image ${reason.image} (container ${reason.container})`;
}


class WorkloadHardener {
  private readonly engine: Reachability;
  private readonly owners: (workload: FlowWorkload) => KubeObject | undefined;
  private readonly workloads: Map<string, FlowWorkload>;

  constructor(
    private readonly model: NetworkModel,
    objects: readonly KubeObject[],
    private readonly options: HardenOptions,
  ) {
    this.engine = new Reachability(model);
    this.owners = ownerIndex(objects, model.defaultNamespace);
    this.workloads = modelWorkloads(model);
  }

  /** Policies of the workload's namespace that select some pod of it (hostNetwork pods are not subject to them). */
  private selecting(workload: FlowWorkload): NetworkPolicy[] {
    return this.model.lookup.policiesIn(workload.namespace).filter((p) => workload.groups.some((g) => !g.hostNetwork && p.selectsPodLabels(g.labels)));
  }

  harden(target: HardenTarget, name: string): WorkloadHardening {
    const { workload } = target;
    const internetFacing = workload.groups.flatMap((g) => internetExposure(this.model, g));
    const result: WorkloadHardening = { target, internetFacing, exclusions: [], leftOut: [], dropped: [], problems: [] };
    if (workload.groups.every((g) => g.hostNetwork)) {
      result.problems.push(`${workload.id} runs in the host's network namespace (hostNetwork): NetworkPolicy does not apply to its pods`);
      return result;
    }
    const neighbours = [...this.workloads.values()].filter((w) => w.namespace === workload.namespace);
    const selection = workloadSelector(workload, this.owners(workload), neighbours);
    if (selection.problem) {
      result.problems.push(`${workload.id} cannot be hardened alone: ${selection.problem}`);
      return result;
    }
    if (!isObjectName(name)) {
      result.problems.push(`${workload.id}: "${name}" is not a valid policy name`);
      return result;
    }
    const flows = this.options.observation;
    const ingress: RuleWithComment[] = [];
    const egress: RuleWithComment[] = [];
    if (flows) this.observedRules(target, selection.selector, ingress, egress, result);
    else this.currentRules(workload, ingress, egress, result);
    this.internetRule(workload, internetFacing, ingress);
    const allow = this.options.allowEgress ?? [];
    if (allow.length > 0) {
      egress.push({ rule: { to: allow.map((cidr) => ({ ipBlock: { cidr } })) }, comment: [`--allow-egress: outside the cluster, ${allow.join(', ')} stays reachable on request`] });
    }
    this.exclusions(workload, selection.selector, name, result);

    const spec: Record<string, unknown> = { podSelector: selection.selector, policyTypes: ['Ingress', 'Egress'] };
    if (ingress.length > 0) spec['ingress'] = ingress.map((r) => r.rule);
    if (egress.length > 0) spec['egress'] = egress.map((r) => r.rule);
    const object: KubeObject = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name, namespace: workload.namespace, labels: { ...MANAGED_BY_LABEL } },
      spec,
    };
    const comments = [
      ...ingress.map((r, i) => ({ path: ['spec', 'ingress', i], lines: r.comment })),
      ...egress.map((r, i) => ({ path: ['spec', 'egress', i], lines: r.comment })),
    ];
    result.policy = { namespace: workload.namespace, name, object, yaml: commentedYaml(object, this.header(target, result, ingress, egress), comments) };
    return result;
  }

  private header(target: HardenTarget, result: WorkloadHardening, ingress: RuleWithComment[], egress: RuleWithComment[]): string[] {
    const w = target.workload;
    const lines = [
      `${w.kind}/${w.namespace}/${w.name}: hardened by aspis netpol harden: it runs images with vulnerabilities at or above ${this.options.severity} that no version fixes:`,
      ...target.reasons.map((r) => `  ${describeReason(r)}`),
      this.options.observation
        ? 'Ingress only from the sources observed in flows; egress only to the in-cluster destinations observed, and DNS; nothing else outside the cluster.'
        : 'Ingress only from the in-cluster sources the current policies allow; egress only to the in-cluster destinations they allow; nothing outside the cluster.',
    ];
    for (const exposure of result.internetFacing) {
      lines.push(
        this.options.closeInternetIngress
          ? `Internet-facing by design (${exposure.by}), closed on request (--close-internet-ingress).`
          : `Internet-facing by design: ${exposure.by}: ingress from outside the cluster kept on these ports only.`,
      );
    }
    for (const exclusion of result.exclusions) {
      lines.push(`Policy ${exclusion.policy} also selects it and is changed to exclude it (podSelector: ${exclusion.key} NotIn [${exclusion.value}]).`);
    }
    if (ingress.length === 0) lines.push('No ingress is allowed.');
    if (egress.length === 0) lines.push('No egress is allowed.');
    return lines;
  }

  private edgeAllowed(edge: WorkloadEdge): boolean {
    return replayEdge(edge, this.options.observation!.workloads, this.model.lookup).allowed;
  }

  private dnsAllowed(workload: FlowWorkload): boolean {
    return workload.groups.every((g) => evaluateConnection(this.model.lookup, { from: { kind: 'pod', pod: g }, to: { kind: 'pod', pod: DNS_POD }, port: DNS_PORT, protocol: 'UDP' }).allowed);
  }

  private observedRules(target: HardenTarget, selector: LabelSelector, ingress: RuleWithComment[], egress: RuleWithComment[], result: WorkloadHardening): void {
    const observation = this.options.observation!;
    const { workload } = target;
    const facing = result.internetFacing.length > 0;
    const allowEgress = this.options.allowEgress ?? [];
    const kept: WorkloadEdge[] = [];
    const isSelf = (end: WorkloadEdge['from']) => end.type === 'workload' && workloadId(end.namespace, end.kind, end.name) === workload.id;
    for (const edge of observation.edges) {
      const into = isSelf(edge.to);
      const out = isSelf(edge.from);
      if (!into && !out) continue;
      if (!this.edgeAllowed(edge)) {
        result.leftOut.push({ edge, reason: 'denied by the current policies already: not opened' });
        continue;
      }
      if (out && edge.to.type === 'external' && !into) {
        const covered = allowEgress.length > 0 ? ' and not in --allow-egress' : '';
        result.leftOut.push({ edge, reason: `egress outside the cluster${covered}: closed (allow it with --allow-egress ${edge.to.ip}/${edge.to.ip.includes(':') ? 128 : 32})` });
        continue;
      }
      if (into && edge.from.type === 'external' && facing && !this.options.closeInternetIngress) continue; // the internet-facing rule decides
      if (into && edge.from.type === 'external' && facing) {
        result.leftOut.push({ edge, reason: 'ingress from outside the cluster: closed on request (--close-internet-ingress)' });
        continue;
      }
      kept.push(edge);
    }
    const dns = this.options.dns !== false && this.dnsAllowed(workload);
    const plan = planPolicies({ ...observation, edges: kept }, this.model, this.owners, { namespaces: [workload.namespace], dns });
    const planned = plan.namespaces[0]?.policies.find((p) => p.workload.id === workload.id);
    if (!planned) return;
    if (JSON.stringify(planned.selector) !== JSON.stringify(selector)) result.problems.push(`${workload.id}: the generated rules select it by ${JSON.stringify(planned.selector)}`);
    // Edges of the workload with itself appear on both sides; the plan keeps each side's rules.
    for (const rule of planned.ingress) ingress.push({ rule: ruleOf(rule, 'ingress', workload.namespace), comment: ruleComment(rule) });
    for (const rule of planned.egress) egress.push({ rule: ruleOf(rule, 'egress', workload.namespace), comment: ruleComment(rule) });
  }

  private currentRules(workload: FlowWorkload, ingress: RuleWithComment[], egress: RuleWithComment[], result: WorkloadHardening): void {
    const policies = this.selecting(workload);
    for (const [direction, out] of [['ingress', ingress], ['egress', egress]] as const) {
      const isolating = policies.filter((p) => p.isolates[direction]);
      const peersKey = direction === 'ingress' ? 'from' : 'to';
      if (isolating.length === 0) {
        out.push({
          rule: { [peersKey]: [{ namespaceSelector: {} }] },
          comment: [`not isolated for ${direction} today: every pod of the cluster stays allowed, addresses outside the cluster no longer`],
        });
        continue;
      }
      for (const policy of isolating) {
        const rawRules = (policy.object['spec'] as Record<string, unknown>)[direction] as unknown[];
        for (const rule of policy[direction]) {
          const raw = isRecord(rawRules[rule.index]) ? (rawRules[rule.index] as Record<string, unknown>) : {};
          const ports = Array.isArray(raw['ports']) && raw['ports'].length > 0 ? { ports: raw['ports'] } : {};
          const at = `${policy.namespace}/${policy.name} spec.${direction}[${rule.index}]`;
          if (rule.peers === undefined) {
            out.push({ rule: { [peersKey]: [{ namespaceSelector: {} }], ...ports }, comment: [`from ${at}: it allows every ${direction === 'ingress' ? 'source' : 'destination'}; kept for every pod of the cluster, not for addresses outside it`] });
            continue;
          }
          const rawPeers = raw[peersKey] as unknown[];
          const pods = rule.peers.filter((p) => p.kind === 'pods').map((p) => rawPeers[p.index]);
          const blocks = rule.peers.flatMap((p) => (p.kind === 'ipBlock' ? [p.cidr] : []));
          if (pods.length === 0) {
            result.dropped.push(`${at}: ${direction === 'ingress' ? 'from' : 'to'} ${blocks.join(', ')} (outside the cluster)`);
            continue;
          }
          const comment = [`from ${at}${blocks.length > 0 ? `, without its ipBlock peers ${blocks.join(', ')}` : ''}`];
          if (blocks.length > 0) result.dropped.push(`${at}: ${blocks.join(', ')}`);
          out.push({ rule: { [peersKey]: pods, ...ports }, comment });
        }
      }
    }
  }

  /** Ingress from outside the cluster on the internet-facing ports, from the addresses allowed today. */
  private internetRule(workload: FlowWorkload, facing: InternetExposure[], ingress: RuleWithComment[]): void {
    if (facing.length === 0 || this.options.closeInternetIngress) return;
    const exposed = facing.reduce((set, e) => set.union(e.ports), PortSet.NONE);
    const index = this.engine.groups.indexOf(workload.groups[0]!);
    for (const access of this.engine.fromExternal(index)) {
      const ports = access.ports.intersect(exposed);
      if (ports.isEmpty()) continue;
      const cidrs = access.addresses.toCidrs().map(formatCidr);
      ingress.push({
        rule: { from: cidrs.map((cidr) => ({ ipBlock: { cidr } })), ports: portEntries(ports) },
        comment: [`internet-facing by design: ${facing.map((e) => e.by).join('; ')}`],
      });
    }
  }

  private exclusions(workload: FlowWorkload, selector: LabelSelector, name: string, result: WorkloadHardening): void {
    const own = new Set(workload.groups);
    const candidates = [...new Set([...Object.keys(selector.matchLabels ?? {}).sort(), ...Object.keys(stableLabels(workload)).sort()])];
    for (const policy of this.selecting(workload)) {
      if (policy.name === name) continue; // replaced by the hardened policy
      const allows = (['ingress', 'egress'] as Direction[]).some((d) => policy.isolates[d] && policy[d].length > 0);
      if (!allows) continue;
      const others = this.model.groups.filter((g) => !own.has(g) && !g.hostNetwork && g.namespace === workload.namespace && policy.selectsPodLabels(g.labels));
      const key = candidates.find((k) => {
        const value = workload.groups[0]!.labels[k];
        return value !== undefined && workload.groups.every((g) => g.labels[k] === value) && others.every((g) => g.labels[k] !== value);
      });
      if (key === undefined) {
        result.problems.push(`${workload.id}: policy ${policy.namespace}/${policy.name} also selects it and no label tells it apart from ${others.map((g) => g.id).join(', ')}: that policy still applies to it`);
        continue;
      }
      result.exclusions.push({ policy: `${policy.namespace}/${policy.name}`, key, value: workload.groups[0]!.labels[key]! });
    }
  }
}

/** The policy names: `harden-NAME`, with the kind when two hardened workloads of a namespace share a name. */
function policyNames(targets: readonly HardenTarget[]): Map<HardenTarget, string> {
  const counts = new Map<string, number>();
  for (const t of targets) counts.set(`${t.workload.namespace}/${t.workload.name}`, (counts.get(`${t.workload.namespace}/${t.workload.name}`) ?? 0) + 1);
  return new Map(
    targets.map((t) => {
      const shared = counts.get(`${t.workload.namespace}/${t.workload.name}`)! > 1;
      return [t, `harden-${t.workload.name}${shared ? `-${t.workload.kind.toLowerCase()}` : ''}`.slice(0, 253)];
    }),
  );
}

/** An existing policy with podSelector exclusions added, without the fields the API server sets. */
function excluded(policy: NetworkPolicy, exclusions: { key: string; value: string; workload: string }[]): RenderedObject {
  const object = structuredClone(policy.object) as KubeObject;
  const metadata = (object.metadata ?? {}) as Record<string, unknown>;
  for (const field of SERVER_FIELDS) delete metadata[field];
  // Written where it applies, whatever namespace `kubectl apply` would default to.
  metadata['namespace'] = policy.namespace;
  delete object['status'];
  const spec = isRecord(object['spec']) ? object['spec'] : (object['spec'] = {});
  const selector = isRecord(spec['podSelector']) ? spec['podSelector'] : (spec['podSelector'] = {});
  const expressions = Array.isArray(selector['matchExpressions']) ? selector['matchExpressions'] : (selector['matchExpressions'] = []);
  for (const e of exclusions) expressions.push({ key: e.key, operator: 'NotIn', values: [e.value] });
  const header = [
    `${policy.namespace}/${policy.name}: changed by aspis netpol harden to stop selecting ${exclusions.map((e) => e.workload).join(', ')}`,
    'NetworkPolicies add up, so while it selects them their hardened policies could not take away what it allows; the rest is unchanged.',
  ];
  return { namespace: policy.namespace, name: policy.name, object, yaml: commentedYaml(object, header, []) };
}

export function planHardening(model: NetworkModel, objects: readonly KubeObject[], targets: readonly HardenTarget[], options: HardenOptions): HardenPlan {
  const hardener = new WorkloadHardener(model, objects, options);
  const names = policyNames(targets);
  const workloads = targets.map((target) => hardener.harden(target, names.get(target)!));

  // Exclusions gathered per existing policy, so one policy selecting several hardened workloads is written once.
  const byPolicy = new Map<string, { key: string; value: string; workload: string }[]>();
  for (const w of workloads) {
    if (!w.policy) continue;
    for (const e of w.exclusions) {
      let list = byPolicy.get(e.policy);
      if (!list) byPolicy.set(e.policy, (list = []));
      list.push({ key: e.key, value: e.value, workload: w.target.workload.id });
    }
  }
  const modified: RenderedObject[] = [];
  const replacedObjects = new Map<KubeObject, KubeObject | undefined>();
  for (const policy of model.policies) {
    const list = byPolicy.get(`${policy.namespace}/${policy.name}`);
    if (!list) continue;
    const changed = excluded(policy, list);
    modified.push(changed);
    replacedObjects.set(policy.object, changed.object);
  }
  const hardened = workloads.flatMap((w) => (w.policy ? [w.policy] : []));
  // An existing policy with a hardened policy's name is replaced by it (applying the output overwrites it).
  const hardenedNames = new Set(hardened.map((p) => `${p.namespace}/${p.name}`));
  for (const policy of model.policies) if (hardenedNames.has(`${policy.namespace}/${policy.name}`)) replacedObjects.set(policy.object, undefined);
  const afterObjects: KubeObject[] = [];
  for (const object of objects) {
    if (!replacedObjects.has(object)) afterObjects.push(object);
    else {
      const replacement = replacedObjects.get(object);
      if (replacement) afterObjects.push(replacement);
    }
  }
  afterObjects.push(...hardened.map((p) => p.object));
  const output = [...hardened, ...modified].sort((a, b) => compareText(a.namespace, b.namespace) || compareText(a.name, b.name));
  return { workloads, modified, output, afterObjects };
}

