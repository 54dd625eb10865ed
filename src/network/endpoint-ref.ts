/**
 * What a user names as one end of a connection (`aspis netpol explain --from A --to B`), resolved in a model:
 * - a workload: `Kind/namespace/name`, `namespace/name` or `name` (namespace from the default), matching the owner of
 *   pod groups (a Deployment, a StatefulSet, a bare Pod…); the kind is case-insensitive;
 * - a Service: `svc/name`, `svc/namespace/name`, `service/…` or `Service/…`: its backing pod groups, with its ports;
 * - an IPv4 or IPv6 address: the pod groups holding it (pods' `status.podIPs`, when the input has them), else an
 *   address outside the pod network; or `external` (a host of unknown address, which only an ipBlock covering a whole
 *   address family matches).
 * A name that matches nothing is an error naming what exists nearby.
 */
import type { IpAddress } from '../core/k8s/ip-set.js';
import { parseIpAddress } from '../core/k8s/ip-set.js';
import type { ServiceInfo } from '../core/k8s/service.js';
import { serviceSelects } from '../core/k8s/service.js';
import type { NetworkModel } from './network-model.js';
import type { PodGroup } from './pod-groups.js';

export type ResolvedEndpoint =
  | { kind: 'workload'; text: string; groups: PodGroup[] }
  | { kind: 'service'; text: string; service: ServiceInfo; groups: PodGroup[] }
  | { kind: 'external'; text: string; address?: IpAddress };

export class EndpointError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EndpointError';
  }
}

const SERVICE_PREFIXES = new Set(['svc', 'service', 'services']);

/** The pod groups a Service's selector selects. */
export function serviceBackends(model: NetworkModel, service: ServiceInfo): PodGroup[] {
  return model.groups.filter((group) => serviceSelects(service, group));
}

function nearby(names: string[]): string {
  if (names.length === 0) return 'the input has none';
  const shown = names.slice(0, 8).join(', ');
  return names.length > 8 ? `known: ${shown}, … (${names.length} in all)` : `known: ${shown}`;
}

export function resolveEndpoint(model: NetworkModel, text: string, namespace: string = model.defaultNamespace): ResolvedEndpoint {
  const value = text.trim();
  if (value === '') throw new EndpointError('an empty name designates nothing');
  if (value === 'external' || value === 'internet') return { kind: 'external', text: value };
  const address = parseIpAddress(value);
  if (address) {
    // A pod's address is that pod (a hostNetwork pod's is its node's, shared by every hostNetwork pod there).
    const holders = model.groups.filter((group) => group.addresses?.some((a) => a.family === address.family && a.value === address.value));
    return holders.length > 0 ? { kind: 'workload', text: value, groups: holders } : { kind: 'external', text: value, address };
  }
  const parts = value.split('/');
  if (parts.length > 3 || parts.some((p) => p === '')) throw new EndpointError(`"${text}" is not a workload (Kind/namespace/name, namespace/name, name), a Service (svc/namespace/name) or an IP address`);

  if (parts.length >= 2 && SERVICE_PREFIXES.has(parts[0]!.toLowerCase())) {
    const ns = parts.length === 3 ? parts[1]! : namespace;
    const name = parts[parts.length - 1]!;
    const service = model.services.find((s) => s.namespace === ns && s.name === name);
    if (!service) {
      throw new EndpointError(`no Service "${name}" in namespace "${ns}" (${nearby(model.services.filter((s) => s.namespace === ns).map((s) => s.name))})`);
    }
    if (!service.selector) {
      throw new EndpointError(`Service ${ns}/${name} has no selector: its endpoints are not chosen by labels, so name the destination workload instead`);
    }
    const groups = serviceBackends(model, service);
    if (groups.length === 0) throw new EndpointError(`Service ${ns}/${name} selects no pod of the input (selector ${JSON.stringify(service.selector)})`);
    return { kind: 'service', text: value, service, groups };
  }

  const kind = parts.length === 3 ? parts[0]!.toLowerCase() : undefined;
  const ns = parts.length >= 2 ? parts[parts.length - 2]! : namespace;
  const name = parts[parts.length - 1]!;
  const groups = model.groups.filter(
    (group) => group.owner.namespace === ns && group.owner.name === name && (kind === undefined || group.owner.kind.toLowerCase() === kind),
  );
  if (groups.length === 0) {
    const inNamespace = [...new Set(model.groups.filter((g) => g.owner.namespace === ns).map((g) => `${g.owner.kind}/${g.owner.name}`))];
    throw new EndpointError(`no workload "${kind ? `${parts[0]}/` : ''}${name}" in namespace "${ns}" (${nearby(inNamespace)})`);
  }
  const kinds = new Set(groups.map((g) => g.owner.kind));
  if (kinds.size > 1) throw new EndpointError(`"${text}" is ambiguous: ${[...kinds].map((k) => `${k}/${ns}/${name}`).join(', ')}; give the kind`);
  return { kind: 'workload', text: value, groups };
}
