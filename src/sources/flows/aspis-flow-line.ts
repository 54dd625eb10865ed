/** One line of an Aspis flow file (schema: ./aspis-flow-schema.ts, docs/flow.schema.json). */
import type { z } from 'zod';
import type { FlowEndpoint } from '../../core/model/flow-record.js';
import type { FlowLine } from './flow-line.js';
import { error } from './flow-line.js';
import { fastAspisFlow } from './aspis-flow-fast-path.js';
import { AspisAddressSchema, AspisFlowSchema } from './aspis-flow-schema.js';

function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues.map((issue) => `${issue.path.map(String).join('.') || '(line)'}: ${issue.message}`).join('; ');
}

function endpointOf(value: z.output<typeof AspisFlowSchema>['source']): FlowEndpoint {
  const endpoint: FlowEndpoint = {};
  if (value.ip !== undefined) endpoint.ip = value.ip;
  if (value.namespace !== undefined) endpoint.namespace = value.namespace;
  if (value.pod !== undefined) endpoint.pod = value.pod;
  if (value.workload !== undefined) endpoint.workload = value.workload;
  if (value.service !== undefined) endpoint.service = value.service;
  if (value.labels !== undefined) endpoint.labels = value.labels;
  return endpoint;
}

export function parseAspisFlowLine(line: string): FlowLine {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (cause) {
    return error(`not JSON: ${(cause as Error).message}`);
  }
  if (value !== null && typeof value === 'object' && (value as { type?: unknown }).type === 'address') {
    const parsed = AspisAddressSchema.safeParse(value);
    if (!parsed.success) return error(describeIssues(parsed.error.issues));
    const a = parsed.data;
    return {
      kind: 'address',
      address: {
        ip: a.ip,
        namespace: a.namespace,
        pod: a.pod,
        ...(a.workload ? { workload: a.workload } : {}),
        ...(a.labels ? { labels: a.labels } : {}),
        ...(a.from !== undefined ? { from: Date.parse(a.from) } : {}),
        ...(a.until !== undefined ? { until: Date.parse(a.until) } : {}),
      },
    };
  }
  const fast = fastAspisFlow(value);
  return fast ? { kind: 'flow', flow: fast } : schemaFlow(value);
}

/** A flow line's value validated by the schema (the reference the fast path agrees with). */
export function schemaFlow(value: unknown): FlowLine {
  const parsed = AspisFlowSchema.safeParse(value);
  if (!parsed.success) return error(describeIssues(parsed.error.issues));
  const f = parsed.data;
  return {
    kind: 'flow',
    flow: {
      ...(f.time !== undefined ? { time: Date.parse(f.time) } : {}),
      source: endpointOf(f.source),
      destination: endpointOf(f.destination),
      protocol: f.protocol,
      port: f.port,
      count: f.count,
    },
  };
}
