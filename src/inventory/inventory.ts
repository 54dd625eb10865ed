/**
 * The inventory (`aspis.dev/inventory/v1`): what runs where, as whom, from which images, reachable how, and how each
 * namespace's Pod Security labels compare with what its workloads already satisfy. Built by InventoryBuilder
 * (./inventory-builder.ts); published as JSON with the schema src/outputs/inventory-schema.ts (a type-level test keeps
 * the two mutually assignable). Objects are built with their keys in schema order: the JSON output writes them as built.
 */
import type { ContainerType } from '../core/k8s/workload.js';
import type { InputError, PssLevel } from '../core/model/report.js';
import type { ResourceRef } from '../core/model/resource.js';

export const INVENTORY_SCHEMA_VERSION = 'aspis.dev/inventory/v1';

/** One link of a workload's ownership chain (metadata.ownerReferences, following the controller reference). */
export interface OwnerLink {
  kind: string;
  name: string;
  uid?: string;
  /** Whether the owner itself was read (then it is also listed in `workloads`). */
  inInput: boolean;
}

export interface ContainerImage {
  container: string;
  type: ContainerType;
  /** The image as written. */
  image: string;
}

export interface HostPortEntry {
  container: string;
  containerPort?: number;
  hostPort: number;
  protocol: string;
}

/** Who decided whether the pod gets an API token: the pod's field, else its service account's, else the default (yes). */
export type TokenMountDecider = 'pod' | 'service-account' | 'default';

export interface TokenMount {
  /** Whether the pods get the service account's API token mounted. */
  mounted: boolean;
  decidedBy: TokenMountDecider;
  /** `spec.automountServiceAccountToken` of the pod (template), when set. */
  pod?: boolean;
  /** `automountServiceAccountToken` of the service account, when it was read and sets it. */
  serviceAccount?: boolean;
}

export interface WorkloadEntry {
  resource: ResourceRef;
  file?: string;
  line?: number;
  /** Controller chain, the direct owner first (Pod → ReplicaSet → Deployment gives [ReplicaSet, Deployment]). */
  owners: OwnerLink[];
  /** Highest Pod Security Standards level the pod spec satisfies at the inventory's `pssVersion`. */
  pssLevel: PssLevel;
  serviceAccount: string;
  tokenMount: TokenMount;
  hostNetwork: boolean;
  hostPorts: HostPortEntry[];
  containers: ContainerImage[];
}

/** `digest`: content-addressed; `tag`: a mutable tag; `untagged`: neither (runtimes pull `:latest`); `invalid`: not a reference. */
export type ImagePinning = 'digest' | 'tag' | 'untagged' | 'invalid';

export interface ImageEntry {
  /** Normalised reference (`docker.io/library/nginx:1.27`), or the text as written when it is not a valid reference. */
  image: string;
  /** The distinct spellings found in the input (`nginx:1.27`, `docker.io/library/nginx:1.27`). */
  written: string[];
  registry?: string;
  repository?: string;
  tag?: string;
  digest?: string;
  pinning: ImagePinning;
  /** Top-most workloads that run it (a Pod whose ReplicaSet also runs it is represented by the ReplicaSet…). */
  workloads: ResourceRef[];
}

export interface ServiceAccountEntry {
  resource: ResourceRef;
  /** False for accounts workloads name but the input does not contain (e.g. each namespace's `default`). */
  inInput: boolean;
  file?: string;
  line?: number;
  /** The account's own `automountServiceAccountToken`, when set. */
  automountServiceAccountToken?: boolean;
  /** Top-most workloads running as this account. */
  workloads: ResourceRef[];
  /** Those of them whose pods get its token mounted. */
  tokenMountedIn: ResourceRef[];
}

export interface ServicePortEntry {
  name?: string;
  protocol: string;
  port: number;
  targetPort?: number | string;
  nodePort?: number;
}

export interface ExposedServiceEntry {
  resource: ResourceRef;
  file?: string;
  line?: number;
  type: string;
  ports: ServicePortEntry[];
  externalIPs: string[];
  loadBalancerSourceRanges: string[];
  /** `spec.selector`; absent when the Service selects no pods (its endpoints are managed by hand). */
  selector?: Record<string, string>;
  /** Top-most workloads of its namespace whose pods the selector selects. */
  workloads: ResourceRef[];
}

export interface IngressRouteEntry {
  /** `*` when the rule names no host (any host); the default backend has host `*` and no path. */
  host: string;
  path?: string;
  pathType?: string;
  /** Whether `spec.tls` covers the host. */
  tls: boolean;
  /** Backend Service and port (number or name), when the backend is a Service. */
  service?: string;
  port?: number | string;
  /** `Kind/name` of a resource backend (e.g. a storage bucket), when the backend is not a Service. */
  resourceBackend?: string;
  /** Whether the backend Service was read. */
  serviceFound: boolean;
  /** Top-most workloads the backend Service selects. */
  workloads: ResourceRef[];
}

export interface IngressEntry {
  resource: ResourceRef;
  file?: string;
  line?: number;
  ingressClass?: string;
  routes: IngressRouteEntry[];
}

export interface HostAccessEntry {
  resource: ResourceRef;
  hostNetwork: boolean;
  hostPorts: HostPortEntry[];
}

/** How a namespace's enforce label compares with the strictest level all its workloads satisfy. */
export type PodSecurityAssessment = 'matches' | 'laxer' | 'stricter' | 'no-workloads' | 'labels-unknown';

export interface PodSecurityModeEntry {
  /** `pod-security.kubernetes.io/<mode>` as written, when present. */
  levelLabel?: string;
  /** `pod-security.kubernetes.io/<mode>-version` as written, when present. */
  versionLabel?: string;
  /** The level PodSecurity admission applies for the mode, from the labels (see docs/inventory.md for defaults). */
  level: PssLevel;
  /** The policy version it applies (`latest` resolved to the inventory's `pssVersion`). */
  version: string;
  /**
   * Present only when the workloads could not be evaluated at `version` (the Namespace object came after them in the
   * input): the version they were evaluated at instead.
   */
  evaluatedAt?: string;
  /** Top-most workloads of the namespace whose pod spec does not satisfy `level`. */
  violations: ResourceRef[];
}

export interface NamespacePodSecurity {
  /** Strictest level every workload of the namespace satisfies (at the enforce version); absent without workloads. */
  satisfied?: PssLevel;
  assessment: PodSecurityAssessment;
  /** Present when the Namespace object was read. */
  enforce?: PodSecurityModeEntry;
  audit?: PodSecurityModeEntry;
  warn?: PodSecurityModeEntry;
}

export interface NamespaceEntry {
  /** Empty for objects that name no namespace (manifests applied to the current namespace). */
  name: string;
  /** Whether the Namespace object itself was read. */
  inInput: boolean;
  uid?: string;
  file?: string;
  line?: number;
  workloads: number;
  podSecurity: NamespacePodSecurity;
}

export interface InventorySummary {
  namespaces: number;
  workloads: number;
  images: number;
  serviceAccounts: number;
  exposedServices: number;
  ingresses: number;
  hostAccess: number;
  errors: number;
}

export interface Inventory {
  schemaVersion: typeof INVENTORY_SCHEMA_VERSION;
  tool: { name: 'aspis'; version: string };
  generatedAt: string;
  inputs: string[];
  /** The Pod Security Standards version `latest` resolves to (`v1.N`); workloads' `pssLevel` is evaluated at it. */
  pssVersion: string;
  summary: InventorySummary;
  namespaces: NamespaceEntry[];
  workloads: WorkloadEntry[];
  images: ImageEntry[];
  serviceAccounts: ServiceAccountEntry[];
  exposedServices: ExposedServiceEntry[];
  ingresses: IngressEntry[];
  hostAccess: HostAccessEntry[];
  errors: InputError[];
}
