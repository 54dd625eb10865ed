/**
 * NSA/CISA Kubernetes Hardening Guide, version 1.2 (August 2022): the recommendations that can be decided from
 * Kubernetes objects, and the checks that evidence them. The guide does not number its recommendations; control ids
 * are stable slugs of the guide section (`pod.*` Kubernetes Pod security, `network.*` Network separation and
 * hardening, `authn.*`/`authz.*` Authentication and authorization). The one place this mapping lives.
 */
import type { Framework } from './framework.js';

export const nsaCisaFramework: Framework = {
  id: 'nsa-cisa-1.2',
  name: 'NSA/CISA Kubernetes Hardening Guide',
  version: '1.2',
  url: 'https://media.defense.gov/2022/Aug/29/2003066362/-1/-1/0/CTR_KUBERNETES_HARDENING_GUIDANCE_1.2_20220829.PDF',
  controls: [
    {
      id: 'pod.non-root-containers',
      title: 'Pod security: use containers built to run applications as non-root users',
      checks: ['run-as-non-root', 'run-as-user-root', 'image-runs-as-root'],
    },
    {
      id: 'pod.immutable-filesystems',
      title: 'Pod security: use immutable container file systems',
      checks: ['readonly-root-filesystem'],
    },
    {
      id: 'pod.secure-images',
      title: 'Pod security: build and use secure container images from trusted repositories',
      checks: [
        'untrusted-registry',
        'image-tag-latest',
        'image-digest-pinning',
        'image-reference-latest',
        'image-base-unpinned',
        'image-os-end-of-life',
        'image-shell-present',
        'image-package-manager-present',
        'image-secrets-in-layers',
      ],
    },
    {
      id: 'pod.privileged-containers',
      title: 'Pod security enforcement: prevent privileged containers',
      checks: ['privileged-containers', 'windows-host-process'],
    },
    {
      id: 'pod.privilege-escalation',
      title: 'Pod security enforcement: prevent privilege escalation',
      checks: ['allow-privilege-escalation', 'image-setuid-files'],
    },
    {
      id: 'pod.host-access',
      title: 'Pod security enforcement: restrict host namespaces, host ports and host file system access',
      checks: [
        'host-namespaces',
        'host-ports',
        'host-path-volumes',
        'container-runtime-socket',
        'restricted-volume-types',
        'host-probes-lifecycle',
      ],
    },
    {
      id: 'pod.capabilities',
      title: 'Pod security enforcement: drop Linux capabilities the container does not need',
      checks: ['added-capabilities', 'capabilities-drop-all'],
    },
    {
      id: 'pod.kernel-hardening',
      title: 'Hardening container environments: seccomp, AppArmor, SELinux, /proc and sysctls',
      checks: [
        'seccomp-profile-baseline',
        'seccomp-profile-restricted',
        'apparmor-profile',
        'selinux-options',
        'proc-mount',
        'proc-mount-restricted',
        'unsafe-sysctls',
      ],
    },
    {
      id: 'pod.service-account-tokens',
      title: 'Protecting Pod service account tokens: disable automounting where not needed',
      checks: ['service-account-token-automount', 'service-account-object-automount', 'default-service-account-automount'],
    },
    {
      id: 'network.namespaces',
      title: 'Network separation: use namespaces to separate resources',
      checks: ['default-namespace'],
    },
    {
      id: 'network.network-policies',
      title: 'Network separation: use network policies (default deny) in every namespace',
      checks: [
        'namespace-without-network-policy',
        'namespace-without-default-deny',
        'workload-not-isolated',
        'network-policy-selects-nothing',
        'network-policy-rule-never-matches',
      ],
    },
    {
      id: 'network.resource-policies',
      title: 'Resource policies: set resource requests and limits',
      checks: ['resource-limits'],
    },
    {
      id: 'network.secrets',
      title: 'Secrets: keep sensitive information in Secrets, not in manifests or environment variables',
      checks: ['hardcoded-credentials-in-env', 'secrets-in-env', 'image-secrets-in-layers'],
    },
    {
      id: 'authn.anonymous-access',
      title: 'Authentication: disable anonymous access to the API server',
      checks: ['anonymous-access-binding'],
    },
    {
      id: 'authz.rbac-least-privilege',
      title: 'Role-based access control: grant least privilege to users, groups and service accounts',
      checks: [
        'cluster-admin-binding',
        'rbac-wildcard',
        'rbac-secret-access',
        'rbac-create-pods',
        'rbac-escalation-verbs',
        'rbac-create-persistent-volumes',
        'rbac-node-proxy',
        'rbac-csr-approval',
        'rbac-webhook-configuration',
        'rbac-create-service-account-tokens',
        'system-masters-binding',
        'default-service-account-used',
        'default-service-account-binding',
      ],
    },
  ],
};
