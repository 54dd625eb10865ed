/**
 * Deterministic generator of realistic workload manifests for benchmarks: a mix of kinds, hardened and careless
 * security contexts, sidecars, init containers, env, volumes and probes, like the objects of a real cluster.
 */
const KINDS = ['Deployment', 'Deployment', 'Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob', 'Pod'] as const;

/** A small deterministic PRNG so every run scans the same objects. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

function container(name: string, rand: () => number, hardened: boolean): Record<string, unknown> {
  const image = rand() < 0.15 ? `docker.io/library/${name}:latest` : `registry.example.com/team-${Math.floor(rand() * 20)}/${name}:1.${Math.floor(rand() * 30)}.${Math.floor(rand() * 9)}`;
  const base: Record<string, unknown> = {
    name,
    image,
    ports: [{ containerPort: 8080, name: 'http' }],
    env: [
      { name: 'LOG_LEVEL', value: 'info' },
      { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
      ...(rand() < 0.3 ? [{ name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } }] : []),
    ],
    readinessProbe: { httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 10 },
    volumeMounts: [{ name: 'config', mountPath: '/etc/app' }],
  };
  if (hardened) {
    base['resources'] = { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '1', memory: '512Mi' } };
    base['securityContext'] = {
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    };
  } else if (rand() < 0.5) {
    base['securityContext'] = rand() < 0.2 ? { privileged: true } : { capabilities: { add: ['NET_ADMIN'] } };
  }
  return base;
}

function podSpec(app: string, rand: () => number): Record<string, unknown> {
  const hardened = rand() < 0.4;
  const spec: Record<string, unknown> = {
    serviceAccountName: rand() < 0.3 ? 'default' : app,
    containers: [container(app, rand, hardened), ...(rand() < 0.4 ? [container('envoy', rand, hardened)] : [])],
    volumes: [{ name: 'config', configMap: { name: `${app}-config` } }],
  };
  if (rand() < 0.3) spec['initContainers'] = [container('migrate', rand, hardened)];
  if (!hardened && rand() < 0.1) {
    spec['hostNetwork'] = true;
    (spec['volumes'] as unknown[]).push({ name: 'host', hostPath: { path: '/var/log' } });
  }
  if (hardened) spec['securityContext'] = { runAsUser: 10001, fsGroup: 10001, seccompProfile: { type: 'RuntimeDefault' } };
  return spec;
}

export function generateWorkload(index: number): Record<string, unknown> {
  const rand = random(index + 1);
  const kind = KINDS[index % KINDS.length]!;
  const app = `svc-${index}`;
  const labels = { 'app.kubernetes.io/name': app, 'app.kubernetes.io/part-of': `shop-${index % 37}` };
  const metadata = { name: app, namespace: `team-${index % 50}`, labels };
  const template = { metadata: { labels }, spec: podSpec(app, rand) };
  const apiVersion = kind === 'Pod' ? 'v1' : kind === 'Job' || kind === 'CronJob' ? 'batch/v1' : 'apps/v1';
  switch (kind) {
    case 'Pod':
      return { apiVersion, kind, metadata, spec: template.spec };
    case 'Job':
      return { apiVersion, kind, metadata, spec: { template: { ...template, spec: { ...template.spec, restartPolicy: 'Never' } } } };
    case 'CronJob':
      return {
        apiVersion,
        kind,
        metadata,
        spec: { schedule: '*/5 * * * *', jobTemplate: { spec: { template: { ...template, spec: { ...template.spec, restartPolicy: 'OnFailure' } } } } },
      };
    default:
      return { apiVersion, kind, metadata, spec: { replicas: 2, selector: { matchLabels: labels }, template } };
  }
}
