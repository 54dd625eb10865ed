/**
 * What the inventory keeps of a workload: a few strings and numbers instead of the object, so a cluster of 150,000
 * pods fits in memory (architecture rule 7). The Pod Security level is computed here, while the pod spec is at hand,
 * at every policy version the inventory may need it for.
 */
import type { Workload } from '../core/k8s/workload.js';
import type { PssVersion } from '../core/model/check-context.js';
import type { PssLevel } from '../core/model/report.js';
import type { Resource, ResourceRef } from '../core/model/resource.js';
import { asArray, asRecord, isUnset } from '../core/model/untrusted-value.js';
import { pssLevelOf } from '../frameworks/pss.js';
import type { ContainerImage, HostPortEntry } from './inventory.js';
import type { ReportProblem } from './input-problems.js';
import { objectPosition } from './input-problems.js';
import { isPort } from './port-number.js';
import { stringMapOf } from './string-map.js';

/** The owner a workload's controller chain continues with (metadata.ownerReferences). */
export interface OwnerReferenceRecord {
  kind: string;
  name: string;
  uid?: string;
}

export interface WorkloadRecord {
  ref: ResourceRef;
  file?: string;
  line?: number;
  /** metadata.namespace, '' when unset. */
  namespace: string;
  /** The reference marked `controller: true`, else the first one. */
  owner?: OwnerReferenceRecord;
  /** Labels of the pods it runs (the template's), which Services select. */
  podLabels?: Readonly<Record<string, string>>;
  /** Highest Pod Security level the pod spec satisfies at the inventory's version. */
  pssLevel: PssLevel;
  /** The same at the other versions its namespace pins, when the Namespace was read first (usually none). */
  pinnedLevels?: Map<number, PssLevel>;
  serviceAccount: string;
  podAutomount?: boolean;
  hostNetwork: boolean;
  hostPorts: HostPortEntry[];
  containers: ContainerImage[];
}

/** The level of a workload at a policy version, or undefined when it was not evaluated at that version. */
export function levelAtVersion(record: WorkloadRecord, version: PssVersion, inventoryVersion: PssVersion): PssLevel | undefined {
  return version.minor === inventoryVersion.minor ? record.pssLevel : record.pinnedLevels?.get(version.minor);
}

export function projectWorkload(
  resource: Resource,
  workload: Workload,
  version: PssVersion,
  pinned: readonly PssVersion[],
  report: ReportProblem,
): WorkloadRecord {
  const spec = workload.podSpec;
  const specPath = workload.specPath;

  const record: WorkloadRecord = {
    ref: resource.ref,
    ...objectPosition(resource),
    namespace: resource.ref.namespace ?? '',
    pssLevel: pssLevelOf(workload, version),
    serviceAccount: serviceAccountOf(spec, specPath, report),
    hostNetwork: false,
    hostPorts: [],
    containers: [],
  };
  for (const other of pinned) {
    if (other.minor === version.minor || record.pinnedLevels?.has(other.minor)) continue;
    record.pinnedLevels ??= new Map();
    record.pinnedLevels.set(other.minor, pssLevelOf(workload, other));
  }
  const owner = ownerOf(resource.object.metadata?.['ownerReferences'], report);
  if (owner) record.owner = owner;
  const podLabels = stringMapOf(workload.podMetadata.labels, [...workload.metadataPath, 'labels'], report);
  if (podLabels) record.podLabels = podLabels;

  const automount = spec['automountServiceAccountToken'];
  if (typeof automount === 'boolean') record.podAutomount = automount;
  else if (!isUnset(automount)) report([...specPath, 'automountServiceAccountToken'], `must be true or false, got ${JSON.stringify(automount)}`);

  const hostNetwork = spec['hostNetwork'];
  if (typeof hostNetwork === 'boolean') record.hostNetwork = hostNetwork;
  else if (!isUnset(hostNetwork)) report([...specPath, 'hostNetwork'], `must be true or false, got ${JSON.stringify(hostNetwork)}`);

  for (const view of workload.containers) {
    const image = view.container['image'];
    if (typeof image === 'string' && image.trim() !== '') {
      record.containers.push({ container: view.name, type: view.type, image });
    } else {
      report([...view.path, 'image'], isUnset(image) ? `container ${view.name} has no image` : `image must be a non-empty string, got ${JSON.stringify(image)}`);
    }
    // Ephemeral containers may not declare ports; the API rejects them there.
    if (view.type === 'ephemeralContainers') continue;
    asArray(view.container['ports']).forEach((item, index) => {
      const port = asRecord(item);
      if (!port) return;
      const path = [...view.path, 'ports', index];
      const containerPort = port['containerPort'];
      let hostPort = port['hostPort'];
      // The API server defaults hostPort to containerPort on host-network pods: the port is bound on the node.
      if (isUnset(hostPort) || hostPort === 0) hostPort = record.hostNetwork ? containerPort : undefined;
      if (hostPort === undefined) return;
      if (!isPort(hostPort)) {
        report([...path, isUnset(port['hostPort']) ? 'containerPort' : 'hostPort'], `must be a port number (1-65535), got ${JSON.stringify(hostPort)}`);
        return;
      }
      const protocol = typeof port['protocol'] === 'string' ? port['protocol'] : 'TCP';
      const entry: HostPortEntry = { container: view.name, ...(isPort(containerPort) ? { containerPort } : {}), hostPort, protocol };
      record.hostPorts.push(entry);
    });
  }
  return record;
}

function serviceAccountOf(spec: Record<string, unknown>, specPath: readonly (string | number)[], report: ReportProblem): string {
  // serviceAccountName, else the deprecated serviceAccount, else the namespace's `default` account.
  for (const field of ['serviceAccountName', 'serviceAccount']) {
    const value = spec[field];
    if (typeof value === 'string' && value !== '') return value;
    if (!isUnset(value) && value !== '') report([...specPath, field], `must be a string, got ${JSON.stringify(value)}`);
  }
  return 'default';
}

function ownerOf(value: unknown, report: ReportProblem): OwnerReferenceRecord | undefined {
  if (isUnset(value)) return undefined;
  if (!Array.isArray(value)) {
    report(['metadata', 'ownerReferences'], 'must be a list of owner references');
    return undefined;
  }
  let first: OwnerReferenceRecord | undefined;
  for (let index = 0; index < value.length; index++) {
    const ref = asRecord(value[index]);
    const kind = ref?.['kind'];
    const name = ref?.['name'];
    if (typeof kind !== 'string' || kind === '' || typeof name !== 'string' || name === '') {
      report(['metadata', 'ownerReferences', index], 'an owner reference needs a kind and a name');
      continue;
    }
    const owner: OwnerReferenceRecord = { kind, name };
    if (typeof ref!['uid'] === 'string' && ref!['uid'] !== '') owner.uid = ref!['uid'];
    if (ref!['controller'] === true) return owner;
    first ??= owner;
  }
  return first;
}

