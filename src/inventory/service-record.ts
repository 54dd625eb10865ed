/**
 * What the inventory keeps of a Service: enough to say whether it is reachable from outside the cluster (type
 * LoadBalancer or NodePort, or external IPs), on which ports, and which pods it selects. Every Service is kept, not
 * only exposed ones, because an Ingress reaches pods through ClusterIP Services.
 */
import type { Resource, ResourceRef } from '../core/model/resource.js';
import { labelKeyError, labelValueError } from '../core/k8s/label-selector.js';
import { asArray, asRecord, isUnset } from '../core/model/untrusted-value.js';
import type { ServicePortEntry } from './inventory.js';
import type { ReportProblem } from './input-problems.js';
import { objectPosition } from './input-problems.js';
import { isPort } from './port-number.js';
import { stringMapOf } from './string-map.js';

export interface ServiceRecord {
  ref: ResourceRef;
  file?: string;
  line?: number;
  namespace: string;
  type: string;
  ports: ServicePortEntry[];
  externalIPs: string[];
  loadBalancerSourceRanges: string[];
  /** Equality selector; undefined when the Service selects no pods. */
  selector?: Record<string, string>;
}

/** Types that open the Service to clients outside the cluster network (external IPs do too, on any type). */
const EXTERNAL_TYPES: ReadonlySet<string> = new Set(['LoadBalancer', 'NodePort']);

export function isExposed(service: ServiceRecord): boolean {
  return EXTERNAL_TYPES.has(service.type) || service.externalIPs.length > 0;
}

export function projectService(resource: Resource, report: ReportProblem): ServiceRecord {
  const spec = asRecord(resource.object['spec']) ?? {};
  const type = typeof spec['type'] === 'string' && spec['type'] !== '' ? spec['type'] : 'ClusterIP';
  const record: ServiceRecord = {
    ref: resource.ref,
    ...objectPosition(resource),
    namespace: resource.ref.namespace ?? '',
    type,
    ports: [],
    externalIPs: strings(spec['externalIPs'], ['spec', 'externalIPs'], report),
    loadBalancerSourceRanges: strings(spec['loadBalancerSourceRanges'], ['spec', 'loadBalancerSourceRanges'], report),
  };
  const selector = stringMapOf(spec['selector'], ['spec', 'selector'], report);
  if (selector) {
    const valid: Record<string, string> = {};
    for (const [key, value] of Object.entries(selector)) {
      const problem = labelKeyError(key) ?? labelValueError(value);
      if (problem) report(['spec', 'selector', key], problem);
      else valid[key] = value;
    }
    // An empty selector selects nothing for a Service (endpoints are then managed by hand), as no selector does.
    if (Object.keys(valid).length > 0) record.selector = valid;
  }
  asArray(spec['ports']).forEach((item, index) => {
    const port = asRecord(item);
    const path = ['spec', 'ports', index];
    if (!port) {
      report(path, 'a Service port must be a mapping');
      return;
    }
    if (!isPort(port['port'])) {
      report([...path, 'port'], `must be a port number (1-65535), got ${JSON.stringify(port['port'])}`);
      return;
    }
    // Keys in schema order: name, protocol, port, targetPort, nodePort.
    const name = port['name'];
    const entry: ServicePortEntry = {
      ...(typeof name === 'string' && name !== '' ? { name } : {}),
      protocol: typeof port['protocol'] === 'string' ? port['protocol'] : 'TCP',
      port: port['port'],
    };
    const target = port['targetPort'];
    if (isPort(target) || (typeof target === 'string' && target !== '')) entry.targetPort = target;
    else if (!isUnset(target)) report([...path, 'targetPort'], `must be a port number or a port name, got ${JSON.stringify(target)}`);
    const nodePort = port['nodePort'];
    if (isPort(nodePort)) entry.nodePort = nodePort;
    else if (!isUnset(nodePort) && nodePort !== 0) report([...path, 'nodePort'], `must be a port number, got ${JSON.stringify(nodePort)}`);
    record.ports.push(entry);
  });
  if (!isUnset(spec['ports']) && !Array.isArray(spec['ports'])) report(['spec', 'ports'], 'must be a list of ports');
  return record;
}

function strings(value: unknown, path: readonly (string | number)[], report: ReportProblem): string[] {
  if (isUnset(value)) return [];
  if (!Array.isArray(value)) {
    report(path, 'must be a list of strings');
    return [];
  }
  const out: string[] = [];
  value.forEach((item, index) => {
    if (typeof item === 'string') out.push(item);
    else report([...path, index], `must be a string, got ${JSON.stringify(item)}`);
  });
  return out;
}
