/**
 * Pods grouped by the workload that owns them, so that analysis runs once per group and reports speak of workloads.
 *
 * - `templates` (manifests): every object with a pod template that no other object of the input controls gives one
 *   group, its template's labels and ports standing for every pod it would create (a Deployment, a CronJob, a bare Pod).
 * - `pods` (a live cluster): every Pod is placed under its top-most controller found in the input (Pod → ReplicaSet →
 *   Deployment, Pod → Job → CronJob), or under itself. Pods of one owner that differ in labels, ports or hostNetwork
 *   (the ReplicaSets of a rollout differ in `pod-template-hash`) make separate groups, so a group's verdicts are
 *   exact for every pod in it; the second one gets the id suffix `#2`, and so on.
 *
 * Pods carry their addresses (`status.podIP(s)`: a live cluster read, a dump, a bare Pod manifest with status), and a
 * group holds those of its pods. Pods of one owner that the policies' ipBlocks tell apart (a cidr or an except
 * between their addresses: see address-classes.ts) make separate groups too, so an ipBlock's verdict on a group is
 * its verdict on each of its pods.
 */
import type { KubeObject } from '../core/model/resource.js';
import { workloadOf } from '../core/k8s/workload.js';
import type { PodNetwork } from '../core/k8s/pod-network.js';
import { podNetworkOf } from '../core/k8s/pod-network.js';
import type { IpAddress } from '../core/k8s/ip-set.js';
import { AddressClasses } from './address-classes.js';
import { podAddressesOf } from './pod-addresses.js';
import { compareText } from '../core/model/text-order.js';

export interface WorkloadRef {
  kind: string;
  namespace: string;
  name: string;
}

export interface PodGroup extends PodNetwork {
  /** `namespace/Kind/name`, plus `#2`… when the owner has pods of several shapes. Stable across runs. */
  id: string;
  /** The top-most owner in the input (the object itself when nothing owns it). */
  owner: WorkloadRef;
  /** How many pods: live pods, or the replicas a template asks for; undefined when unknown (DaemonSet, CronJob). */
  pods: number | undefined;
  /** The objects the group was read from: the template's owner, or the Pods. */
  objects: KubeObject[];
}

export type PodsFrom = 'templates' | 'pods';

interface OwnerReference {
  kind: string;
  name: string;
  uid?: string;
}

function controllerOf(object: KubeObject): OwnerReference | undefined {
  const refs = object.metadata?.['ownerReferences'];
  if (!Array.isArray(refs)) return undefined;
  for (const ref of refs) {
    if (ref && typeof ref === 'object' && (ref as Record<string, unknown>)['controller'] === true) {
      const { kind, name, uid } = ref as Record<string, unknown>;
      if (typeof kind === 'string' && typeof name === 'string') return { kind, name, ...(typeof uid === 'string' ? { uid } : {}) };
    }
  }
  return undefined;
}

function namespaceOf(object: KubeObject, defaultNamespace: string): string {
  const ns = object.metadata?.namespace;
  return typeof ns === 'string' && ns !== '' ? ns : defaultNamespace;
}

function nameOf(object: KubeObject): string {
  const meta = object.metadata ?? {};
  return typeof meta.name === 'string' ? meta.name : typeof meta.generateName === 'string' ? `${meta.generateName}*` : '';
}

/** The number of pods a template owner asks for. */
function replicasOf(object: KubeObject): number | undefined {
  const spec = object['spec'] as Record<string, unknown> | undefined;
  switch (object.kind) {
    case 'Pod':
      return 1;
    case 'Deployment':
    case 'ReplicaSet':
    case 'StatefulSet':
    case 'ReplicationController': {
      const replicas = spec?.['replicas'];
      return typeof replicas === 'number' && Number.isInteger(replicas) && replicas >= 0 ? replicas : 1;
    }
    case 'Job': {
      const parallelism = spec?.['parallelism'];
      return typeof parallelism === 'number' && Number.isInteger(parallelism) && parallelism >= 0 ? parallelism : 1;
    }
    default:
      return undefined;
  }
}

/** Finds each object's controller among the objects (by uid, else by namespace, kind and name). */
class Owners {
  private readonly byUid = new Map<string, KubeObject>();
  private readonly byName = new Map<string, KubeObject>();

  constructor(
    objects: readonly KubeObject[],
    private readonly defaultNamespace: string,
  ) {
    for (const object of objects) {
      const uid = object.metadata?.uid;
      if (typeof uid === 'string' && uid !== '') this.byUid.set(uid, object);
      this.byName.set(this.key(namespaceOf(object, defaultNamespace), String(object.kind), nameOf(object)), object);
    }
  }

  private key(namespace: string, kind: string, name: string): string {
    return `${namespace}\u0000${kind}\u0000${name}`;
  }

  controllerOf(object: KubeObject): KubeObject | undefined {
    const ref = controllerOf(object);
    if (!ref) return undefined;
    const found = ref.uid ? this.byUid.get(ref.uid) : undefined;
    return found ?? this.byName.get(this.key(namespaceOf(object, this.defaultNamespace), ref.kind, ref.name));
  }

  topOf(object: KubeObject): KubeObject {
    const seen = new Set<KubeObject>([object]);
    let current = object;
    for (;;) {
      const next = this.controllerOf(current);
      if (!next || seen.has(next)) return current;
      seen.add(next);
      current = next;
    }
  }
}

function shapeKey(network: PodNetwork): string {
  const labels = Object.keys(network.labels)
    .sort()
    .map((key) => [key, network.labels[key]]);
  const ports = network.ports.map((p) => [p.name ?? '', p.port, p.protocol]);
  return JSON.stringify([labels, ports, network.hostNetwork]);
}

function addressKey(address: IpAddress): string {
  return `${address.family}:${address.value}`;
}

/**
 * Groups the pods of `objects` (see the file comment). Objects without a pod spec are ignored. `classes`: the
 * address classes of the policies analysed (none: pods are not told apart by address).
 */
export function podGroups(objects: readonly KubeObject[], podsFrom: PodsFrom, defaultNamespace: string, classes: AddressClasses = new AddressClasses([])): PodGroup[] {
  const workloads = objects.filter((object) => workloadOf(object) !== undefined);
  const owners = new Owners(workloads, defaultNamespace);
  const groups = new Map<string, PodGroup>();
  const shapesPerOwner = new Map<string, number>();
  /** The addresses of each group so far, by `family:value`, so that a large group adds each address once. */
  const addressesSeen = new Map<PodGroup, Set<string>>();
  const add = (object: KubeObject, owner: KubeObject, pods: number | undefined) => {
    const workload = workloadOf(object)!;
    const network = podNetworkOf(workload, defaultNamespace);
    const addresses = podAddressesOf(object);
    const ownerRef: WorkloadRef = { kind: String(owner.kind), namespace: namespaceOf(owner, defaultNamespace), name: nameOf(owner) };
    const ownerId = `${ownerRef.namespace}/${ownerRef.kind}/${ownerRef.name}`;
    const key = `${ownerId}\u0000${shapeKey(network)}\u0000${classes.classOf(addresses)}`;
    const existing = groups.get(key);
    if (existing) {
      existing.pods = existing.pods === undefined || pods === undefined ? undefined : existing.pods + pods;
      if (!existing.objects.includes(object)) existing.objects.push(object);
      if (addresses.length > 0) {
        let seen = addressesSeen.get(existing);
        if (!seen) {
          seen = new Set((existing.addresses ?? []).map(addressKey));
          addressesSeen.set(existing, seen);
          existing.addresses = [...(existing.addresses ?? [])];
        }
        const list = existing.addresses as IpAddress[];
        for (const address of addresses) if (!seen.has(addressKey(address))) (seen.add(addressKey(address)), list.push(address));
      }
      return;
    }
    const shape = (shapesPerOwner.get(ownerId) ?? 0) + 1;
    shapesPerOwner.set(ownerId, shape);
    groups.set(key, {
      ...network,
      ...(addresses.length > 0 ? { addresses } : {}),
      id: shape === 1 ? ownerId : `${ownerId}#${shape}`,
      owner: ownerRef,
      pods,
      objects: [object],
    });
  };
  for (const object of workloads) {
    if (podsFrom === 'pods') {
      if (object.kind === 'Pod') add(object, owners.topOf(object), 1);
    } else if (!owners.controllerOf(object)) {
      add(object, object, replicasOf(object));
    }
  }
  return [...groups.values()].sort((a, b) => compareText(a.id, b.id));
}
