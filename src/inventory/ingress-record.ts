/**
 * What the inventory keeps of an Ingress: its routes (host, path, backend) with whether TLS covers the host, in the
 * networking.k8s.io/v1 shape (`backend.service.name/port`) and the older v1beta1 one (`serviceName/servicePort`).
 */
import type { FieldPath } from '../core/model/field-path.js';
import type { Resource, ResourceRef } from '../core/model/resource.js';
import { asArray, asRecord, isUnset } from '../core/model/untrusted-value.js';
import type { ReportProblem } from './input-problems.js';
import { objectPosition } from './input-problems.js';
import { isPort } from './port-number.js';

export interface IngressBackendRecord {
  service?: string;
  port?: number | string;
  /** `Kind/name` of a resource backend. */
  resource?: string;
}

export interface IngressRouteRecord {
  host: string;
  path?: string;
  pathType?: string;
  tls: boolean;
  backend: IngressBackendRecord;
}

export interface IngressRecord {
  ref: ResourceRef;
  file?: string;
  line?: number;
  namespace: string;
  ingressClass?: string;
  routes: IngressRouteRecord[];
}

const ANY_HOST = '*';

export function projectIngress(resource: Resource, report: ReportProblem): IngressRecord {
  const spec = asRecord(resource.object['spec']) ?? {};
  const record: IngressRecord = { ref: resource.ref, ...objectPosition(resource), namespace: resource.ref.namespace ?? '', routes: [] };
  const className = spec['ingressClassName'];
  const annotation = resource.object.metadata?.annotations?.['kubernetes.io/ingress.class'];
  if (typeof className === 'string' && className !== '') record.ingressClass = className;
  else if (typeof annotation === 'string' && annotation !== '') record.ingressClass = annotation;

  const tls = tlsCoverage(spec['tls'], report);
  const defaultPath = spec['defaultBackend'] !== undefined ? 'defaultBackend' : 'backend';
  if (!isUnset(spec[defaultPath])) {
    const backend = backendOf(spec[defaultPath], ['spec', defaultPath], report);
    if (backend) record.routes.push({ host: ANY_HOST, tls: tls(ANY_HOST), backend });
  }
  asArray(spec['rules']).forEach((item, index) => {
    const rule = asRecord(item);
    const rulePath = ['spec', 'rules', index];
    if (!rule) {
      report(rulePath, 'an Ingress rule must be a mapping');
      return;
    }
    const host = typeof rule['host'] === 'string' && rule['host'] !== '' ? rule['host'] : ANY_HOST;
    const http = asRecord(rule['http']);
    asArray(http?.['paths']).forEach((pathItem, pathIndex) => {
      const entry = asRecord(pathItem);
      const at = [...rulePath, 'http', 'paths', pathIndex];
      if (!entry) {
        report(at, 'an Ingress path must be a mapping');
        return;
      }
      const backend = backendOf(entry['backend'], [...at, 'backend'], report);
      if (!backend) return;
      const path = typeof entry['path'] === 'string' && entry['path'] !== '' ? entry['path'] : undefined;
      const pathType = typeof entry['pathType'] === 'string' && entry['pathType'] !== '' ? entry['pathType'] : undefined;
      // Keys in schema order (host, path, pathType, tls): routes are written as built.
      record.routes.push({
        host,
        ...(path !== undefined ? { path } : {}),
        ...(pathType !== undefined ? { pathType } : {}),
        tls: tls(host),
        backend,
      });
    });
  });
  return record;
}

/** Whether `spec.tls` covers a host: listed, matched by a one-label `*.` wildcard, or by an entry listing no hosts. */
function tlsCoverage(value: unknown, report: ReportProblem): (host: string) => boolean {
  const hosts = new Set<string>();
  let all = false;
  asArray(value).forEach((item, index) => {
    const entry = asRecord(item);
    if (!entry) {
      report(['spec', 'tls', index], 'a TLS entry must be a mapping');
      return;
    }
    const list = asArray(entry['hosts']).filter((h): h is string => typeof h === 'string');
    if (list.length === 0) all = true;
    for (const host of list) hosts.add(host.toLowerCase());
  });
  return (host) => {
    if (all) return true;
    const lower = host.toLowerCase();
    if (hosts.has(lower)) return true;
    const dot = lower.indexOf('.');
    return dot > 0 && lower !== ANY_HOST && hosts.has(`*${lower.slice(dot)}`);
  };
}

function backendOf(value: unknown, path: FieldPath, report: ReportProblem): IngressBackendRecord | undefined {
  const backend = asRecord(value);
  if (!backend) {
    report(path, 'an Ingress backend must be a mapping with a service or a resource');
    return undefined;
  }
  const resource = asRecord(backend['resource']);
  if (resource) {
    const kind = typeof resource['kind'] === 'string' ? resource['kind'] : '?';
    const name = typeof resource['name'] === 'string' ? resource['name'] : '?';
    return { resource: `${kind}/${name}` };
  }
  const service = asRecord(backend['service']);
  if (service) {
    // networking.k8s.io/v1: service.name and service.port.number | service.port.name
    const name = service['name'];
    if (typeof name !== 'string' || name === '') {
      report([...path, 'service', 'name'], 'the backend service needs a name');
      return undefined;
    }
    const port = asRecord(service['port']);
    const number = port?.['number'];
    const portName = port?.['name'];
    if (isPort(number)) return { service: name, port: number };
    if (typeof portName === 'string' && portName !== '') return { service: name, port: portName };
    report([...path, 'service', 'port'], 'the backend service port needs a number (1-65535) or a name');
    return { service: name };
  }
  // extensions/v1beta1 and networking.k8s.io/v1beta1: serviceName and servicePort.
  const serviceName = backend['serviceName'];
  if (typeof serviceName === 'string' && serviceName !== '') {
    const servicePort = backend['servicePort'];
    if (isPort(servicePort) || (typeof servicePort === 'string' && servicePort !== '')) return { service: serviceName, port: servicePort };
    report([...path, 'servicePort'], 'the backend needs a servicePort (a number or a port name)');
    return { service: serviceName };
  }
  report(path, 'an Ingress backend needs a service (name and port) or a resource');
  return undefined;
}
