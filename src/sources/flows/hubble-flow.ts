/**
 * One line of `hubble observe -o json` (or of Hubble's flow exporter): a `GetFlowsResponse` envelope
 * `{"flow": {...}, "node_name": …, "time": …}`, or a bare `flow.Flow` as older versions print it. Field names are the
 * protobuf names of cilium/api/v1/flow/flow.proto (`IP`, `l4`, `source.pod_name`, `is_reply`…).
 *
 * What is used: L3/L4 flows in the request direction that the datapath did not drop. Reply packets (`is_reply`) would
 * make reverse edges; L7 and socket-trace records repeat a connection already seen as an L3/L4 flow; dropped flows
 * are not evidence that the connection is needed. Each of those is skipped with its reason, and Hubble's own
 * `lost_events` are reported too (the capture is then incomplete).
 */
import type { FlowEndpoint } from '../../core/model/flow-record.js';
import type { Protocol } from '../../core/k8s/port-set.js';
import type { FlowLine } from './flow-line.js';
import { error, skip } from './flow-line.js';

type Json = Record<string, unknown>;

function isRecord(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

const NON_FLOW_EVENTS = ['node_status', 'agent_event', 'debug_event'] as const;
const DROPPED_VERDICTS = new Set(['DROPPED', 'ERROR']);
const L4_PROTOCOLS: readonly Protocol[] = ['TCP', 'UDP', 'SCTP'];
/** Numeric reserved identities (pkg/identity/numericidentity.go) for endpoints that carry no labels. */
const RESERVED_IDENTITIES: Record<number, string> = {
  1: 'host',
  2: 'world',
  3: 'unmanaged',
  4: 'health',
  5: 'init',
  6: 'remote-node',
  7: 'kube-apiserver',
  8: 'ingress',
  9: 'world',
  10: 'world',
};
/** Label keys Cilium adds to every endpoint; they are not the pod's own labels. */
const CILIUM_KEY = /^(io\.kubernetes\.pod\.namespace$|io\.cilium\.)/;

export function parseHubbleLine(line: string): FlowLine {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (cause) {
    return error(`not JSON: ${(cause as Error).message}`);
  }
  if (!isRecord(value)) return error('a Hubble flow line must be a JSON object');
  let flow: Json;
  if (isRecord(value['flow'])) flow = value['flow'];
  else if (isRecord(value['lost_events'])) {
    const lost = value['lost_events'];
    return skip(`Hubble lost_events from ${String(lost['source'] ?? 'an unknown source')}: the capture is incomplete`);
  } else {
    const other = NON_FLOW_EVENTS.find((key) => key in value);
    if (other) return skip(`Hubble ${other} event (not a flow)`);
    if (!('IP' in value || 'l4' in value || 'source' in value)) return error('not a Hubble flow: no flow, IP, l4 or source field');
    flow = value;
  }

  const type = flow['Type'];
  if (type === 'L7') return skip('Hubble L7 record (its connection is counted from its L3/L4 flows)');
  if (type === 'SOCK') return skip('Hubble socket-translation record (SOCK)');
  const verdict = flow['verdict'];
  if (typeof verdict === 'string' && DROPPED_VERDICTS.has(verdict)) return skip(`verdict ${verdict}: dropped when observed, not evidence the connection is needed`);
  if (flow['is_reply'] === true || (flow['is_reply'] === undefined && flow['reply'] === true)) return skip('reply direction (the connection is counted from its request direction)');

  const ip = flow['IP'];
  if (!isRecord(ip)) return skip('no IP layer (not an IP flow)');
  const l4 = flow['l4'];
  if (!isRecord(l4)) return skip('no L4 layer');
  const protocol = L4_PROTOCOLS.find((name) => isRecord(l4[name]));
  if (!protocol) {
    if (isRecord(l4['ICMPv4']) || isRecord(l4['ICMPv6'])) return skip('ICMP (NetworkPolicy has no rules for it)');
    return skip('L4 protocol other than TCP, UDP and SCTP');
  }
  const port = (l4[protocol] as Json)['destination_port'];
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) {
    return error(`l4.${protocol}.destination_port must be a port number (1-65535), got ${JSON.stringify(port)}`);
  }

  const source = endpointOf(flow['source'], ip['source'], 'source');
  if (typeof source === 'string') return error(source);
  const destination = endpointOf(flow['destination'], ip['destination'], 'destination');
  if (typeof destination === 'string') return error(destination);
  const service = flow['destination_service'];
  // Without a destination pod, the address is the Service's and the port its Service port (no translation seen yet).
  if (destination.pod === undefined && isRecord(service) && typeof service['name'] === 'string' && service['name'] !== '') {
    destination.service = service['name'];
    if (typeof service['namespace'] === 'string' && service['namespace'] !== '') destination.namespace = service['namespace'];
  }

  const timeText = flow['time'] ?? value['time'];
  let time: number | undefined;
  if (timeText !== undefined) {
    time = typeof timeText === 'string' ? Date.parse(timeText) : NaN;
    if (Number.isNaN(time)) return error(`time must be an RFC 3339 timestamp, got ${JSON.stringify(timeText)}`);
  }
  return { kind: 'flow', flow: { ...(time !== undefined ? { time } : {}), source, destination, protocol, port, count: 1 } };
}

function endpointOf(value: unknown, address: unknown, side: 'source' | 'destination'): FlowEndpoint | string {
  const endpoint: FlowEndpoint = {};
  if (typeof address === 'string' && address !== '') endpoint.ip = address;
  else if (address !== undefined) return `IP.${side} must be an address, got ${JSON.stringify(address)}`;
  if (value === undefined || value === null) {
    if (!endpoint.ip) return `the flow names no ${side} (no IP.${side} and no ${side} endpoint)`;
    return endpoint;
  }
  if (!isRecord(value)) return `${side} must be an endpoint object`;
  if (typeof value['namespace'] === 'string' && value['namespace'] !== '') endpoint.namespace = value['namespace'];
  if (typeof value['pod_name'] === 'string' && value['pod_name'] !== '') endpoint.pod = value['pod_name'];
  const workloads = value['workloads'];
  if (Array.isArray(workloads) && isRecord(workloads[0])) {
    const { kind, name } = workloads[0];
    if (typeof kind === 'string' && kind !== '' && typeof name === 'string' && name !== '') endpoint.workload = { kind, name };
  }
  const labels = value['labels'];
  if (Array.isArray(labels)) {
    const own: Record<string, string> = {};
    for (const label of labels) {
      if (typeof label !== 'string') continue;
      const colon = label.indexOf(':');
      const origin = colon < 0 ? '' : label.slice(0, colon);
      const pair = label.slice(colon + 1);
      if (origin === 'reserved') {
        // `world-ipv4` / `world-ipv6` in dual-stack clusters.
        endpoint.reserved ??= pair.startsWith('world') ? 'world' : pair;
        continue;
      }
      if (origin !== 'k8s') continue;
      const equals = pair.indexOf('=');
      const key = equals < 0 ? pair : pair.slice(0, equals);
      if (CILIUM_KEY.test(key)) continue;
      own[key] = equals < 0 ? '' : pair.slice(equals + 1);
    }
    if (Object.keys(own).length > 0 && endpoint.pod !== undefined) endpoint.labels = own;
  }
  const identity = value['identity'];
  if (endpoint.reserved === undefined && endpoint.pod === undefined && typeof identity === 'number' && RESERVED_IDENTITIES[identity]) {
    endpoint.reserved = RESERVED_IDENTITIES[identity];
  }
  if (!endpoint.ip && !endpoint.pod) return `the ${side} has neither an address nor a pod`;
  return endpoint;
}
