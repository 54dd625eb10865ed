/**
 * What NetworkPolicy needs to know about a pod: its namespace, its labels, the ports its containers declare (named
 * ports resolve against them) and whether it uses the host's network. Taken from a Pod or from a workload's pod
 * template (the labels every pod of the workload gets).
 */
import type { IpAddress } from './ip-set.js';
import type { Workload } from './workload.js';
import type { Protocol } from './port-set.js';
import { MAX_PORT, MIN_PORT, PROTOCOLS } from './port-set.js';

export interface ContainerPort {
  name?: string;
  port: number;
  protocol: Protocol;
  /** The container declaring it, for messages. */
  container: string;
}

export interface PodNetwork {
  namespace: string;
  labels: Readonly<Record<string, string>>;
  ports: readonly ContainerPort[];
  /** `spec.hostNetwork: true`: the pod shares its node's network namespace and address. */
  hostNetwork: boolean;
  /**
   * The pod's IP addresses (its node's for a hostNetwork pod), when known: a live pod, a flow's endpoint. Unknown for
   * templates. ipBlock peers match a pod by them (see network-verdict.ts).
   */
  addresses?: readonly IpAddress[];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Labels as a plain string map; entries that are not strings (invalid input) are left out. */
export function stringLabels(value: unknown): Record<string, string> {
  const labels: Record<string, string> = {};
  if (!isRecord(value)) return labels;
  for (const [key, label] of Object.entries(value)) if (typeof label === 'string') labels[key] = label;
  return labels;
}

/**
 * The container ports a named port can resolve to: those of the app containers and of sidecars (init containers with
 * `restartPolicy: Always`, which run for the pod's life). Plain init containers have finished before traffic flows.
 */
export function containerPortsOf(workload: Workload): ContainerPort[] {
  const ports: ContainerPort[] = [];
  for (const view of workload.containers) {
    if (view.type === 'ephemeralContainers') continue;
    if (view.type === 'initContainers' && view.container['restartPolicy'] !== 'Always') continue;
    const list = view.container['ports'];
    if (!Array.isArray(list)) continue;
    for (const entry of list) {
      if (!isRecord(entry)) continue;
      const port = entry['containerPort'];
      if (typeof port !== 'number' || !Number.isInteger(port) || port < MIN_PORT || port > MAX_PORT) continue;
      const protocol = entry['protocol'] ?? 'TCP';
      if (!(PROTOCOLS as readonly unknown[]).includes(protocol)) continue;
      const name = entry['name'];
      const container = view.name;
      // Two literals rather than a spread of an optional part: this runs for every port of every workload.
      ports.push(typeof name === 'string' && name !== '' ? { name, port, protocol: protocol as Protocol, container } : { port, protocol: protocol as Protocol, container });
    }
  }
  return ports;
}

export function podNetworkOf(workload: Workload, defaultNamespace: string): PodNetwork {
  const ns = workload.object.metadata?.namespace;
  return {
    namespace: typeof ns === 'string' && ns !== '' ? ns : defaultNamespace,
    labels: stringLabels(workload.podMetadata.labels),
    ports: containerPortsOf(workload),
    hostNetwork: usesHostNetwork(workload),
  };
}

/** `spec.hostNetwork: true`: NetworkPolicy does not apply to the pods. */
export function usesHostNetwork(workload: Workload): boolean {
  return workload.podSpec['hostNetwork'] === true;
}

/** The port numbers a named port resolves to on a pod, for one protocol (none when no container declares it). */
export function resolveNamedPort(ports: readonly ContainerPort[], name: string, protocol: Protocol): number[] {
  const out: number[] = [];
  for (const port of ports) if (port.name === name && port.protocol === protocol && !out.includes(port.port)) out.push(port.port);
  return out;
}

/** The labels the API server gives every namespace besides its own: `kubernetes.io/metadata.name` (immutable). */
export function namespaceLabelsOf(name: string, labels: Readonly<Record<string, string>> = {}): Record<string, string> {
  return { ...labels, 'kubernetes.io/metadata.name': name };
}
