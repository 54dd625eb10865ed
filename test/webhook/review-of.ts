/** Builds AdmissionReview v1 bodies as the apiserver posts them, for tests and benchmarks. */
import { randomUUID } from 'node:crypto';
import type { KubeObject } from '../../src/core/model/resource.js';
import { POD_TEMPLATE_PATHS } from '../../src/core/k8s/workload-kinds.js';

export interface ReviewOptions {
  operation?: 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';
  namespace?: string;
  username?: string;
  groups?: string[];
  dryRun?: boolean;
  oldObject?: KubeObject;
  subResource?: string;
  uid?: string;
}

export function reviewOf(object: KubeObject, options: ReviewOptions = {}) {
  const kind = String(object.kind);
  const group = POD_TEMPLATE_PATHS[kind]?.group ?? (String(object.apiVersion).includes('/') ? String(object.apiVersion).split('/')[0]! : '');
  const version = String(object.apiVersion).split('/').pop()!;
  const namespace = options.namespace ?? object.metadata?.namespace ?? 'default';
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: options.uid ?? randomUUID(),
      kind: { group, version, kind },
      resource: { group, version, resource: `${kind.toLowerCase()}s` },
      ...(options.subResource ? { subResource: options.subResource } : {}),
      requestKind: { group, version, kind },
      name: object.metadata?.name ?? '',
      namespace,
      operation: options.operation ?? 'CREATE',
      userInfo: { username: options.username ?? 'alice', uid: 'u-1', groups: options.groups ?? ['developers', 'system:authenticated'] },
      object: { ...object, metadata: { ...object.metadata, namespace } },
      ...(options.oldObject ? { oldObject: options.oldObject } : {}),
      dryRun: options.dryRun ?? false,
      options: { apiVersion: 'meta.k8s.io/v1', kind: 'CreateOptions' },
    },
  };
}

/** A Pod that passes the restricted profile. */
export function restrictedPod(name = 'ok'): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name },
    spec: {
      securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
      containers: [
        {
          name: 'app',
          image: 'registry.example.com/app@sha256:' + 'a'.repeat(64),
          securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
        },
      ],
    },
  };
}

/** A Pod that fails baseline (privileged, hostPath) and restricted. */
export function privilegedPod(name = 'bad'): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name },
    spec: {
      hostNetwork: true,
      volumes: [{ name: 'root', hostPath: { path: '/' } }],
      containers: [{ name: 'app', image: 'nginx', securityContext: { privileged: true }, volumeMounts: [{ name: 'root', mountPath: '/host' }] }],
    },
  };
}

/** A Deployment whose pod template is `pod`'s spec. */
export function deploymentOf(pod: KubeObject, name = 'web'): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: pod['spec'] },
    },
  };
}
