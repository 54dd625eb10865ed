/**
 * The Services an Ingress sends traffic to (its default backend and every HTTP path's backend): what exposes a
 * workload to the outside besides NodePort and LoadBalancer Services. Reads networking.k8s.io/v1
 * (`backend.service.{name, port.{number|name}}`) and the older v1beta1/extensions form (`serviceName`, `servicePort`).
 */
import type { KubeObject } from '../model/resource.js';
import { groupOf } from '../model/resource.js';

export interface IngressBackend {
  object: KubeObject;
  namespace: string;
  service: string;
  /** The Service port, by number or name; undefined when not given. */
  port: number | string | undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

export function isIngress(object: KubeObject): boolean {
  return object.kind === 'Ingress' && typeof object.apiVersion === 'string' && ['networking.k8s.io', 'extensions'].includes(groupOf(object.apiVersion));
}

export function ingressBackendsOf(object: KubeObject, defaultNamespace: string): IngressBackend[] {
  const ns = object.metadata?.namespace;
  const namespace = typeof ns === 'string' && ns !== '' ? ns : defaultNamespace;
  const spec = isRecord(object['spec']) ? object['spec'] : {};
  const backends: IngressBackend[] = [];
  const add = (backend: unknown) => {
    if (!isRecord(backend)) return;
    const service = backend['service'];
    if (isRecord(service) && typeof service['name'] === 'string') {
      const port = isRecord(service['port']) ? (service['port']['number'] ?? service['port']['name']) : undefined;
      backends.push({ object, namespace, service: service['name'], port: typeof port === 'number' || typeof port === 'string' ? port : undefined });
    } else if (typeof backend['serviceName'] === 'string') {
      const port = backend['servicePort'];
      backends.push({ object, namespace, service: backend['serviceName'], port: typeof port === 'number' || typeof port === 'string' ? port : undefined });
    }
  };
  add(spec['defaultBackend'] ?? spec['backend']);
  for (const rule of Array.isArray(spec['rules']) ? spec['rules'] : []) {
    const http = isRecord(rule) ? rule['http'] : undefined;
    for (const path of isRecord(http) && Array.isArray(http['paths']) ? http['paths'] : []) if (isRecord(path)) add(path['backend']);
  }
  return backends;
}
