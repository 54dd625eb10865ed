/**
 * A workload's exposure under a set of policies, as the connectivity engine computes it: which workloads may open
 * connections to it and on which ports, which outside addresses may, and the same for what it may reach. Plus whether
 * it is internet-facing by design: selected by a LoadBalancer or NodePort Service (or one with externalIPs), or by a
 * Service an Ingress routes to; then traffic from outside the cluster on those Services' target ports is its job.
 */
import { PortSet } from '../../core/k8s/port-set.js';
import type { ServiceInfo } from '../../core/k8s/service.js';
import { exposesOutsideCluster, serviceSelects, targetPortOn } from '../../core/k8s/service.js';
import type { NetworkModel } from '../network-model.js';
import type { PodGroup } from '../pod-groups.js';
import type { ExternalAccess, Reachability } from '../reachability.js';

export interface PeerPorts {
  /** Pod group id. */
  workload: string;
  ports: PortSet;
}

export interface GroupExposure {
  group: string;
  isolated: { ingress: boolean; egress: boolean };
  sources: PeerPorts[];
  fromExternal: readonly ExternalAccess[];
  destinations: PeerPorts[];
  toExternal: readonly ExternalAccess[];
}

export interface InternetExposure {
  /** `Service default/frontend-external (LoadBalancer) 80/TCP → 8080/TCP`. */
  by: string;
  /** The ports on the workload's pods that traffic from outside arrives on. */
  ports: PortSet;
}

export function groupExposure(engine: Reachability, group: number): GroupExposure {
  const groups = engine.groups;
  const destinations: PeerPorts[] = [];
  for (let other = 0; other < groups.length; other++) {
    const ports = engine.ports(group, other);
    if (!ports.isEmpty()) destinations.push({ workload: groups[other]!.id, ports });
  }
  return {
    group: groups[group]!.id,
    isolated: { ingress: engine.isIsolated(group, 'ingress'), egress: engine.isIsolated(group, 'egress') },
    sources: engine.allowedSources(group).map(({ from, ports }) => ({ workload: groups[from]!.id, ports })),
    fromExternal: engine.fromExternal(group),
    destinations,
    toExternal: engine.toExternal(group),
  };
}

function hasExternalAddresses(service: ServiceInfo): boolean {
  const spec = service.object['spec'] as Record<string, unknown> | undefined;
  return Array.isArray(spec?.['externalIPs']) && spec['externalIPs'].length > 0;
}

/** How a pod group is reachable from outside the cluster by design, with the pod ports concerned. */
export function internetExposure(model: NetworkModel, group: PodGroup): InternetExposure[] {
  const out: InternetExposure[] = [];
  const describe = (service: ServiceInfo, why: string, ports: ServiceInfo['ports']) => {
    let set = PortSet.NONE;
    const texts: string[] = [];
    for (const port of ports) {
      const target = targetPortOn(port, group);
      if (target === undefined) continue;
      set = set.union(PortSet.range(port.protocol, target));
      texts.push(`${port.port}/${port.protocol} → ${target}/${port.protocol}`);
    }
    if (!set.isEmpty()) out.push({ by: `Service ${service.namespace}/${service.name} (${why}) ${texts.join(', ')}`, ports: set });
  };
  for (const service of model.services) {
    if (!serviceSelects(service, group)) continue;
    if (exposesOutsideCluster(service)) describe(service, service.type, service.ports);
    else if (hasExternalAddresses(service)) describe(service, 'externalIPs', service.ports);
    const backends = model.ingressBackends.filter((b) => b.namespace === service.namespace && b.service === service.name);
    if (backends.length === 0) continue;
    const routed = service.ports.filter((p) => backends.some((b) => b.port === undefined || b.port === p.port || b.port === p.name));
    const ingresses = [...new Set(backends.map((b) => String(b.object.metadata?.name ?? '?')))].sort();
    describe(service, `backend of Ingress ${ingresses.join(', ')}`, routed);
  }
  return out.sort((a, b) => (a.by < b.by ? -1 : a.by > b.by ? 1 : 0));
}
