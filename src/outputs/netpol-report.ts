/**
 * The documents `aspis netpol reach|explain|diff` print: plain JSON (what `-o json` writes), which every other
 * renderer (table, Graphviz dot, HTML) reads. Kept free of engine types so that outputs depend on core only.
 * Workloads are named by id `namespace/Kind/name`; port sets as text (`TCP:80,8000-8080 UDP:53`, `all`) and as
 * ranges per protocol.
 */
import type { Protocol } from '../core/k8s/port-set.js';

export type PortRanges = Partial<Record<Protocol, [number, number][]>>;

export interface NetpolWorkload {
  id: string;
  namespace: string;
  kind: string;
  name: string;
  /** Live pods, or replicas the template asks for; null when unknown (DaemonSet, CronJob). */
  pods: number | null;
  hostNetwork: boolean;
  /** Declared container ports: `http=8080/TCP`, `9090/TCP`. */
  ports: string[];
  isolated: { ingress: boolean; egress: boolean };
  /** `namespace/name` of the policies isolating it, per direction. */
  policies: { ingress: string[]; egress: string[] };
}

export interface NetpolEdge {
  from: string;
  to: string;
  ports: string;
  portRanges: PortRanges;
}

/** Traffic with addresses outside the pod network: `addresses` as CIDRs. */
export interface NetpolExternalEdge {
  workload: string;
  addresses: string[];
  ports: string;
  portRanges: PortRanges;
}

export interface NetpolReachReport {
  kind: 'NetpolReach';
  source: 'manifests' | 'cluster';
  workloads: NetpolWorkload[];
  edges: NetpolEdge[];
  external: { ingress: NetpolExternalEdge[]; egress: NetpolExternalEdge[] };
  summary: {
    workloads: number;
    /** Ordered pairs of workloads (self pairs included: pods of one workload talking to each other). */
    pairs: number;
    edges: number;
    isolatedForIngress: number;
    isolatedForEgress: number;
  };
  /** What the analysis assumes (hostNetwork pods, ipBlock and pod IPs…). */
  notes: string[];
}

export interface NetpolRuleReport {
  policy: string;
  direction: 'ingress' | 'egress';
  rule: number;
  /** `file:line` of the rule, or `Kind/ns/name field` from a cluster. */
  location: string;
  /** Index of the matching peer, `all` for a rule without peers, null when no peer matches. */
  peer: number | 'all' | null;
  port: number | 'all' | null;
  matches: boolean;
  /** The rule in words: `from: podSelector app=web; ports: 8080/TCP`. */
  text: string;
}

export interface NetpolDirectionReport {
  direction: 'ingress' | 'egress';
  /** Where the direction is decided: the source pod (egress) or the destination pod (ingress). */
  at: string;
  isolated: boolean;
  /** Why no policy applies: `outside-cluster`, `host-network`, `not-selected`. */
  reason?: string;
  selectedBy: { policy: string; location: string }[];
  rules: NetpolRuleReport[];
  /** The first AdminNetworkPolicy rule that matched (Allow/Deny decide, Pass hands over to NetworkPolicy). */
  admin?: NetpolAdminRuleReport;
  /** The BaselineAdminNetworkPolicy rule that decided, where no NetworkPolicy isolates the pod. */
  baseline?: NetpolAdminRuleReport;
  allowed: boolean;
}

export interface NetpolAdminRuleReport {
  /** `AdminNetworkPolicy/name` or `BaselineAdminNetworkPolicy/default`. */
  policy: string;
  priority?: number;
  rule: number;
  name?: string;
  action: 'Allow' | 'Deny' | 'Pass';
  location: string;
}

export interface NetpolExplainCase {
  from: string;
  to: string;
  /** The port the destination receives on; null when it cannot be resolved (see problem). */
  port: number | null;
  protocol: Protocol;
  servicePort?: { service: string; port: number; targetPort: number | string };
  allowed: boolean | null;
  problem?: string;
  egress?: NetpolDirectionReport;
  ingress?: NetpolDirectionReport;
}

export interface NetpolExplainReport {
  kind: 'NetpolExplain';
  from: string;
  to: string;
  port: string;
  protocol: Protocol;
  allowed: 'yes' | 'no' | 'partly';
  cases: NetpolExplainCase[];
}

export interface NetpolPortChange {
  from: string;
  to: string;
  ports: string;
  portRanges: PortRanges;
}

export interface NetpolExternalChange {
  workload: string;
  direction: 'ingress' | 'egress';
  opened: { addresses: string[]; ports: string }[];
  closed: { addresses: string[]; ports: string }[];
}

export interface NetpolDiffReport {
  kind: 'NetpolDiff';
  old: string;
  new: string;
  opened: NetpolPortChange[];
  closed: NetpolPortChange[];
  external: NetpolExternalChange[];
  addedWorkloads: string[];
  removedWorkloads: string[];
  summary: { opened: number; closed: number; externalChanges: number };
}
