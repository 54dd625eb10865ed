/**
 * A Service as NetworkPolicy analysis sees it: which pods back it (its `selector`, equality on every key, pods of the
 * Service's namespace) and, for each Service port, the pod port traffic arrives on (`targetPort`: a number, a name
 * resolved per pod on its container ports, or absent: the same as `port`). NetworkPolicy never sees the Service:
 * kube-proxy rewrites the destination to a backing pod and its target port before policy applies.
 */
import type { KubeObject } from '../model/resource.js';
import { groupOf } from '../model/resource.js';
import type { PodNetwork } from './pod-network.js';
import { resolveNamedPort } from './pod-network.js';
import type { Protocol } from './port-set.js';
import { PROTOCOLS } from './port-set.js';

export interface ServicePort {
  name?: string;
  port: number;
  protocol: Protocol;
  targetPort: number | string;
  nodePort?: number;
}

export interface ServiceInfo {
  object: KubeObject;
  namespace: string;
  name: string;
  type: string;
  /** Undefined: the Service has no selector (its endpoints are managed by hand, or it is an ExternalName). */
  selector: Readonly<Record<string, string>> | undefined;
  ports: ServicePort[];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

export function isService(object: KubeObject): boolean {
  return object.kind === 'Service' && typeof object.apiVersion === 'string' && groupOf(object.apiVersion) === '';
}

/** The Service's network view; undefined when `object` is not a usable Service (no name). */
export function serviceOf(object: KubeObject, defaultNamespace: string): ServiceInfo | undefined {
  const meta = object.metadata ?? {};
  if (typeof meta.name !== 'string' || meta.name === '') return undefined;
  const spec = isRecord(object['spec']) ? object['spec'] : {};
  const selectorValue = spec['selector'];
  let selector: Record<string, string> | undefined;
  if (isRecord(selectorValue) && Object.keys(selectorValue).length > 0) {
    selector = {};
    for (const [key, value] of Object.entries(selectorValue)) if (typeof value === 'string') selector[key] = value;
  }
  const ports: ServicePort[] = [];
  for (const entry of Array.isArray(spec['ports']) ? spec['ports'] : []) {
    if (!isRecord(entry) || typeof entry['port'] !== 'number') continue;
    const protocol = entry['protocol'] ?? 'TCP';
    if (!(PROTOCOLS as readonly unknown[]).includes(protocol)) continue;
    const target = entry['targetPort'];
    const port: ServicePort = {
      port: entry['port'],
      protocol: protocol as Protocol,
      // targetPort defaults to port; a numeric string is what YAML made of an int-or-string written quoted.
      targetPort: typeof target === 'number' ? target : typeof target === 'string' && target !== '' ? (/^[0-9]+$/.test(target) ? Number(target) : target) : entry['port'],
    };
    if (typeof entry['name'] === 'string') port.name = entry['name'];
    if (typeof entry['nodePort'] === 'number') port.nodePort = entry['nodePort'];
    ports.push(port);
  }
  const ns = meta.namespace;
  return {
    object,
    namespace: typeof ns === 'string' && ns !== '' ? ns : defaultNamespace,
    name: meta.name,
    type: typeof spec['type'] === 'string' ? spec['type'] : 'ClusterIP',
    selector,
    ports,
  };
}

/** Whether the Service's selector selects `pod` (same namespace, every selector entry equal). */
export function serviceSelects(service: ServiceInfo, pod: PodNetwork): boolean {
  if (!service.selector || pod.namespace !== service.namespace) return false;
  for (const [key, value] of Object.entries(service.selector)) if (pod.labels[key] !== value) return false;
  return true;
}

/** The pod port a Service port delivers to on `pod`; undefined when a named targetPort is not declared by the pod. */
export function targetPortOn(port: ServicePort, pod: PodNetwork): number | undefined {
  if (typeof port.targetPort === 'number') return port.targetPort;
  return resolveNamedPort(pod.ports, port.targetPort, port.protocol)[0];
}

/** Whether the Service is reachable from outside the cluster by its type (NodePort, LoadBalancer). */
export function exposesOutsideCluster(service: ServiceInfo): boolean {
  return service.type === 'NodePort' || service.type === 'LoadBalancer';
}
