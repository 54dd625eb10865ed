/** The replay report (src/outputs/netpol-replay-report.ts) of an observation and its replay. */
import type { FlowObservation } from '../../network/flows/workload-edge.js';
import { formatTime } from '../../network/flows/workload-edge.js';
import type { ReplayResult } from '../../network/flows/replay.js';
import type { NetpolReplayReport } from '../../outputs/netpol-replay-report.js';

function times(first: number | undefined, last: number | undefined): { firstSeen?: string; lastSeen?: string } {
  return { ...(first !== undefined ? { firstSeen: formatTime(first) } : {}), ...(last !== undefined ? { lastSeen: formatTime(last) } : {}) };
}

export function replayReport(observation: FlowObservation, replay: ReplayResult, policies: { proposed: number; existing: number }): NetpolReplayReport {
  return {
    policies,
    input: {
      records: observation.records,
      flows: observation.flows,
      attributed: observation.attributedFlows,
      unattributed: observation.unattributedFlows,
      nonPod: observation.nonPodFlows,
      addressRecords: observation.addressRecords,
      ...times(observation.firstSeen, observation.lastSeen),
    },
    summary: { allowedFlows: replay.allowedFlows, deniedFlows: replay.deniedFlows, allowedEdges: replay.allowedEdges, deniedEdges: replay.deniedEdges },
    edges: replay.verdicts.map(({ edge, allowed, partly, deniedAt, isolatedBy }) => ({
      source: edge.from,
      destination: edge.to,
      protocol: edge.protocol,
      port: edge.port,
      flows: edge.count,
      ...times(edge.firstSeen, edge.lastSeen),
      ...(edge.services ? { services: edge.services } : {}),
      verdict: allowed ? 'allowed' : 'denied',
      ...(allowed ? {} : { partly, deniedAt, isolatedBy }),
    })),
    unattributed: observation.unattributed.map((u) => ({ side: u.side, subject: u.subject, reason: u.reason, flows: u.count, ...times(u.firstSeen, u.lastSeen), example: u.example })),
    skipped: observation.skipped.map((s) => ({ reason: s.reason, records: s.count, example: s.example })),
    errors: observation.errors,
    errorCount: observation.errorCount,
  };
}
