/**
 * AdminNetworkPolicy and BaselineAdminNetworkPolicy (`policy.networking.k8s.io/v1alpha1`, kubernetes-sigs/
 * network-policy-api), cluster-scoped policies evaluated around NetworkPolicy:
 *
 *   1. AdminNetworkPolicies selecting the pod (`subject`), lowest `priority` first; within one, rules in order. The
 *      first rule whose peer and port match decides: `Allow` or `Deny` (NetworkPolicy is not consulted), or `Pass`
 *      (skip the remaining AdminNetworkPolicies and go to step 2).
 *   2. NetworkPolicy, when some NetworkPolicy isolates the pod for that direction: its verdict is final.
 *   3. The BaselineAdminNetworkPolicy (one per cluster, named `default`) when no NetworkPolicy isolates the pod: the
 *      first matching rule's `Allow` or `Deny`.
 *   4. Otherwise allowed.
 *
 * Subjects and peers: `namespaces` (every pod of the selected namespaces) or `pods` ({namespaceSelector,
 * podSelector}, both required; `{}` selects all). Egress peers may also be `networks` (CIDRs, matched by address like
 * an ipBlock) or `nodes` (node label selectors: nodes are not part of the model, so such a peer matches nothing here).
 * hostNetwork pods are never subjects nor pod peers. Ports: `portNumber` {protocol, port}, `portRange` {protocol,
 * start, end}, `namedPort` (resolved on the destination pod, any protocol); no `ports`: every port. Two policies of
 * the same priority that both match leave the order to the implementation; here the lower name goes first.
 *
 * Objects with fields the CRD's validation would refuse (missing priority or action, a peer with zero or several
 * fields, an invalid CIDR or selector) yield issues and are left out.
 */
import type { FieldPath } from '../model/field-path.js';
import { formatFieldPath } from '../model/field-path.js';
import type { KubeObject } from '../model/resource.js';
import { groupOf } from '../model/resource.js';
import type { LabelSelector } from './label-selector.js';
import { labelSelectorMatcher, validateLabelSelector } from './label-selector.js';
import type { IpSet } from './ip-set.js';
import { IpSet as IpSetClass, parseCidr } from './ip-set.js';
import type { Direction, LabelMatcher, NetworkPolicyIssue } from './network-policy.js';
import { portNameError } from './network-policy.js';
import type { Protocol } from './port-set.js';
import { MAX_PORT, MIN_PORT, PROTOCOLS } from './port-set.js';

export type AdminAction = 'Allow' | 'Deny' | 'Pass';

/** A set of pods: the namespaces' matcher, and the pods' matcher (everything when the subject names namespaces only). */
export interface AdminPodSet {
  matchesNamespaceLabels: LabelMatcher;
  matchesPodLabels: LabelMatcher;
}

export type AdminPeer =
  | ({ kind: 'pods'; index: number } & AdminPodSet)
  | { kind: 'networks'; index: number; cidrs: string[]; addresses: IpSet }
  /** Node peers select Node objects, which the model does not hold: they match nothing. */
  | { kind: 'nodes'; index: number };

export type AdminPort =
  | { index: number; kind: 'number'; protocol: Protocol; port: number }
  | { index: number; kind: 'range'; protocol: Protocol; start: number; end: number }
  | { index: number; kind: 'named'; name: string };

export interface AdminRule {
  direction: Direction;
  index: number;
  name?: string;
  action: AdminAction;
  peers: AdminPeer[];
  /** Undefined: every port. */
  ports: AdminPort[] | undefined;
}

export interface AdminPolicy {
  object: KubeObject;
  kind: 'AdminNetworkPolicy' | 'BaselineAdminNetworkPolicy';
  name: string;
  /** 0–1000 for AdminNetworkPolicy, lower first; undefined for the baseline. */
  priority: number | undefined;
  subject: AdminPodSet;
  ingress: AdminRule[];
  egress: AdminRule[];
}

export function isAdminNetworkPolicy(object: KubeObject): boolean {
  return (
    (object.kind === 'AdminNetworkPolicy' || object.kind === 'BaselineAdminNetworkPolicy') &&
    typeof object.apiVersion === 'string' &&
    groupOf(object.apiVersion) === 'policy.networking.k8s.io'
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

type Add = (path: FieldPath, message: string) => void;

function selector(value: unknown, path: FieldPath, add: Add): LabelMatcher | undefined {
  if (value === undefined || value === null) {
    add(path, 'a label selector is required here ({} selects everything)');
    return undefined;
  }
  const issues = validateLabelSelector(value, path);
  for (const issue of issues) add(issue.path, issue.message);
  return issues.length === 0 ? labelSelectorMatcher(value as LabelSelector) : undefined;
}

const EVERYTHING: LabelMatcher = () => true;

/**
 * A `namespaces` selector: a label selector, or in API versions v0.1.0–0.1.1 `{namespaceSelector}` (their
 * `sameLabels` / `notSameLabels` compare with the subject's namespace and are not supported: an issue).
 */
function namespacesSelector(value: unknown, path: FieldPath, add: Add): LabelMatcher | undefined {
  if (isRecord(value) && ('namespaceSelector' in value || 'sameLabels' in value || 'notSameLabels' in value)) {
    if (value['sameLabels'] !== undefined || value['notSameLabels'] !== undefined) {
      add(path, 'sameLabels and notSameLabels (API v0.1.0–0.1.1) are not supported');
      return undefined;
    }
    return selector(value['namespaceSelector'], [...path, 'namespaceSelector'], add);
  }
  return selector(value, path, add);
}

/** `{namespaces: selector}` or `{pods: {namespaceSelector, podSelector}}`, exactly one. */
function podSet(value: unknown, path: FieldPath, add: Add, allowed: readonly string[]): AdminPodSet | { other: string; value: unknown } | undefined {
  if (!isRecord(value)) {
    add(path, `must be a mapping with exactly one of ${allowed.join(', ')}`);
    return undefined;
  }
  const fields = Object.keys(value).filter((k) => value[k] !== undefined && value[k] !== null);
  if (fields.length !== 1 || !allowed.includes(fields[0]!)) {
    add(path, `must set exactly one of ${allowed.join(', ')}${fields.length > 0 ? ` (found ${fields.join(', ')})` : ''}`);
    return undefined;
  }
  const field = fields[0]!;
  if (field === 'namespaces') {
    const ns = namespacesSelector(value['namespaces'], [...path, 'namespaces'], add);
    return ns ? { matchesNamespaceLabels: ns, matchesPodLabels: EVERYTHING } : undefined;
  }
  if (field === 'pods') {
    const pods = value['pods'];
    if (!isRecord(pods)) {
      add([...path, 'pods'], 'pods must be a mapping with namespaceSelector and podSelector');
      return undefined;
    }
    // v0.1.0–0.1.1 wrote `pods: {namespaces: {namespaceSelector}, podSelector}`.
    const ns = isRecord(pods['namespaces'])
      ? namespacesSelector(pods['namespaces'], [...path, 'pods', 'namespaces'], add)
      : selector(pods['namespaceSelector'], [...path, 'pods', 'namespaceSelector'], add);
    const pod = selector(pods['podSelector'], [...path, 'pods', 'podSelector'], add);
    return ns && pod ? { matchesNamespaceLabels: ns, matchesPodLabels: pod } : undefined;
  }
  return { other: field, value: value[field] };
}

function parsePeer(value: unknown, index: number, path: FieldPath, direction: Direction, add: Add): AdminPeer | undefined {
  const allowed = direction === 'ingress' ? ['namespaces', 'pods'] : ['namespaces', 'pods', 'networks', 'nodes'];
  const parsed = podSet(value, path, add, allowed);
  if (!parsed) return undefined;
  if (!('other' in parsed)) return { kind: 'pods', index, ...parsed };
  if (parsed.other === 'nodes') {
    return selector(parsed.value, [...path, 'nodes'], add) ? { kind: 'nodes', index } : undefined;
  }
  // networks
  if (!Array.isArray(parsed.value) || parsed.value.length === 0) {
    add([...path, 'networks'], 'networks must be a non-empty list of CIDRs');
    return undefined;
  }
  let addresses = IpSetClass.EMPTY;
  const cidrs: string[] = [];
  let ok = true;
  parsed.value.forEach((text: unknown, i: number) => {
    const cidr = typeof text === 'string' ? parseCidr(text) : 'must be a string in CIDR notation';
    if (typeof cidr === 'string') {
      add([...path, 'networks', i], cidr);
      ok = false;
    } else {
      addresses = addresses.union(IpSetClass.ofCidr(cidr));
      cidrs.push(text as string);
    }
  });
  return ok ? { kind: 'networks', index, cidrs, addresses } : undefined;
}

function protocolOf(value: unknown, path: FieldPath, add: Add): Protocol | undefined {
  const protocol = value ?? 'TCP';
  if ((PROTOCOLS as readonly unknown[]).includes(protocol)) return protocol as Protocol;
  add(path, `unsupported value ${JSON.stringify(protocol)}: supported values: "TCP", "UDP", "SCTP"`);
  return undefined;
}

function portNumber(value: unknown, path: FieldPath, add: Add): number | undefined {
  if (typeof value === 'number' && Number.isInteger(value) && value >= MIN_PORT && value <= MAX_PORT) return value;
  add(path, `must be a port number from 1 to 65535, got ${JSON.stringify(value)}`);
  return undefined;
}

function parsePort(value: unknown, index: number, path: FieldPath, add: Add): AdminPort | undefined {
  if (!isRecord(value)) {
    add(path, 'a port must be a mapping with exactly one of portNumber, portRange, namedPort');
    return undefined;
  }
  const fields = Object.keys(value).filter((k) => value[k] !== undefined && value[k] !== null);
  if (fields.length !== 1 || !['portNumber', 'portRange', 'namedPort'].includes(fields[0]!)) {
    add(path, 'must set exactly one of portNumber, portRange, namedPort');
    return undefined;
  }
  if (fields[0] === 'namedPort') {
    const name = value['namedPort'];
    const error = typeof name === 'string' ? portNameError(name) : 'namedPort must be a string';
    if (error) {
      add([...path, 'namedPort'], error);
      return undefined;
    }
    return { index, kind: 'named', name: name as string };
  }
  const body = value[fields[0]!];
  if (!isRecord(body)) {
    add([...path, fields[0]!], `${fields[0]} must be a mapping`);
    return undefined;
  }
  const protocol = protocolOf(body['protocol'], [...path, fields[0]!, 'protocol'], add);
  if (fields[0] === 'portNumber') {
    const port = portNumber(body['port'], [...path, 'portNumber', 'port'], add);
    return protocol && port !== undefined ? { index, kind: 'number', protocol, port } : undefined;
  }
  const start = portNumber(body['start'], [...path, 'portRange', 'start'], add);
  const end = portNumber(body['end'], [...path, 'portRange', 'end'], add);
  if (start !== undefined && end !== undefined && start >= end) {
    add([...path, 'portRange'], `start (${start}) must be less than end (${end})`);
    return undefined;
  }
  return protocol && start !== undefined && end !== undefined ? { index, kind: 'range', protocol, start, end } : undefined;
}

function parseRule(value: unknown, direction: Direction, index: number, baseline: boolean, add: Add): AdminRule | undefined {
  const path: FieldPath = ['spec', direction, index];
  if (!isRecord(value)) {
    add(path, 'a rule must be a mapping with action, ports and from/to');
    return undefined;
  }
  const actions = baseline ? ['Allow', 'Deny'] : ['Allow', 'Deny', 'Pass'];
  const action = value['action'];
  let ok = true;
  if (!actions.includes(action as string)) {
    add([...path, 'action'], `action must be one of ${actions.join(', ')}, got ${JSON.stringify(action)}`);
    ok = false;
  }
  const peerField = direction === 'ingress' ? 'from' : 'to';
  const peerList = value[peerField];
  const peers: AdminPeer[] = [];
  if (!Array.isArray(peerList) || peerList.length === 0) {
    add([...path, peerField], `${peerField} must be a non-empty list of peers`);
    ok = false;
  } else {
    peerList.forEach((peer: unknown, i: number) => {
      const parsed = parsePeer(peer, i, [...path, peerField, i], direction, add);
      if (parsed) peers.push(parsed);
      else ok = false;
    });
  }
  let ports: AdminPort[] | undefined;
  const portList = value['ports'];
  if (portList !== undefined && portList !== null) {
    if (!Array.isArray(portList)) {
      add([...path, 'ports'], 'ports must be a list');
      ok = false;
    } else {
      ports = [];
      portList.forEach((port: unknown, i: number) => {
        const parsed = parsePort(port, i, [...path, 'ports', i], add);
        if (parsed) ports!.push(parsed);
        else ok = false;
      });
    }
  }
  if (!ok) return undefined;
  return { direction, index, ...(typeof value['name'] === 'string' ? { name: value['name'] } : {}), action: action as AdminAction, peers, ports };
}

/** Reads an AdminNetworkPolicy or BaselineAdminNetworkPolicy; issues and no policy when its CRD would refuse it. */
export function parseAdminNetworkPolicy(object: KubeObject): { policy?: AdminPolicy; issues: NetworkPolicyIssue[] } {
  const issues: NetworkPolicyIssue[] = [];
  const add: Add = (path, message) => issues.push({ path, field: formatFieldPath(path), message });
  const kind = object.kind as AdminPolicy['kind'];
  const baseline = kind === 'BaselineAdminNetworkPolicy';
  const name = object.metadata?.name;
  if (typeof name !== 'string' || name === '') add(['metadata', 'name'], `a ${kind} needs metadata.name`);
  else if (baseline && name !== 'default') add(['metadata', 'name'], 'a BaselineAdminNetworkPolicy must be named "default" (there is one per cluster)');
  const spec = object['spec'];
  if (!isRecord(spec)) {
    add(['spec'], 'spec is required');
    return { issues };
  }
  let priority: number | undefined;
  if (!baseline) {
    const value = spec['priority'];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 1000) add(['spec', 'priority'], `priority must be an integer from 0 to 1000, got ${JSON.stringify(value)}`);
    else priority = value;
  }
  const subject = podSet(spec['subject'], ['spec', 'subject'], add, ['namespaces', 'pods']);
  const rules: Record<Direction, AdminRule[]> = { ingress: [], egress: [] };
  for (const direction of ['ingress', 'egress'] as const) {
    const list = spec[direction];
    if (list === undefined || list === null) continue;
    if (!Array.isArray(list)) {
      add(['spec', direction], `${direction} must be a list of rules`);
      continue;
    }
    if (list.length > 100) add(['spec', direction], 'at most 100 rules');
    list.forEach((value: unknown, index: number) => {
      const rule = parseRule(value, direction, index, baseline, add);
      if (rule) rules[direction].push(rule);
    });
  }
  if (issues.length > 0 || !subject || 'other' in subject) return { issues };
  return { policy: { object, kind, name: name as string, priority, subject, ingress: rules.ingress, egress: rules.egress }, issues };
}

/** AdminNetworkPolicies in evaluation order: priority, then name (the API leaves equal priorities' order open). */
export function adminEvaluationOrder(policies: readonly AdminPolicy[]): AdminPolicy[] {
  return [...policies].sort((a, b) => a.priority! - b.priority! || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
