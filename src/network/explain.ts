/**
 * `aspis netpol explain`: whether a connection is allowed, and exactly which policies and rules decided, for every
 * pair of pod groups the two ends stand for (a Service stands for its backends, reached on each one's target port).
 */
import type { Connection, ConnectionVerdict, Endpoint } from '../core/k8s/network-verdict.js';
import { evaluateConnection } from '../core/k8s/network-verdict.js';
import { resolveNamedPort } from '../core/k8s/pod-network.js';
import type { Protocol } from '../core/k8s/port-set.js';
import type { ServicePort } from '../core/k8s/service.js';
import { targetPortOn } from '../core/k8s/service.js';
import type { ResolvedEndpoint } from './endpoint-ref.js';
import { EndpointError } from './endpoint-ref.js';
import type { NetworkModel } from './network-model.js';
import type { PodGroup } from './pod-groups.js';

export interface ExplainCase {
  /** Undefined: the external end. */
  source: PodGroup | undefined;
  destination: PodGroup | undefined;
  /** The port the destination pod receives on (a Service's target port, a resolved port name). */
  port: number | undefined;
  protocol: Protocol;
  /** When the destination was named as a Service: the Service port used. */
  servicePort?: ServicePort;
  /** Undefined when the connection cannot be made at all (see `problem`). */
  verdict: ConnectionVerdict | undefined;
  /** Why there is no verdict: e.g. the destination declares no port of that name. */
  problem?: string;
}

export interface Explanation {
  from: ResolvedEndpoint;
  to: ResolvedEndpoint;
  /** The port as asked: a number or a name. */
  port: number | string;
  protocol: Protocol;
  cases: ExplainCase[];
  /** `partly` when the ends stand for several pod groups and only some pairs are allowed. */
  allowed: 'yes' | 'no' | 'partly';
}

function endpointsOf(resolved: ResolvedEndpoint): { group: PodGroup | undefined; endpoint: Endpoint }[] {
  if (resolved.kind === 'external') return [{ group: undefined, endpoint: { kind: 'external', ...(resolved.address ? { address: resolved.address } : {}) } }];
  return resolved.groups.map((group) => ({ group, endpoint: { kind: 'pod', pod: group } }));
}

/** The Service port a connection uses, by number or name; an error listing the Service's ports otherwise. */
function servicePortOf(to: Extract<ResolvedEndpoint, { kind: 'service' }>, port: number | string, protocol: Protocol): ServicePort {
  const found = to.service.ports.find((p) => p.protocol === protocol && (typeof port === 'number' ? p.port === port : p.name === port));
  if (found) return found;
  const known = to.service.ports.map((p) => `${p.name ? `${p.name}=` : ''}${p.port}/${p.protocol}`).join(', ') || 'none';
  throw new EndpointError(`Service ${to.service.namespace}/${to.service.name} has no port ${port}/${protocol} (its ports: ${known})`);
}

export function explainConnection(model: NetworkModel, from: ResolvedEndpoint, to: ResolvedEndpoint, port: number | string, protocol: Protocol): Explanation {
  if (from.kind === 'external' && to.kind === 'external') throw new EndpointError('at least one end must be a workload or a Service: NetworkPolicy only governs pod traffic');
  if (to.kind === 'external' && typeof port === 'string') throw new EndpointError(`a named port ("${port}") only resolves on a destination pod, not on an external address`);
  const servicePort = to.kind === 'service' ? servicePortOf(to, port, protocol) : undefined;
  const cases: ExplainCase[] = [];
  for (const source of endpointsOf(from)) {
    for (const destination of endpointsOf(to)) {
      const base = { source: source.group, destination: destination.group, protocol, ...(servicePort ? { servicePort } : {}) };
      let target: number | undefined;
      let problem: string | undefined;
      if (servicePort && destination.group) {
        target = targetPortOn(servicePort, destination.group);
        if (target === undefined) problem = `${destination.group.id} declares no ${protocol} container port named "${servicePort.targetPort}" (the Service's targetPort): the Service cannot deliver to it`;
      } else if (typeof port === 'string' && destination.group) {
        target = resolveNamedPort(destination.group.ports, port, protocol)[0];
        if (target === undefined) problem = `${destination.group.id} declares no ${protocol} container port named "${port}"`;
      } else target = typeof port === 'number' ? port : undefined;
      if (target === undefined) {
        cases.push({ ...base, port: undefined, verdict: undefined, problem: problem ?? 'no port' });
        continue;
      }
      const connection: Connection = { from: source.endpoint, to: destination.endpoint, port: target, protocol };
      cases.push({ ...base, port: target, verdict: evaluateConnection(model.lookup, connection) });
    }
  }
  const allowedCount = cases.filter((c) => c.verdict?.allowed).length;
  const allowed = allowedCount === 0 ? 'no' : allowedCount === cases.length ? 'yes' : 'partly';
  return { from, to, port, protocol, cases, allowed };
}
