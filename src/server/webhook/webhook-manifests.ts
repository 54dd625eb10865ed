/**
 * Aspis's own Kubernetes manifests for the webhook (`aspis webhook manifests`): Namespace (itself labelled
 * restricted), ServiceAccount, least-privilege RBAC (get/list/watch namespaces, nothing else), ConfigMap with the
 * configuration, Deployment, Service, PodDisruptionBudget, NetworkPolicies (default deny + the webhook's traffic) and the ValidatingWebhookConfiguration
 * (MutatingWebhookConfiguration too when mutation is enabled). The webhook rules list every workload kind from the
 * engine's pod-template table, so a new workload kind is covered without editing this file.
 *
 * These manifests pass Aspis's own restricted profile and checks; what a check would still report is waived on the
 * object with the reason (see test/webhook/webhook-manifests.test.ts).
 */
import { stringify } from 'yaml';
import { POD_TEMPLATE_PATHS } from '../../core/k8s/workload-kinds.js';
import { BREAK_GLASS_ANNOTATION } from './break-glass.js';

export interface WebhookManifestOptions {
  namespace: string;
  service: string;
  image: string;
  /** PEM of the CA that signed the serving certificate: the caBundle. */
  caBundle: string;
  failurePolicy: 'Fail' | 'Ignore';
  /** 1–3 seconds (the apiserver allows up to 30; a slow admission path is one nobody keeps on). */
  timeoutSeconds: number;
  replicas: number;
  /** Also register /mutate (for the checks the webhook configuration lists under `mutate`). */
  mutate: boolean;
  /** Text of the webhook configuration (webhook.yaml) and of .aspis.yaml to ship in the ConfigMap. */
  webhookConfig: string;
  aspisConfig: string;
  /** Secret (type kubernetes.io/tls) holding tls.crt and tls.key, created from `aspis webhook certs` output. */
  tlsSecret: string;
}

export const DEFAULT_WEBHOOK_CONFIG = `# Aspis webhook configuration: see docs/webhook.md
# Namespaces choose their profile with labels (aspis.io/enforce: restricted …); these are the defaults for the rest.
defaults:
  enforce: privileged
  warn: baseline
  audit: restricted
exemptions:
  namespaces: []
  usernames: []
  runtimeClassNames: []
breakGlass:
  enabled: true
failurePolicy: Fail
`;

const PORT = 8443;

function webhookRules() {
  const byGroup = new Map<string, string[]>();
  for (const [kind, { group }] of Object.entries(POD_TEMPLATE_PATHS)) {
    const resources = byGroup.get(group) ?? [];
    resources.push(`${kind.toLowerCase()}s`);
    if (kind === 'Pod') resources.push('pods/ephemeralcontainers');
    byGroup.set(group, resources);
  }
  return [...byGroup].map(([group, resources]) => ({
    apiGroups: [group],
    apiVersions: ['*'],
    operations: ['CREATE', 'UPDATE'],
    resources: resources.sort(),
    scope: 'Namespaced',
  }));
}

export function webhookManifests(options: WebhookManifestOptions): Record<string, unknown>[] {
  const { namespace, service } = options;
  const labels = { 'app.kubernetes.io/name': 'aspis', 'app.kubernetes.io/component': 'webhook' };
  const serviceAccount = `${service}`;
  const caBundle = Buffer.from(options.caBundle).toString('base64');
  const selfUser = `system:serviceaccount:${namespace}:${serviceAccount}`;
  const common = (path: string) => ({
    admissionReviewVersions: ['v1'],
    clientConfig: { service: { name: service, namespace, path, port: 443 }, caBundle },
    rules: webhookRules(),
    failurePolicy: options.failurePolicy,
    matchPolicy: 'Equivalent',
    // Records reviews, but never for dry-run requests.
    sideEffects: 'NoneOnDryRun',
    timeoutSeconds: options.timeoutSeconds,
    namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['kube-system', namespace] }] },
    matchConditions: [{ name: 'not-aspis-itself', expression: `request.userInfo.username != '${selfUser}'` }],
  });

  const objects: Record<string, unknown>[] = [
    {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {
        name: namespace,
        labels: {
          ...labels,
          'pod-security.kubernetes.io/enforce': 'restricted',
          'pod-security.kubernetes.io/enforce-version': 'latest',
          'aspis.io/enforce': 'restricted',
        },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: serviceAccount, namespace, labels },
      automountServiceAccountToken: false,
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'aspis-webhook', labels },
      // Namespace labels decide the profile: read them, nothing else.
      rules: [{ apiGroups: [''], resources: ['namespaces'], verbs: ['get', 'list', 'watch'] }],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'aspis-webhook', labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'aspis-webhook' },
      subjects: [{ kind: 'ServiceAccount', name: serviceAccount, namespace }],
    },
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: `${service}-config`, namespace, labels },
      data: { 'webhook.yaml': options.webhookConfig, '.aspis.yaml': options.aspisConfig },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: service, namespace, labels },
      spec: {
        replicas: options.replicas,
        selector: { matchLabels: labels },
        template: {
          metadata: {
            labels,
            annotations: {
              'waiver.aspis.dev/service-account-token-automount':
                'reason=the webhook reads Namespace labels (get/list/watch namespaces only) with this token; owner=aspis',
            },
          },
          spec: {
            serviceAccountName: serviceAccount,
            automountServiceAccountToken: true,
            securityContext: { runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, seccompProfile: { type: 'RuntimeDefault' } },
            topologySpreadConstraints: [
              { maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: labels } },
            ],
            containers: [
              {
                name: 'webhook',
                image: options.image,
                imagePullPolicy: 'IfNotPresent',
                args: [
                  'webhook',
                  'serve',
                  `--port=${PORT}`,
                  '--cert=/tls/tls.crt',
                  '--key=/tls/tls.key',
                  '--webhook-config=/config/webhook.yaml',
                  '--config=/config/.aspis.yaml',
                ],
                ports: [{ name: 'https', containerPort: PORT, protocol: 'TCP' }],
                readinessProbe: { httpGet: { path: '/readyz', port: 'https', scheme: 'HTTPS' }, periodSeconds: 5 },
                livenessProbe: { httpGet: { path: '/healthz', port: 'https', scheme: 'HTTPS' }, periodSeconds: 10 },
                resources: { requests: { cpu: '250m', memory: '128Mi' }, limits: { cpu: '1', memory: '256Mi' } },
                securityContext: {
                  allowPrivilegeEscalation: false,
                  readOnlyRootFilesystem: true,
                  capabilities: { drop: ['ALL'] },
                },
                volumeMounts: [
                  { name: 'tls', mountPath: '/tls', readOnly: true },
                  { name: 'config', mountPath: '/config', readOnly: true },
                ],
              },
            ],
            // Drain in-flight reviews on shutdown (the server stops within 10 s).
            terminationGracePeriodSeconds: 15,
            volumes: [
              { name: 'tls', secret: { secretName: options.tlsSecret } },
              { name: 'config', configMap: { name: `${service}-config` } },
            ],
          },
        },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: service, namespace, labels },
      spec: { selector: labels, ports: [{ name: 'https', port: 443, targetPort: 'https', protocol: 'TCP' }] },
    },
    {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: { name: service, namespace, labels },
      spec: { minAvailable: 1, selector: { matchLabels: labels } },
    },
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      // Default deny for the namespace: only what the next policy allows reaches or leaves Aspis's pods.
      metadata: { name: 'default-deny', namespace, labels },
      spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
    },
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: service, namespace, labels },
      spec: {
        podSelector: { matchLabels: labels },
        policyTypes: ['Ingress', 'Egress'],
        // The apiserver calls in on the webhook port; the webhook calls the apiserver (443 or 6443) and DNS.
        ingress: [{ ports: [{ port: PORT, protocol: 'TCP' }] }],
        egress: [
          { ports: [{ port: 443, protocol: 'TCP' }, { port: 6443, protocol: 'TCP' }] },
          { ports: [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }] },
        ],
      },
    },
    {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingWebhookConfiguration',
      metadata: { name: 'aspis-webhook', labels, annotations: { 'aspis.io/break-glass-annotation': BREAK_GLASS_ANNOTATION } },
      webhooks: [{ name: 'validate.aspis.io', ...common('/validate') }],
    },
  ];
  if (options.mutate) {
    objects.push({
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'MutatingWebhookConfiguration',
      metadata: { name: 'aspis-webhook', labels },
      webhooks: [{ name: 'mutate.aspis.io', reinvocationPolicy: 'Never', ...common('/mutate') }],
    });
  }
  return objects;
}

export function manifestsYaml(objects: readonly Record<string, unknown>[]): string {
  return objects.map((object) => stringify(object, { lineWidth: 0 })).join('---\n');
}
