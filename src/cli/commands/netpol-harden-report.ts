/** The report document (src/outputs/netpol-harden-report.ts) of a harden run (src/network/harden). */
import type { ExternalAccess } from '../../network/index.js';
import { formatEnd } from '../../network/flows/workload-edge.js';
import type { WorkloadEdge } from '../../network/flows/workload-edge.js';
import type { HardenResult, TargetSelection } from '../../network/harden/harden-workloads.js';
import type { GroupExposure } from '../../network/harden/workload-exposure.js';
import type { ScannedImageReport } from '../../network/harden/scanned-image-report.js';
import { unfixableVulnerabilities } from '../../network/harden/scanned-image-report.js';
import type { Severity } from '../../core/model/severity.js';
import type { NetpolHardenAccess, NetpolHardenExposure, NetpolHardenReport } from '../../outputs/netpol-harden-report.js';

function access(list: readonly ExternalAccess[]): NetpolHardenAccess[] {
  return list.map((a) => ({ addresses: a.addresses.toString().split(', '), ports: a.ports.toString() }));
}

function exposure(e: GroupExposure): NetpolHardenExposure {
  return {
    group: e.group,
    isolated: e.isolated,
    sources: e.sources.map((p) => ({ workload: p.workload, ports: p.ports.toString() })),
    fromOutside: access(e.fromExternal),
    destinations: e.destinations.map((p) => ({ workload: p.workload, ports: p.ports.toString() })),
    toOutside: access(e.toExternal),
  };
}

function edgeText(edge: WorkloadEdge): string {
  return `${formatEnd(edge.from)} → ${formatEnd(edge.to)} ${edge.protocol}/${edge.port}`;
}

export function hardenReport(
  reports: readonly ScannedImageReport[],
  selection: TargetSelection,
  result: HardenResult | undefined,
  options: { severity: Severity; flows: boolean },
): NetpolHardenReport {
  const workloads = (result?.workloads ?? []).map(({ hardening, before, after, edges, external }) => ({
    id: hardening.target.workload.id,
    policy: hardening.policy ? `${hardening.policy.namespace}/${hardening.policy.name}` : null,
    vulnerabilities: hardening.target.reasons.map((r) => ({
      id: r.vulnerability.id,
      aliases: [...r.vulnerability.aliases],
      severity: r.vulnerability.severity,
      ...(r.vulnerability.score !== undefined ? { score: r.vulnerability.score } : {}),
      ecosystem: r.vulnerability.package.ecosystem,
      package: r.vulnerability.package.name,
      version: r.vulnerability.package.version,
      image: r.image,
      container: r.container,
      report: r.report,
    })),
    internetFacing: hardening.internetFacing.map((e) => e.by),
    excludedFrom: hardening.exclusions,
    before: before.map(exposure),
    after: after.map(exposure),
    closed: edges.filter((e) => !e.closed.isEmpty()).map((e) => ({ from: e.from, to: e.to, ports: e.closed.toString() })),
    opened: edges.filter((e) => !e.opened.isEmpty()).map((e) => ({ from: e.from, to: e.to, ports: e.opened.toString() })),
    external: external.map((e) => ({ workload: e.group, direction: e.direction, opened: access(e.opened), closed: access(e.closed) })),
    leftOut: hardening.leftOut.map((l) => ({ edge: edgeText(l.edge), flows: l.edge.count, reason: l.reason })),
    dropped: hardening.dropped,
    problems: hardening.problems,
  }));
  const replay = result?.replay;
  const count = (pick: (w: (typeof workloads)[number]) => unknown[]) => workloads.reduce((n, w) => n + pick(w).length, 0);
  return {
    kind: 'NetpolHarden',
    severity: options.severity,
    basis: options.flows ? 'flows' : 'current-policies',
    summary: {
      reports: reports.length,
      unmatchedReports: selection.unmatched.length,
      workloadsHardened: workloads.filter((w) => w.policy !== null).length,
      policiesWritten: workloads.filter((w) => w.policy !== null).length,
      policiesChanged: result?.plan.modified.length ?? 0,
      connectionsClosed: count((w) => w.closed) + workloads.reduce((n, w) => n + w.external.filter((e) => e.closed.length > 0).length, 0),
      connectionsOpened: count((w) => w.opened) + workloads.reduce((n, w) => n + w.external.filter((e) => e.opened.length > 0).length, 0),
      otherChanges: (result?.otherEdges.length ?? 0) + (result?.otherExternal.length ?? 0),
      ...(replay ? { flows: replay.flows, brokenFlows: replay.brokenFlows } : {}),
    },
    reports: reports.map((report) => ({
      source: report.source,
      image: report.name,
      vulnerabilities: report.vulnerabilities.length,
      unfixable: unfixableVulnerabilities(report, options.severity).length,
      matches: selection.matches
        .filter((m) => m.report === report)
        .map((m) => ({ workload: m.container.workload, container: m.container.container, image: m.container.image, by: m.by, ...(m.note ? { note: m.note } : {}) })),
    })),
    workloads,
    otherChanges: (result?.otherEdges ?? []).map((e) => ({ from: e.from, to: e.to, opened: e.opened.toString(), closed: e.closed.toString() })),
    policies: (result?.plan.output ?? []).map((p) => ({
      namespace: p.namespace,
      name: p.name,
      change: result!.plan.modified.includes(p) ? ('excludes hardened workloads' as const) : ('hardened' as const),
    })),
    ...(replay
      ? {
          replay: {
            flows: replay.flows,
            edges: replay.edges.length,
            brokenFlows: replay.brokenFlows,
            alreadyDeniedFlows: replay.alreadyDeniedFlows,
            broken: replay.broken.map(({ edge, after }) => ({
              source: formatEnd(edge.from),
              destination: formatEnd(edge.to),
              protocol: edge.protocol,
              port: edge.port,
              flows: edge.count,
              deniedAt: after.deniedAt,
              isolatedBy: after.isolatedBy,
            })),
          },
        }
      : {}),
  };
}
