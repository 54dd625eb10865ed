/**
 * The report of `aspis netpol harden` (JSON with --report, text on stderr): which reports matched which workloads,
 * and per hardened workload its vulnerabilities, its exposure before and after, the connections closed (`netpol
 * diff` semantics) and, with flows, the replay of every observed edge under the current and the hardened policies.
 */
export interface NetpolHardenAccess {
  addresses: string[];
  ports: string;
}

export interface NetpolHardenPeer {
  workload: string;
  ports: string;
}

export interface NetpolHardenExposure {
  group: string;
  isolated: { ingress: boolean; egress: boolean };
  sources: NetpolHardenPeer[];
  fromOutside: NetpolHardenAccess[];
  destinations: NetpolHardenPeer[];
  toOutside: NetpolHardenAccess[];
}

export interface NetpolHardenWorkload {
  id: string;
  /** `namespace/name` of the hardened policy; null when the workload could not be hardened (see problems). */
  policy: string | null;
  vulnerabilities: {
    id: string;
    aliases: string[];
    severity: string;
    score?: number;
    ecosystem: string;
    package: string;
    version: string;
    image: string;
    container: string;
    report: string;
  }[];
  internetFacing: string[];
  /** Existing policies changed to stop selecting it. */
  excludedFrom: { policy: string; key: string; value: string }[];
  before: NetpolHardenExposure[];
  after: NetpolHardenExposure[];
  closed: { from: string; to: string; ports: string }[];
  opened: { from: string; to: string; ports: string }[];
  external: { workload: string; direction: 'ingress' | 'egress'; opened: NetpolHardenAccess[]; closed: NetpolHardenAccess[] }[];
  /** Observed edges the hardened policy does not allow, and why. */
  leftOut: { edge: string; flows: number; reason: string }[];
  /** Rules of the current policies not carried over (without flows). */
  dropped: string[];
  problems: string[];
}

export interface NetpolHardenReport {
  kind: 'NetpolHarden';
  severity: string;
  /** `flows`: only what was observed; `current-policies`: what the current policies allow in the cluster. */
  basis: 'flows' | 'current-policies';
  summary: {
    reports: number;
    unmatchedReports: number;
    workloadsHardened: number;
    policiesWritten: number;
    policiesChanged: number;
    connectionsClosed: number;
    connectionsOpened: number;
    otherChanges: number;
    flows?: number;
    brokenFlows?: number;
  };
  reports: {
    source: string;
    image: string;
    vulnerabilities: number;
    unfixable: number;
    matches: { workload: string; container: string; image: string; by: 'digest' | 'reference'; note?: string }[];
  }[];
  workloads: NetpolHardenWorkload[];
  /** Connections of workloads not hardened that change (none unless a hardened selector also selects them). */
  otherChanges: { from: string; to: string; opened: string; closed: string }[];
  policies: { namespace: string; name: string; change: 'hardened' | 'excludes hardened workloads' }[];
  replay?: {
    flows: number;
    edges: number;
    brokenFlows: number;
    alreadyDeniedFlows: number;
    broken: { source: string; destination: string; protocol: string; port: number; flows: number; deniedAt: string[]; isolatedBy: string[] }[];
  };
}
