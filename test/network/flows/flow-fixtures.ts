/** Builders for flow tests: workloads, their Pods with addresses and times, Services, flow records. */
import type { FlowEndpoint, FlowRecord } from '../../../src/core/model/flow-record.js';
import type { KubeObject } from '../../../src/core/model/resource.js';
import type { Protocol } from '../../../src/network/index.js';

export interface PortSpec {
  port: number;
  name?: string;
  protocol?: Protocol;
}

function containers(ports: PortSpec[]): Record<string, unknown>[] {
  return [{ name: 'app', image: 'registry.example/app:1', ports: ports.map((p) => ({ containerPort: p.port, ...(p.name ? { name: p.name } : {}), protocol: p.protocol ?? 'TCP' })) }];
}

export function deployment(namespace: string, name: string, labels: Record<string, string>, ports: PortSpec[] = [], extra: { selector?: Record<string, unknown>; hostNetwork?: boolean } = {}): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace, uid: `uid-${namespace}-${name}` },
    spec: {
      selector: extra.selector ?? { matchLabels: labels },
      template: { metadata: { labels }, spec: { containers: containers(ports), ...(extra.hostNetwork ? { hostNetwork: true } : {}) } },
    },
  };
}

export interface PodSpecOptions {
  ip?: string;
  created?: string;
  deleted?: string;
  phase?: string;
  finishedAt?: string;
  hostNetwork?: boolean;
  ports?: PortSpec[];
}

/** A Pod of a Deployment (owned directly: the ReplicaSet is not needed to find the owner when it is absent). */
export function podOf(owner: KubeObject, name: string, options: PodSpecOptions = {}): KubeObject {
  const template = (owner['spec'] as { template: { metadata: { labels: Record<string, string> }; spec: Record<string, unknown> } }).template;
  const ns = owner.metadata!.namespace!;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: ns,
      labels: { ...template.metadata.labels, 'pod-template-hash': '5d8f7c9b6' },
      ...(options.created ? { creationTimestamp: options.created } : {}),
      ...(options.deleted ? { deletionTimestamp: options.deleted } : {}),
      ownerReferences: [{ apiVersion: 'apps/v1', kind: String(owner.kind), name: owner.metadata!.name, uid: owner.metadata!.uid, controller: true }],
    },
    spec: options.ports ? { containers: containers(options.ports), ...(options.hostNetwork ? { hostNetwork: true } : {}) } : { ...template.spec, ...(options.hostNetwork ? { hostNetwork: true } : {}) },
    status: {
      phase: options.phase ?? 'Running',
      ...(options.ip ? { podIP: options.ip, podIPs: [{ ip: options.ip }] } : {}),
      ...(options.finishedAt ? { containerStatuses: [{ name: 'app', state: { terminated: { exitCode: 0, finishedAt: options.finishedAt } } }] } : {}),
    },
  };
}

export function service(namespace: string, name: string, selector: Record<string, string> | undefined, ports: { port: number; targetPort?: number | string; protocol?: Protocol }[], clusterIP?: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace },
    spec: { ...(selector ? { selector } : {}), ...(clusterIP ? { clusterIP } : {}), ports: ports.map((p) => ({ port: p.port, ...(p.targetPort !== undefined ? { targetPort: p.targetPort } : {}), protocol: p.protocol ?? 'TCP' })) },
  };
}

export function flow(source: FlowEndpoint, destination: FlowEndpoint, port: number, options: { time?: string; protocol?: Protocol; count?: number } = {}): FlowRecord {
  return {
    ...(options.time ? { time: Date.parse(options.time) } : {}),
    source,
    destination,
    protocol: options.protocol ?? 'TCP',
    port,
    count: options.count ?? 1,
  };
}

export const at = (line: number) => ({ file: 'flows.jsonl', line });
