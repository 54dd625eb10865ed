/**
 * What a flow source (Hubble export, Aspis flow JSONL, conntrack events) hands to the network engine: one observed
 * connection (or several identical ones) and, optionally, which pod held an address when. The sources only say what
 * the observer saw; attributing addresses to workloads through the inventory at the time of the flow is the engine's
 * job (src/network/flows).
 */
import type { Protocol } from '../k8s/port-set.js';

/** A workload as an observer names it: the top-most controller of the pod (Deployment, StatefulSet, …) or the Pod. */
export interface FlowWorkloadRef {
  kind: string;
  name: string;
}

/**
 * One end of a connection. Any combination of fields may be known; the engine uses the most precise one: a pod or
 * workload identity first, then a Service (destination), then the address.
 */
export interface FlowEndpoint {
  ip?: string;
  /** Namespace of `pod`, `workload` or `service`. */
  namespace?: string;
  pod?: string;
  workload?: FlowWorkloadRef;
  /** A Service the connection was addressed to (its name in `namespace`); `port` is then the Service port. */
  service?: string;
  /** Labels of the pod as the observer saw them (used when the inventory does not know the workload). */
  labels?: Readonly<Record<string, string>>;
  /**
   * A non-pod identity the observer gave the address (Hubble reserved identities: `world`, `host`, `remote-node`,
   * `kube-apiserver`…). `world` means outside the cluster.
   */
  reserved?: string;
}

export interface FlowRecord {
  /** Milliseconds since the epoch; absent when the observer gave no time (conntrack without `-o timestamp`). */
  time?: number;
  source: FlowEndpoint;
  destination: FlowEndpoint;
  protocol: Protocol;
  /** Destination port as the destination pod receives it, or the Service port when `destination.service` is used. */
  port: number;
  /** How many identical connections the record stands for (1 for a single observation). */
  count: number;
}

/** "This address belonged to this pod from … until …", e.g. recorded beside node flows. */
export interface AddressRecord {
  ip: string;
  namespace: string;
  pod: string;
  workload?: FlowWorkloadRef;
  labels?: Readonly<Record<string, string>>;
  /** Milliseconds since the epoch; absent: since before any flow. */
  from?: number;
  /** Milliseconds since the epoch, exclusive; absent: still held. */
  until?: number;
}

/** Where a flow record was read: file and 1-based line. */
export interface FlowPosition {
  file: string;
  line: number;
}
