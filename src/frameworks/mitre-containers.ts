/**
 * MITRE ATT&CK for Containers (Enterprise matrix, Containers platform): the techniques a check helps prevent or
 * detect the preconditions of. A control is a technique (or sub-technique) id with its ATT&CK name; a check listed
 * under it removes a precondition of the technique (a token to steal, a path to the host, a role to abuse). The one
 * place this mapping lives.
 */
import type { Framework } from './framework.js';

export const mitreContainersFramework: Framework = {
  id: 'mitre-containers',
  name: 'MITRE ATT&CK for Containers',
  version: 'ATT&CK v16',
  url: 'https://attack.mitre.org/matrices/enterprise/containers/',
  controls: [
    {
      id: 'T1078.001',
      title: 'Valid Accounts: Default Accounts',
      checks: [
        'default-service-account-used',
        'default-service-account-automount',
        'default-service-account-binding',
        'anonymous-access-binding',
      ],
    },
    {
      id: 'T1098.006',
      title: 'Account Manipulation: Additional Container Cluster Roles',
      checks: ['cluster-admin-binding', 'rbac-escalation-verbs', 'system-masters-binding'],
    },
    {
      id: 'T1204.003',
      title: 'User Execution: Malicious Image',
      checks: ['untrusted-registry', 'image-tag-latest', 'image-reference-latest', 'image-base-unpinned'],
    },
    {
      id: 'T1525',
      title: 'Implant Internal Image',
      checks: ['image-digest-pinning', 'image-tag-latest', 'image-reference-latest', 'image-base-unpinned'],
    },
    {
      id: 'T1528',
      title: 'Steal Application Access Token',
      checks: [
        'service-account-token-automount',
        'service-account-object-automount',
        'default-service-account-automount',
        'rbac-secret-access',
      ],
    },
    {
      id: 'T1552.001',
      title: 'Unsecured Credentials: Credentials In Files',
      checks: ['hardcoded-credentials-in-env', 'image-secrets-in-layers'],
    },
    {
      id: 'T1552.007',
      title: 'Unsecured Credentials: Container API',
      checks: ['hardcoded-credentials-in-env', 'secrets-in-env', 'rbac-secret-access', 'rbac-wildcard'],
    },
    {
      id: 'T1550.001',
      title: 'Use Alternate Authentication Material: Application Access Token',
      // Approving a CSR mints a client certificate for another identity: credentials the holder uses instead.
      checks: ['rbac-create-service-account-tokens', 'rbac-csr-approval'],
    },
    {
      id: 'T1562.001',
      title: 'Impair Defenses: Disable or Modify Tools',
      checks: ['rbac-webhook-configuration'],
    },
    {
      id: 'T1609',
      title: 'Container Administration Command',
      checks: ['rbac-wildcard', 'rbac-node-proxy', 'container-runtime-socket', 'rbac-pod-exec'],
    },
    {
      id: 'T1610',
      title: 'Deploy Container',
      checks: ['rbac-create-pods', 'rbac-wildcard'],
    },
    {
      id: 'T1611',
      title: 'Escape to Host',
      checks: [
        'privileged-containers',
        'host-namespaces',
        'host-path-volumes',
        'container-runtime-socket',
        'restricted-volume-types',
        'added-capabilities',
        'capabilities-drop-all',
        'allow-privilege-escalation',
        'run-as-non-root',
        'run-as-user-root',
        'seccomp-profile-baseline',
        'seccomp-profile-restricted',
        'apparmor-profile',
        'selinux-options',
        'proc-mount',
        'proc-mount-restricted',
        'unsafe-sysctls',
        'windows-host-process',
        'rbac-create-persistent-volumes',
        'image-runs-as-root',
      ],
    },
    {
      id: 'T1068',
      title: 'Exploitation for Privilege Escalation',
      checks: [
        'allow-privilege-escalation',
        'capabilities-drop-all',
        'run-as-non-root',
        'run-as-user-root',
        'seccomp-profile-baseline',
        'seccomp-profile-restricted',
        'image-runs-as-root',
        'image-setuid-files',
      ],
    },
    {
      id: 'T1190',
      title: 'Exploit Public-Facing Application',
      // An end-of-life OS keeps its known vulnerabilities: exploitable services stay exploitable.
      checks: ['node-port-services', 'exposed-workload-open-to-all', 'image-os-end-of-life'],
    },
    {
      id: 'T1059.004',
      title: 'Command and Scripting Interpreter: Unix Shell',
      checks: ['image-shell-present'],
    },
    {
      id: 'T1105',
      title: 'Ingress Tool Transfer',
      checks: ['image-package-manager-present'],
    },
    {
      id: 'T1046',
      title: 'Network Service Discovery',
      checks: ['namespace-without-network-policy', 'namespace-without-default-deny', 'workload-not-isolated'],
    },
    {
      id: 'T1496',
      title: 'Resource Hijacking',
      checks: ['resource-limits'],
    },
    {
      id: 'T1499',
      title: 'Endpoint Denial of Service',
      checks: ['resource-limits'],
    },
  ],
};
