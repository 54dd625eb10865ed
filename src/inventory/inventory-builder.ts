/**
 * Builds the Inventory from resources fed batch by batch (a file, a page of a LIST), like ScanSession: each batch is
 * projected to the few fields the inventory needs (./workload-record.ts, ./service-record.ts…) and released, so memory
 * grows with the number of objects, not with their size. Cross-object answers (owner chains, which workloads a Service
 * selects, which account's token a pod gets, namespace Pod Security) are computed in `finish()`.
 */
import { labelSelectorMatcher } from '../core/k8s/label-selector.js';
import { workloadOf } from '../core/k8s/workload.js';
import type { PssVersion } from '../core/model/check-context.js';
import { formatPssVersion } from '../core/model/check-context.js';
import type { InputError } from '../core/model/report.js';
import { orderedInputError } from '../core/model/report.js';
import type { Resource, ResourceRef } from '../core/model/resource.js';
import { groupOf } from '../core/model/resource.js';
import { isUnset } from '../core/model/untrusted-value.js';
import { imageIdentity } from './image-identity.js';
import type { ImageIdentity } from './image-identity.js';
import type { IngressRecord } from './ingress-record.js';
import { projectIngress } from './ingress-record.js';
import { objectPosition, problemReporter } from './input-problems.js';
import { isInventoriedKind } from './inventoried-kinds.js';
import type {
  ExposedServiceEntry,
  HostAccessEntry,
  ImageEntry,
  IngressEntry,
  IngressRouteEntry,
  Inventory,
  NamespaceEntry,
  ServiceAccountEntry,
  TokenMount,
  WorkloadEntry,
} from './inventory.js';
import { INVENTORY_SCHEMA_VERSION } from './inventory.js';
import { assessNamespace } from './namespace-pod-security.js';
import { OwnerChains } from './owner-chains.js';
import type { NamespacePolicy } from './pod-security-labels.js';
import { POD_SECURITY_MODES, podSecurityPolicyOf } from './pod-security-labels.js';
import type { ServiceRecord } from './service-record.js';
import { isExposed, projectService } from './service-record.js';
import type { WorkloadRecord } from './workload-record.js';
import { projectWorkload } from './workload-record.js';
import { compareText } from '../core/model/text-order.js';

export interface InventoryOptions {
  /** The Pod Security Standards version `latest` stands for (the cluster's minor version; default: the newest known). */
  pssVersion: PssVersion;
  inputs: string[];
  toolVersion: string;
  /** The clock is an input (`generatedAt`): engines do not read it. */
  now: Date;
}

interface NamespaceRecord {
  name: string;
  uid?: string;
  file?: string;
  line?: number;
  policy: NamespacePolicy;
}

interface ServiceAccountRecord {
  ref: ResourceRef;
  file?: string;
  line?: number;
  automount?: boolean;
}

export class InventoryBuilder {
  private readonly namespaces = new Map<string, NamespaceRecord>();
  /** Namespaces named by the objects read, whether or not the Namespace object was. */
  private readonly namedNamespaces = new Set<string>();
  private workloads: WorkloadRecord[] = [];
  private readonly serviceAccounts = new Map<string, ServiceAccountRecord>();
  private readonly services: ServiceRecord[] = [];
  private readonly ingresses: IngressRecord[] = [];
  private readonly errors: InputError[] = [];
  private finished = false;

  constructor(private readonly options: InventoryOptions) {}

  /** Errors met while reading the input: reported with the inventory, and they make the run fail. */
  addErrors(errors: readonly InputError[]): void {
    for (const error of errors) this.errors.push(error);
  }

  /** Inventories one batch. Nothing keeps a reference to the batch's objects afterwards, only their projections. */
  add(resources: readonly Resource[]): void {
    if (this.finished) throw new Error('InventoryBuilder: add() after finish()');
    for (const resource of resources) this.addOne(resource);
  }

  private addOne(resource: Resource): void {
    const { object, ref } = resource;
    const group = groupOf(ref.apiVersion);
    const report = problemReporter(resource, this.errors);
    if (ref.kind === 'Namespace' && group === '') {
      const { policy, problems } = podSecurityPolicyOf(object.metadata?.labels, this.options.pssVersion);
      for (const problem of problems) report(problem.path, problem.message);
      this.namespaces.set(ref.name, { name: ref.name, ...(ref.uid ? { uid: ref.uid } : {}), ...objectPosition(resource), policy });
      return;
    }
    if (ref.kind === 'ServiceAccount' && group === '') {
      const record: ServiceAccountRecord = { ref, ...objectPosition(resource) };
      const automount = object['automountServiceAccountToken'];
      if (typeof automount === 'boolean') record.automount = automount;
      else if (!isUnset(automount)) report(['automountServiceAccountToken'], `must be true or false, got ${JSON.stringify(automount)}`);
      this.serviceAccounts.set(key(ref.namespace ?? '', ref.name), record);
    } else if (ref.kind === 'Service' && group === '') {
      this.services.push(projectService(resource, report));
    } else if (ref.kind === 'Ingress' && isInventoriedKind(group, ref.kind)) {
      this.ingresses.push(projectIngress(resource, report));
    } else {
      const workload = workloadOf(object);
      // A PodTemplate runs nothing: it is a template other objects may copy. Other kinds only name their namespace.
      if (!workload || ref.kind === 'PodTemplate') {
        if (ref.namespace !== undefined) this.namedNamespaces.add(ref.namespace);
        return;
      }
      const namespace = this.namespaces.get(ref.namespace ?? '');
      const pinned = namespace ? POD_SECURITY_MODES.map((mode) => namespace.policy[mode].version) : [];
      this.workloads.push(projectWorkload(resource, workload, this.options.pssVersion, pinned, report));
    }
    // Inventoried kinds are namespaced: one without a namespace goes to the current namespace when applied ('').
    this.namedNamespaces.add(ref.namespace ?? '');
  }

  finish(): Inventory {
    if (this.finished) throw new Error('InventoryBuilder: finish() called twice');
    this.finished = true;
    const { pssVersion } = this.options;
    const records = this.workloads.sort((a, b) => compareRefs(a.ref, b.ref));
    this.workloads = [];
    const chains = new OwnerChains(records);
    const sortRefs = (indices: number[]): ResourceRef[] => indices.map((index) => records[index]!.ref).sort(compareRefs);

    const byNamespace = new Map<string, number[]>();
    records.forEach((record, index) => push(byNamespace, record.namespace, index));

    // Service accounts: the pod's field decides, else the account's, else the token is mounted.
    const tokenMounts = records.map((record) => tokenMountOf(record, this.serviceAccounts.get(key(record.namespace, record.serviceAccount))));
    const workloads: WorkloadEntry[] = records.map((record, index) => ({
      resource: record.ref,
      ...(record.file !== undefined ? { file: record.file } : {}),
      ...(record.line !== undefined ? { line: record.line } : {}),
      owners: chains.chainOf(index),
      pssLevel: record.pssLevel,
      serviceAccount: record.serviceAccount,
      tokenMount: tokenMounts[index]!,
      hostNetwork: record.hostNetwork,
      hostPorts: record.hostPorts,
      containers: record.containers,
    }));

    const namespaces = this.namespaceEntries(records, byNamespace, chains, sortRefs);
    const serviceAccounts = this.serviceAccountEntries(records, tokenMounts, chains, sortRefs);
    const images = imageEntries(records, chains, sortRefs);
    const selected = new SelectedWorkloads(records, byNamespace, chains, sortRefs);
    const exposedServices: ExposedServiceEntry[] = this.services
      .filter(isExposed)
      .sort((a, b) => compareRefs(a.ref, b.ref))
      .map((service) => ({
        resource: service.ref,
        ...(service.file !== undefined ? { file: service.file } : {}),
        ...(service.line !== undefined ? { line: service.line } : {}),
        type: service.type,
        ports: service.ports,
        externalIPs: service.externalIPs,
        loadBalancerSourceRanges: service.loadBalancerSourceRanges,
        ...(service.selector ? { selector: service.selector } : {}),
        workloads: selected.by(service),
      }));
    const ingresses = this.ingressEntries(selected);
    const hostAccess = hostAccessEntries(records, chains);

    const errors = this.errors.map(orderedInputError);
    return {
      schemaVersion: INVENTORY_SCHEMA_VERSION,
      tool: { name: 'aspis', version: this.options.toolVersion },
      generatedAt: this.options.now.toISOString(),
      inputs: this.options.inputs,
      pssVersion: formatPssVersion(pssVersion),
      summary: {
        namespaces: namespaces.length,
        workloads: workloads.length,
        images: images.length,
        serviceAccounts: serviceAccounts.length,
        exposedServices: exposedServices.length,
        ingresses: ingresses.length,
        hostAccess: hostAccess.length,
        errors: errors.length,
      },
      namespaces,
      workloads,
      images,
      serviceAccounts,
      exposedServices,
      ingresses,
      hostAccess,
      errors,
    };
  }

  private namespaceEntries(
    records: readonly WorkloadRecord[],
    byNamespace: ReadonlyMap<string, number[]>,
    chains: OwnerChains,
    sortRefs: (indices: number[]) => ResourceRef[],
  ): NamespaceEntry[] {
    const names = new Set([...this.namespaces.keys(), ...this.namedNamespaces, ...byNamespace.keys()]);
    return [...names].sort(compareText).map((name) => {
      const record = this.namespaces.get(name);
      const members = byNamespace.get(name) ?? [];
      return {
        name,
        inInput: record !== undefined,
        ...(record?.uid !== undefined ? { uid: record.uid } : {}),
        ...(record?.file !== undefined ? { file: record.file } : {}),
        ...(record?.line !== undefined ? { line: record.line } : {}),
        workloads: members.length,
        podSecurity: assessNamespace(record?.policy, members, records, chains, this.options.pssVersion, sortRefs),
      };
    });
  }

  private serviceAccountEntries(
    records: readonly WorkloadRecord[],
    tokenMounts: readonly TokenMount[],
    chains: OwnerChains,
    sortRefs: (indices: number[]) => ResourceRef[],
  ): ServiceAccountEntry[] {
    const accountKeys = records.map((record) => key(record.namespace, record.serviceAccount));
    const users = new Map<string, number[]>();
    accountKeys.forEach((accountKey, index) => push(users, accountKey, index));
    const keys = new Set([...this.serviceAccounts.keys(), ...users.keys()]);
    const entries = [...keys].map((accountKey): ServiceAccountEntry => {
      const account = this.serviceAccounts.get(accountKey);
      const members = users.get(accountKey) ?? [];
      const [namespace, name] = accountKey.split('\u0000') as [string, string];
      const uses = (index: number) => accountKeys[index] === accountKey;
      const mounts = (index: number) => uses(index) && tokenMounts[index]!.mounted;
      return {
        resource: account?.ref ?? { apiVersion: 'v1', kind: 'ServiceAccount', name, ...(namespace !== '' ? { namespace } : {}) },
        inInput: account !== undefined,
        ...(account?.file !== undefined ? { file: account.file } : {}),
        ...(account?.line !== undefined ? { line: account.line } : {}),
        ...(account?.automount !== undefined ? { automountServiceAccountToken: account.automount } : {}),
        workloads: sortRefs(chains.topMost(members, uses)),
        tokenMountedIn: sortRefs(chains.topMost(members.filter(mounts), mounts)),
      };
    });
    return entries.sort((a, b) => compareRefs(a.resource, b.resource));
  }

  private ingressEntries(selected: SelectedWorkloads): IngressEntry[] {
    const services = new Map<string, ServiceRecord>();
    for (const service of this.services) services.set(key(service.namespace, service.ref.name), service);
    return [...this.ingresses]
      .sort((a, b) => compareRefs(a.ref, b.ref))
      .map((ingress) => ({
        resource: ingress.ref,
        ...(ingress.file !== undefined ? { file: ingress.file } : {}),
        ...(ingress.line !== undefined ? { line: ingress.line } : {}),
        ...(ingress.ingressClass !== undefined ? { ingressClass: ingress.ingressClass } : {}),
        routes: ingress.routes.map((route): IngressRouteEntry => {
          const { backend } = route;
          const service = backend.service !== undefined ? services.get(key(ingress.namespace, backend.service)) : undefined;
          return {
            host: route.host,
            ...(route.path !== undefined ? { path: route.path } : {}),
            ...(route.pathType !== undefined ? { pathType: route.pathType } : {}),
            tls: route.tls,
            ...(backend.service !== undefined ? { service: backend.service } : {}),
            ...(backend.port !== undefined ? { port: backend.port } : {}),
            ...(backend.resource !== undefined ? { resourceBackend: backend.resource } : {}),
            serviceFound: service !== undefined,
            workloads: service ? selected.by(service) : [],
          };
        }),
      }));
  }
}

/** The workloads each Service selects (same namespace, its selector on their pod labels), top-most, memoised. */
class SelectedWorkloads {
  private readonly cache = new Map<ServiceRecord, ResourceRef[]>();

  constructor(
    private readonly records: readonly WorkloadRecord[],
    private readonly byNamespace: ReadonlyMap<string, number[]>,
    private readonly chains: OwnerChains,
    private readonly sortRefs: (indices: number[]) => ResourceRef[],
  ) {}

  by(service: ServiceRecord): ResourceRef[] {
    let refs = this.cache.get(service);
    if (refs) return refs;
    refs = [];
    if (service.selector) {
      // Validated when the Service was read: the matcher cannot throw.
      const matches = labelSelectorMatcher({ matchLabels: service.selector });
      const selects = (index: number) =>
        this.records[index]!.namespace === service.namespace && matches(this.records[index]!.podLabels);
      const members = (this.byNamespace.get(service.namespace) ?? []).filter(selects);
      refs = this.sortRefs(this.chains.topMost(members, selects));
    }
    this.cache.set(service, refs);
    return refs;
  }
}

function tokenMountOf(record: WorkloadRecord, account: ServiceAccountRecord | undefined): TokenMount {
  const pod = record.podAutomount;
  const serviceAccount = account?.automount;
  const fields = { ...(pod !== undefined ? { pod } : {}), ...(serviceAccount !== undefined ? { serviceAccount } : {}) };
  if (pod !== undefined) return { mounted: pod, decidedBy: 'pod', ...fields };
  if (serviceAccount !== undefined) return { mounted: serviceAccount, decidedBy: 'service-account', ...fields };
  return { mounted: true, decidedBy: 'default', ...fields };
}

function imageEntries(records: readonly WorkloadRecord[], chains: OwnerChains, sortRefs: (indices: number[]) => ResourceRef[]): ImageEntry[] {
  const identities = new Map<string, ImageIdentity>();
  const identityOf = (written: string): ImageIdentity => {
    let identity = identities.get(written);
    if (!identity) identities.set(written, (identity = imageIdentity(written)));
    return identity;
  };
  const images = new Map<string, { identity: ImageIdentity; written: Set<string>; members: number[] }>();
  const imagesOf = records.map((record, index) => {
    const names = new Set<string>();
    for (const { image } of record.containers) {
      const identity = identityOf(image);
      let entry = images.get(identity.image);
      if (!entry) images.set(identity.image, (entry = { identity, written: new Set(), members: [] }));
      entry.written.add(image);
      if (!names.has(identity.image)) entry.members.push(index);
      names.add(identity.image);
    }
    return names;
  });
  return [...images.values()]
    .sort((a, b) => compareText(a.identity.image, b.identity.image))
    .map(({ identity, written, members }) => {
      const { image, registry, repository, tag, digest, pinning } = identity;
      const has = (index: number) => imagesOf[index]!.has(image);
      // Keys in schema order.
      return {
        image,
        written: [...written].sort(compareText),
        ...(registry !== undefined ? { registry } : {}),
        ...(repository !== undefined ? { repository } : {}),
        ...(tag !== undefined ? { tag } : {}),
        ...(digest !== undefined ? { digest } : {}),
        pinning,
        workloads: sortRefs(chains.topMost(members, has)),
      };
    });
}

function hostAccessEntries(records: readonly WorkloadRecord[], chains: OwnerChains): HostAccessEntry[] {
  const onHost = (index: number) => records[index]!.hostNetwork || records[index]!.hostPorts.length > 0;
  const members = records.map((_, index) => index).filter(onHost);
  // Indices follow the sorted records: the result is sorted too.
  return chains.topMost(members, onHost).map((index) => ({
    resource: records[index]!.ref,
    hostNetwork: records[index]!.hostNetwork,
    hostPorts: records[index]!.hostPorts,
  }));
}

function push<K>(map: Map<K, number[]>, at: K, index: number): void {
  const list = map.get(at);
  if (list) list.push(index);
  else map.set(at, [index]);
}

function key(namespace: string, name: string): string {
  return `${namespace}\u0000${name}`;
}

function compareRefs(a: ResourceRef, b: ResourceRef): number {
  return compareText(a.namespace ?? '', b.namespace ?? '') || compareText(a.kind, b.kind) || compareText(a.name, b.name);
}

/** The one-shot form: every resource at once. */
export function buildInventory(resources: readonly Resource[], inputErrors: readonly InputError[], options: InventoryOptions): Inventory {
  const builder = new InventoryBuilder(options);
  builder.addErrors(inputErrors);
  builder.add(resources);
  return builder.finish();
}

