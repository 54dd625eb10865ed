/**
 * The Aspis flow format (`aspis.dev/flow/v1`): JSON Lines, one object per line, either a flow or an address
 * assignment. The single source of truth: the reader validates with it and docs/flow.schema.json is generated from it
 * (tools/generate-flow-schema.ts). Every object is strict: an unknown key is an error, never silently ignored.
 *
 *     {"time":"2026-05-01T10:00:00Z","source":{"ip":"10.0.1.7"},"destination":{"namespace":"shop","service":"cart"},"protocol":"TCP","port":7070}
 *     {"type":"address","ip":"10.0.1.7","namespace":"shop","pod":"frontend-7d9c-x2x","workload":{"kind":"Deployment","name":"frontend"},"from":"2026-05-01T09:00:00Z"}
 */
import { z } from 'zod';

export const FLOW_FORMAT_ID = 'https://aspis.dev/schemas/flow.schema.json';

const Timestamp = z.iso
  .datetime({ offset: true, error: (issue) => `expected an RFC 3339 timestamp such as 2026-05-01T10:00:00Z, got ${JSON.stringify(issue.input)}` })
  .describe('RFC 3339 timestamp with a time zone (Z or ±hh:mm).')
  .meta({ id: 'Timestamp' });

const Address = z
  .union([z.ipv4(), z.ipv6()], { error: (issue) => `expected an IPv4 or IPv6 address, got ${JSON.stringify(issue.input)}` })
  .describe('IPv4 or IPv6 address.')
  .meta({ id: 'Address' });

const Name = z.string({ error: 'expected a name (a string)' }).min(1, { error: 'cannot be empty' });

const WorkloadRef = z
  .strictObject({
    kind: Name.describe('Kind of the top-most controller of the pod: Deployment, StatefulSet, DaemonSet, Job, CronJob, ReplicaSet, Pod…'),
    name: Name.describe('Its name.'),
  })
  .describe('The workload the pod belongs to.')
  .meta({ id: 'WorkloadRef' });

const Labels = z.record(z.string(), z.string()).describe('Labels of the pod (used when the inventory does not know the workload).');

const Endpoint = z
  .strictObject({
    ip: Address.optional(),
    namespace: Name.optional().describe('Namespace of pod, workload or service.'),
    pod: Name.optional().describe('Pod name.'),
    workload: WorkloadRef.optional(),
    service: Name.optional().describe('Destination only: the Service the connection was addressed to; port is then the Service port.'),
    labels: Labels.optional(),
  })
  .superRefine((endpoint, context) => {
    if (endpoint.ip === undefined && endpoint.pod === undefined && endpoint.workload === undefined && endpoint.service === undefined) {
      context.addIssue({ code: 'custom', message: 'an endpoint needs at least one of ip, pod, workload, service' });
    }
    if ((endpoint.pod !== undefined || endpoint.workload !== undefined || endpoint.service !== undefined) && endpoint.namespace === undefined) {
      context.addIssue({ code: 'custom', path: ['namespace'], message: 'pod, workload and service need a namespace' });
    }
  })
  .describe('One end of a connection: any of address, pod, workload or Service, at least one; pod, workload and service need namespace.')
  .meta({ id: 'Endpoint' });

export const AspisFlowSchema = z
  .strictObject({
    type: z.literal('flow').optional().describe('"flow" (the default).'),
    time: Timestamp.optional().describe('When the connection was seen. Without it an address is attributed only when it belonged to a single pod.'),
    source: Endpoint,
    destination: Endpoint,
    protocol: z.enum(['TCP', 'UDP', 'SCTP'], { error: (issue) => `expected TCP, UDP or SCTP, got ${JSON.stringify(issue.input)}` }).default('TCP'),
    port: z
      .number({ error: 'expected a port number' })
      .int({ error: 'expected a port number' })
      .min(1, { error: 'expected a port number from 1 to 65535' })
      .max(65535, { error: 'expected a port number from 1 to 65535' })
      .describe('Destination port: the pod port, or the Service port when destination.service is given.'),
    count: z.number().int().min(1).default(1).describe('How many identical connections the line stands for.'),
  })
  .superRefine((flow, context) => {
    if (flow.source.service !== undefined) context.addIssue({ code: 'custom', path: ['source', 'service'], message: 'a connection comes from a pod or an address, not a Service' });
  })
  .describe('A connection (or `count` identical ones) from source to destination.');

export const AspisAddressSchema = z
  .strictObject({
    type: z.literal('address'),
    ip: Address,
    namespace: Name,
    pod: Name,
    workload: WorkloadRef.optional(),
    labels: Labels.optional(),
    from: Timestamp.optional().describe('Since when the pod held the address (absent: since before any flow).'),
    until: Timestamp.optional().describe('Until when, exclusive (absent: still held).'),
  })
  .describe('The pod that held an address from `from` until `until`.');

export const AspisFlowLineSchema = z
  .union([AspisFlowSchema, AspisAddressSchema])
  .describe('One line of an Aspis flow file (JSON Lines): a flow or an address assignment.');

export type AspisFlow = z.output<typeof AspisFlowSchema>;
export type AspisAddress = z.output<typeof AspisAddressSchema>;

/** The JSON Schema of one line, for docs/flow.schema.json. */
export function flowJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(AspisFlowLineSchema, { io: 'input', target: 'draft-2020-12' });
  const { $schema, ...rest } = schema;
  return { $schema, $id: FLOW_FORMAT_ID, title: 'Aspis flow line (aspis.dev/flow/v1, JSON Lines)', ...rest };
}
