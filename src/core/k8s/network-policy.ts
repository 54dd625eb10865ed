/**
 * Kubernetes NetworkPolicy (`networking.k8s.io/v1`) read from an untrusted object into a checked, compiled form, with
 * the API server's validation (k8s.io/kubernetes pkg/apis/networking/validation, ValidateNetworkPolicySpec) and the
 * API's defaulting. An object the API server would reject yields issues and no policy: it cannot exist in a cluster,
 * so analysis leaves it out rather than guess.
 *
 * Semantics kept here (https://kubernetes.io/docs/concepts/services-networking/network-policies/ and the field docs of
 * NetworkPolicySpec in k8s.io/api/networking/v1):
 * - `podSelector` selects pods of the policy's namespace; `{}` (or absent: it is not a pointer in the API) selects all.
 * - `policyTypes` absent: `Ingress` always, plus `Egress` when `egress` has at least one rule. A direction not in
 *   `policyTypes` is not isolated by the policy, and the policy's rules for it are ignored.
 * - A rule's `from`/`to` absent or empty: every source/destination, in or out of the cluster. `ports` absent or empty:
 *   every port of every protocol.
 * - A peer with `podSelector` only: pods of the policy's namespace; `namespaceSelector` only: every pod of the
 *   selected namespaces; both: the selected pods in the selected namespaces (AND). Separate peers are ORed.
 *   `ipBlock` excludes both selectors; `except` entries must lie strictly inside `cidr`.
 * - A port is a number, or a name resolved on the destination pod's container ports; `protocol` defaults to TCP;
 *   `endPort` (numeric port only) makes a range.
 */
import type { FieldPath } from '../model/field-path.js';
import { formatFieldPath } from '../model/field-path.js';
import type { KubeObject } from '../model/resource.js';
import { groupOf } from '../model/resource.js';
import type { LabelSelector } from './label-selector.js';
import { isEmptyLabelSelector, labelSelectorMatcher, validateLabelSelector } from './label-selector.js';
import type { Cidr } from './ip-set.js';
import { IpSet, parseCidr } from './ip-set.js';
import type { Protocol } from './port-set.js';
import { MAX_PORT, MIN_PORT, PROTOCOLS } from './port-set.js';

export type Direction = 'ingress' | 'egress';
export const DIRECTIONS: readonly Direction[] = ['ingress', 'egress'];

export type LabelMatcher = (labels: Readonly<Record<string, string>> | undefined) => boolean;

/** A policy's identity in reports: `namespace/name`. */
export interface PolicyRef {
  namespace: string;
  name: string;
}

export interface NetworkPolicyPort {
  /** Position in the rule's `ports`. */
  index: number;
  protocol: Protocol;
  /** A port number, a port name (resolved on the destination pod), or absent: every port of `protocol`. */
  port?: number | string;
  endPort?: number;
}

export type NetworkPolicyPeer =
  | {
      kind: 'pods';
      /** Position in the rule's `from`/`to`. */
      index: number;
      /** Absent: every pod (of the selected namespaces, or of the policy's namespace). */
      podSelector?: LabelSelector;
      /** Absent: the policy's namespace only. `{}`: every namespace. */
      namespaceSelector?: LabelSelector;
      matchesPodLabels: LabelMatcher;
      matchesNamespaceLabels: LabelMatcher | undefined;
    }
  | {
      kind: 'ipBlock';
      index: number;
      cidr: string;
      except: string[];
      /** `cidr` minus every `except`. */
      addresses: IpSet;
    };

export interface NetworkPolicyRule {
  direction: Direction;
  /** Position in `spec.ingress` / `spec.egress`. */
  index: number;
  /** Undefined: every peer, in and out of the cluster (`from`/`to` absent or empty). */
  peers: NetworkPolicyPeer[] | undefined;
  /** Undefined: every port of every protocol (`ports` absent or empty). */
  ports: NetworkPolicyPort[] | undefined;
}

export interface NetworkPolicy extends PolicyRef {
  object: KubeObject;
  podSelector: LabelSelector;
  selectsPodLabels: LabelMatcher;
  /** Which directions the policy isolates its pods for, after `policyTypes` defaulting. */
  isolates: Record<Direction, boolean>;
  /** Whether `policyTypes` was written (false: defaulted from the rules). */
  explicitPolicyTypes: boolean;
  ingress: NetworkPolicyRule[];
  egress: NetworkPolicyRule[];
}

export interface NetworkPolicyIssue {
  path: FieldPath;
  field: string;
  message: string;
}

export function isNetworkPolicy(object: KubeObject): boolean {
  return object.kind === 'NetworkPolicy' && typeof object.apiVersion === 'string' && groupOf(object.apiVersion) === 'networking.k8s.io';
}

export function formatPolicyRef(ref: PolicyRef): string {
  return `${ref.namespace}/${ref.name}`;
}

export function rulePath(rule: { direction: Direction; index: number }): FieldPath {
  return ['spec', rule.direction, rule.index];
}

export function peerPath(rule: { direction: Direction; index: number }, peerIndex: number): FieldPath {
  return [...rulePath(rule), rule.direction === 'ingress' ? 'from' : 'to', peerIndex];
}

export function portPath(rule: { direction: Direction; index: number }, portIndex: number): FieldPath {
  return [...rulePath(rule), 'ports', portIndex];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

const PORT_NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

/** Why `name` is not an IANA service name (what a named port must be), or undefined (validation.IsValidPortName). */
export function portNameError(name: string): string | undefined {
  if (name.length === 0 || name.length > 15) return `port name "${name}" must be 1 to 15 characters`;
  if (!PORT_NAME.test(name)) return `port name "${name}" must contain only lowercase letters, digits and '-', and start and end with a letter or digit`;
  if (name.includes('--')) return `port name "${name}" must not contain consecutive hyphens`;
  if (!/[a-z]/.test(name)) return `port name "${name}" must contain at least one letter`;
  return undefined;
}

function isPortNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= MIN_PORT && value <= MAX_PORT;
}

/**
 * Reads a NetworkPolicy. `defaultNamespace` is the namespace of a manifest without `metadata.namespace` (where
 * `kubectl apply` would put it). Returns the compiled policy, or only issues when the API server would reject it.
 */
export function parseNetworkPolicy(object: KubeObject, defaultNamespace: string): { policy?: NetworkPolicy; issues: NetworkPolicyIssue[] } {
  const issues: NetworkPolicyIssue[] = [];
  const add = (path: FieldPath, message: string) => issues.push({ path, field: formatFieldPath(path), message });
  const meta = object.metadata ?? {};
  const name = typeof meta.name === 'string' && meta.name !== '' ? meta.name : undefined;
  if (!name) add(['metadata', 'name'], 'a NetworkPolicy needs metadata.name');
  const namespace = typeof meta.namespace === 'string' && meta.namespace !== '' ? meta.namespace : defaultNamespace;
  const spec = object['spec'];
  if (spec !== undefined && spec !== null && !isRecord(spec)) {
    add(['spec'], 'spec must be a mapping');
    return { issues };
  }
  const body = isRecord(spec) ? spec : {};

  const podSelectorValue = body['podSelector'] ?? {};
  const selectorIssues = validateLabelSelector(podSelectorValue, ['spec', 'podSelector']);
  for (const issue of selectorIssues) add(issue.path, issue.message);
  const podSelector = selectorIssues.length === 0 ? (podSelectorValue as LabelSelector) : {};

  const rules: Record<Direction, NetworkPolicyRule[]> = { ingress: [], egress: [] };
  for (const direction of DIRECTIONS) {
    const list = body[direction];
    if (list === undefined || list === null) continue;
    if (!Array.isArray(list)) {
      add(['spec', direction], `${direction} must be a list of rules`);
      continue;
    }
    list.forEach((value: unknown, index: number) => {
      const rule = parseRule(value, direction, index, add);
      if (rule) rules[direction].push(rule);
    });
  }

  const typesValue = body['policyTypes'];
  let isolates: Record<Direction, boolean> = { ingress: true, egress: Array.isArray(body['egress']) && body['egress'].length > 0 };
  const explicitPolicyTypes = Array.isArray(typesValue) && typesValue.length > 0;
  if (typesValue !== undefined && typesValue !== null && !Array.isArray(typesValue)) add(['spec', 'policyTypes'], 'policyTypes must be a list of Ingress and/or Egress');
  else if (explicitPolicyTypes) {
    const types = typesValue as unknown[];
    if (types.length > 2) add(['spec', 'policyTypes'], 'may not specify more than two policyTypes');
    isolates = { ingress: false, egress: false };
    types.forEach((type, i) => {
      if (type === 'Ingress') isolates.ingress = true;
      else if (type === 'Egress') isolates.egress = true;
      else add(['spec', 'policyTypes', i], `unsupported value ${JSON.stringify(type)}: supported values: "Ingress", "Egress"`);
    });
  }
  if (issues.length > 0 || !name) return { issues };
  return {
    policy: {
      object,
      namespace,
      name,
      podSelector,
      selectsPodLabels: labelSelectorMatcher(podSelector),
      isolates,
      explicitPolicyTypes,
      ingress: rules.ingress,
      egress: rules.egress,
    },
    issues,
  };
}

function parseRule(value: unknown, direction: Direction, index: number, add: (path: FieldPath, message: string) => void): NetworkPolicyRule | undefined {
  const path = ['spec', direction, index];
  if (value === null || value === undefined) return { direction, index, peers: undefined, ports: undefined };
  if (!isRecord(value)) {
    add(path, 'a rule must be a mapping with ports and from/to');
    return undefined;
  }
  const peerField = direction === 'ingress' ? 'from' : 'to';
  let ok = true;
  let peers: NetworkPolicyPeer[] | undefined;
  const peerList = value[peerField];
  if (peerList !== undefined && peerList !== null) {
    if (!Array.isArray(peerList)) {
      add([...path, peerField], `${peerField} must be a list of peers`);
      ok = false;
    } else if (peerList.length > 0) {
      peers = [];
      peerList.forEach((peerValue: unknown, i: number) => {
        const peer = parsePeer(peerValue, i, [...path, peerField, i], add);
        if (peer) peers!.push(peer);
        else ok = false;
      });
    }
  }
  let ports: NetworkPolicyPort[] | undefined;
  const portList = value['ports'];
  if (portList !== undefined && portList !== null) {
    if (!Array.isArray(portList)) {
      add([...path, 'ports'], 'ports must be a list');
      ok = false;
    } else if (portList.length > 0) {
      ports = [];
      portList.forEach((portValue: unknown, i: number) => {
        const port = parsePort(portValue, i, [...path, 'ports', i], add);
        if (port) ports!.push(port);
        else ok = false;
      });
    }
  }
  return ok ? { direction, index, peers, ports } : undefined;
}

function parsePeer(value: unknown, index: number, path: FieldPath, add: (path: FieldPath, message: string) => void): NetworkPolicyPeer | undefined {
  if (!isRecord(value)) {
    add(path, 'a peer must be a mapping with podSelector, namespaceSelector or ipBlock');
    return undefined;
  }
  const has = (field: string) => value[field] !== undefined && value[field] !== null;
  const count = ['podSelector', 'namespaceSelector', 'ipBlock'].filter(has).length;
  if (count === 0) {
    add(path, 'must specify a peer: podSelector, namespaceSelector or ipBlock');
    return undefined;
  }
  if (has('ipBlock')) {
    if (count > 1) {
      add(path, 'may not specify both podSelector/namespaceSelector and ipBlock');
      return undefined;
    }
    return parseIpBlock(value['ipBlock'], index, [...path, 'ipBlock'], add);
  }
  let ok = true;
  const selector = (field: 'podSelector' | 'namespaceSelector'): LabelSelector | undefined => {
    if (!has(field)) return undefined;
    const issues = validateLabelSelector(value[field], [...path, field]);
    for (const issue of issues) add(issue.path, issue.message);
    if (issues.length > 0) ok = false;
    return value[field] as LabelSelector;
  };
  const podSelector = selector('podSelector');
  const namespaceSelector = selector('namespaceSelector');
  if (!ok) return undefined;
  return {
    kind: 'pods',
    index,
    ...(podSelector ? { podSelector } : {}),
    ...(namespaceSelector ? { namespaceSelector } : {}),
    matchesPodLabels: labelSelectorMatcher(podSelector ?? {}),
    matchesNamespaceLabels: namespaceSelector ? labelSelectorMatcher(namespaceSelector) : undefined,
  };
}

function parseIpBlock(value: unknown, index: number, path: FieldPath, add: (path: FieldPath, message: string) => void): NetworkPolicyPeer | undefined {
  if (!isRecord(value)) {
    add(path, 'ipBlock must be a mapping with cidr and optional except');
    return undefined;
  }
  const cidrText = value['cidr'];
  if (typeof cidrText !== 'string' || cidrText === '') {
    add([...path, 'cidr'], 'ipBlock.cidr is required: an IPv4 or IPv6 CIDR such as 10.0.0.0/8');
    return undefined;
  }
  const cidr = parseCidr(cidrText);
  if (typeof cidr === 'string') {
    add([...path, 'cidr'], cidr);
    return undefined;
  }
  const exceptValue = value['except'] ?? [];
  if (!Array.isArray(exceptValue)) {
    add([...path, 'except'], 'except must be a list of CIDRs');
    return undefined;
  }
  let ok = true;
  const except: Cidr[] = [];
  const exceptTexts: string[] = [];
  exceptValue.forEach((text: unknown, i: number) => {
    const parsed = typeof text === 'string' ? parseCidr(text) : 'must be a string in CIDR notation';
    if (typeof parsed === 'string') {
      add([...path, 'except', i], parsed);
      ok = false;
      return;
    }
    // The API server: the except must lie inside cidr with a longer prefix.
    if (parsed.family !== cidr.family || parsed.start < cidr.start || parsed.end > cidr.end || parsed.prefix <= cidr.prefix) {
      add([...path, 'except', i], `"${text as string}" must be a strict subset of cidr "${cidrText}"`);
      ok = false;
      return;
    }
    except.push(parsed);
    exceptTexts.push(text as string);
  });
  if (!ok) return undefined;
  return { kind: 'ipBlock', index, cidr: cidrText, except: exceptTexts, addresses: IpSet.ofBlock(cidr, except) };
}

function parsePort(value: unknown, index: number, path: FieldPath, add: (path: FieldPath, message: string) => void): NetworkPolicyPort | undefined {
  if (!isRecord(value)) {
    add(path, 'a port must be a mapping with protocol, port and endPort');
    return undefined;
  }
  let ok = true;
  const protocolValue = value['protocol'] ?? 'TCP';
  if (!(PROTOCOLS as readonly unknown[]).includes(protocolValue)) {
    add([...path, 'protocol'], `unsupported value ${JSON.stringify(protocolValue)}: supported values: "TCP", "UDP", "SCTP"`);
    ok = false;
  }
  const portValue = value['port'];
  let port: number | string | undefined;
  if (portValue !== undefined && portValue !== null) {
    if (typeof portValue === 'string') {
      const error = portNameError(portValue);
      if (error) {
        add([...path, 'port'], error);
        ok = false;
      } else port = portValue;
    } else if (isPortNumber(portValue)) port = portValue;
    else {
      add([...path, 'port'], `must be a port number from 1 to 65535 or a port name, got ${JSON.stringify(portValue)}`);
      ok = false;
    }
  }
  const endPortValue = value['endPort'];
  let endPort: number | undefined;
  if (endPortValue !== undefined && endPortValue !== null) {
    if (!isPortNumber(endPortValue)) {
      add([...path, 'endPort'], `must be a port number from 1 to 65535, got ${JSON.stringify(endPortValue)}`);
      ok = false;
    } else if (portValue === undefined || portValue === null) {
      add([...path, 'endPort'], 'may not be specified without port');
      ok = false;
    } else if (typeof portValue === 'string') {
      add([...path, 'endPort'], 'may not be specified when port is a named port');
      ok = false;
    } else if (typeof port === 'number' && endPortValue < port) {
      add([...path, 'endPort'], `must be greater than or equal to port (${port})`);
      ok = false;
    } else endPort = endPortValue;
  }
  if (!ok) return undefined;
  return { index, protocol: protocolValue as Protocol, ...(port !== undefined ? { port } : {}), ...(endPort !== undefined ? { endPort } : {}) };
}

/** Whether a selector given to a peer selects everything (`{}`). */
export function selectsAll(selector: LabelSelector | undefined): boolean {
  return selector !== undefined && isEmptyLabelSelector(selector);
}
