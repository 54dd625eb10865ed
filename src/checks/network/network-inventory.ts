/**
 * What the NetworkPolicy coverage checks read from an inventory, built once per inventory: the valid NetworkPolicies
 * (networking.k8s.io; invalid ones are left out: `aspis netpol` reports them with file:line), the top-level workloads
 * (objects with a pod template that no other object of the input controls: a Deployment stands for its ReplicaSets and
 * Pods) with their pods' network identity, namespace labels, Services and Ingress backends.
 *
 * Objects without metadata.namespace land in whatever namespace they are applied to, together: they are analysed as
 * one namespace (UNSET_NAMESPACE), never reported as a namespace, and messages about them name no namespace.
 */
import type { Inventory } from '../../core/engine/inventory.js';
import type { KubeObject } from '../../core/model/resource.js';
import type { IngressBackend } from '../../core/k8s/ingress-backend.js';
import { ingressBackendsOf, isIngress } from '../../core/k8s/ingress-backend.js';
import type { NetworkPolicy } from '../../core/k8s/network-policy.js';
import { isNetworkPolicy, parseNetworkPolicy } from '../../core/k8s/network-policy.js';
import type { PolicyLookup } from '../../core/k8s/network-verdict.js';
import { policyList } from '../../core/k8s/network-verdict.js';
import type { PodNetwork } from '../../core/k8s/pod-network.js';
import { namespaceLabelsOf, podNetworkOf, stringLabels, usesHostNetwork } from '../../core/k8s/pod-network.js';
import type { ServiceInfo } from '../../core/k8s/service.js';
import { isService, serviceOf } from '../../core/k8s/service.js';
import type { Workload } from '../../core/k8s/workload.js';
import { isWorkload, workloadOf } from '../../core/k8s/workload.js';
import { POD_TEMPLATE_PATHS } from '../../core/k8s/workload-kinds.js';

/** The namespace of objects written without one: the one they will be applied to, unknown here. */
export const UNSET_NAMESPACE = '';

/** The kinds these checks read (their `target.inventory`). */
export const NETWORK_INVENTORY_KINDS: readonly string[] = ['Namespace', 'NetworkPolicy', 'Service', 'Ingress', ...Object.keys(POD_TEMPLATE_PATHS)];

export interface NetworkWorkload {
  object: KubeObject;
  workload: Workload;
  /** Its pods' namespace (UNSET_NAMESPACE when it names none): `pod.namespace`, without computing `pod`. */
  namespace: string;
  /** Its pods' network identity, computed when first read (checks of an input without policies never read it). */
  readonly pod: PodNetwork;
  /** `pod.hostNetwork`, without computing `pod`. */
  readonly hostNetwork: boolean;
  /** `Kind "name"`, for messages (without namespace: the finding's object says it, and it may be unknown). */
  readonly name: string;
}

export interface NetworkInventory {
  policies: NetworkPolicy[];
  workloads: NetworkWorkload[];
  /** Namespace name → its Namespace object, when the input has one. */
  namespaceObjects: Map<string, KubeObject>;
  /** Every namespace a Namespace object, or a workload or policy with metadata.namespace names, sorted. */
  namespaces: string[];
  services: ServiceInfo[];
  ingressBackends: IngressBackend[];
  lookup: PolicyLookup;
}

function namespaceOf(object: KubeObject): string {
  const ns = object.metadata?.namespace;
  return typeof ns === 'string' && ns !== '' ? ns : UNSET_NAMESPACE;
}

/** The controller ownerReferences of `object` (at most one is valid, but the input may hold more). */
function controllerRefs(object: KubeObject): Record<string, unknown>[] {
  const refs = object.metadata?.['ownerReferences'];
  if (!Array.isArray(refs)) return [];
  return refs.filter((ref): ref is Record<string, unknown> => !!ref && typeof ref === 'object' && (ref as Record<string, unknown>)['controller'] === true);
}

/** Whether another object of the input is the controller of `object` (by uid, else by kind and name). */
function controlledWithin(object: KubeObject, byUid: Set<string>, byName: Set<string>): boolean {
  return controllerRefs(object).some(({ uid, kind, name }) => {
    if (typeof uid === 'string' && byUid.has(uid)) return true;
    return byName.has(`${namespaceOf(object)}/${String(kind)}/${String(name)}`);
  });
}

/**
 * One is made per workload of the input (and per workload judged alone, InventoryCheck.alone): what few checks read
 * is computed when first read, the workload view included (an input without policies or Services needs none).
 */
class ListedWorkload implements NetworkWorkload {
  private podNetwork: PodNetwork | undefined;
  readonly namespace: string;

  constructor(
    readonly object: KubeObject,
    private view?: Workload,
  ) {
    this.namespace = namespaceOf(object);
  }

  get workload(): Workload {
    // Listed only when isWorkload(object): workloadOf gives a view.
    return (this.view ??= workloadOf(this.object)!);
  }

  get pod(): PodNetwork {
    return (this.podNetwork ??= podNetworkOf(this.workload, UNSET_NAMESPACE));
  }

  get hostNetwork(): boolean {
    return usesHostNetwork(this.workload);
  }

  get name(): string {
    return `${String(this.object.kind)} "${String(this.object.metadata?.name ?? '')}"`;
  }
}

/**
 * `object` as networkInventory() lists it in an input without NetworkPolicies in its namespace, for checks that judge
 * workloads alone (InventoryCheck.alone): null when it is no workload, undefined when the rest of the input decides
 * whether it is listed (it names a controller, which the input may hold).
 */
export function standaloneWorkload(object: KubeObject): NetworkWorkload | null | undefined {
  if (controllerRefs(object).length > 0) return undefined;
  const workload = workloadOf(object);
  return workload ? new ListedWorkload(object, workload) : null;
}

/** The policies of an input without NetworkPolicies. */
export const NO_POLICIES: PolicyLookup = policyList([], (ns) => namespaceLabelsOf(ns));

const cache = new WeakMap<Inventory, NetworkInventory>();

export function networkInventory(inventory: Inventory): NetworkInventory {
  const cached = cache.get(inventory);
  if (cached) return cached;
  const policies: NetworkPolicy[] = [];
  for (const object of inventory.ofKind('NetworkPolicy')) {
    if (!isNetworkPolicy(object)) continue;
    const parsed = parseNetworkPolicy(object, UNSET_NAMESPACE).policy;
    if (parsed) policies.push(parsed);
  }
  const candidates: KubeObject[] = [];
  for (const kind of Object.keys(POD_TEMPLATE_PATHS)) {
    for (const object of inventory.ofKind(kind)) {
      if (isWorkload(object)) candidates.push(object);
    }
  }
  const byUid = new Set<string>();
  const byName = new Set<string>();
  for (const object of candidates) {
    if (typeof object.metadata?.uid === 'string') byUid.add(object.metadata.uid);
    byName.add(`${namespaceOf(object)}/${String(object.kind)}/${String(object.metadata?.name)}`);
  }
  const workloads = candidates
    .filter((object) => !controlledWithin(object, byUid, byName))
    .map((object) => new ListedWorkload(object));

  const namespaceObjects = new Map<string, KubeObject>();
  const namespaceLabels = new Map<string, Record<string, string>>();
  for (const object of inventory.ofKind('Namespace')) {
    const name = object.metadata?.name;
    if (typeof name !== 'string' || name === '' || namespaceObjects.has(name)) continue;
    namespaceObjects.set(name, object);
    namespaceLabels.set(name, namespaceLabelsOf(name, stringLabels(object.metadata?.labels)));
  }
  const services: ServiceInfo[] = [];
  for (const object of inventory.ofKind('Service')) {
    const service = isService(object) ? serviceOf(object, UNSET_NAMESPACE) : undefined;
    if (service) services.push(service);
  }
  const ingressBackends = inventory.ofKind('Ingress').filter(isIngress).flatMap((object) => ingressBackendsOf(object, UNSET_NAMESPACE));
  const namespaces = [...new Set([...namespaceObjects.keys(), ...workloads.map((w) => w.namespace), ...policies.map((p) => p.namespace)])]
    .filter((ns) => ns !== UNSET_NAMESPACE)
    .sort();
  const lookup = policyList(policies, (ns) => namespaceLabels.get(ns) ?? namespaceLabelsOf(ns));
  const result = { policies, workloads, namespaceObjects, namespaces, services, ingressBackends, lookup };
  cache.set(inventory, result);
  return result;
}
