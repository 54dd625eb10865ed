import type { PatchOperation, Violation, WorkloadCheck } from '../../../core/model/check.js';
import { podSecurityField } from '../../../core/k8s/security-context.js';
import type { PssVersion } from '../../../core/model/check-context.js';
import { jsonPointer } from '../../../core/model/field-path.js';
import { asArray, asRecord } from '../../../core/model/untrusted-value.js';

/** Namespaced, node-isolated sysctls PodSecurity allows, by the policy version that added them. */
const SAFE_SYSCTLS_SINCE: readonly { since: number; names: readonly string[] }[] = [
  {
    since: 0,
    names: [
      'kernel.shm_rmid_forced',
      'net.ipv4.ip_local_port_range',
      'net.ipv4.tcp_syncookies',
      'net.ipv4.ping_group_range',
      'net.ipv4.ip_unprivileged_port_start',
    ],
  },
  { since: 27, names: ['net.ipv4.ip_local_reserved_ports'] },
  { since: 29, names: ['net.ipv4.tcp_keepalive_time', 'net.ipv4.tcp_fin_timeout', 'net.ipv4.tcp_keepalive_intvl', 'net.ipv4.tcp_keepalive_probes'] },
  { since: 32, names: ['net.ipv4.tcp_rmem', 'net.ipv4.tcp_wmem'] },
  { since: 37, names: ['net.ipv4.tcp_slow_start_after_idle', 'net.ipv4.tcp_notsent_lowat'] },
];

/** The allowed set of each minor version asked for, built once: the check runs on every workload. */
const SAFE_BY_MINOR = new Map<number, ReadonlySet<string>>();

/** The sysctls allowed at a policy version. Names are compared exactly (the slash form kernel/shm_rmid_forced is not listed). */
export function safeSysctls(version: PssVersion): ReadonlySet<string> {
  let safe = SAFE_BY_MINOR.get(version.minor);
  if (!safe) {
    safe = new Set(SAFE_SYSCTLS_SINCE.filter((entry) => version.minor >= entry.since).flatMap((entry) => entry.names));
    SAFE_BY_MINOR.set(version.minor, safe);
  }
  return safe;
}

/** PSA check `sysctls` (baseline, v1.0+; allow-list grows at v1.27, v1.29, v1.32 and v1.37). */
export const check: WorkloadCheck = {
  id: 'unsafe-sysctls',
  title: 'Unsafe sysctls',
  severity: 'medium',
  category: 'pod-security',
  target: { workloads: true },
  rationale:
    'Sysctls outside the safe, namespaced set can disable security mechanisms or change kernel behaviour for every pod on the node.',
  remediation:
    'Remove from spec.securityContext.sysctls every sysctl outside the safe set of the policy version (e.g. kernel.shm_rmid_forced, net.ipv4.ip_local_port_range, net.ipv4.ip_unprivileged_port_start, net.ipv4.tcp_syncookies, net.ipv4.ping_group_range).',
  references: [
    'https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline',
    'https://kubernetes.io/docs/tasks/administer-cluster/sysctl-cluster/',
  ],
  evaluate(workload, ctx) {
    const safe = safeSysctls(ctx.pssVersion);
    const field = podSecurityField(workload, 'sysctls');
    const sysctls = asArray(field.value);
    const isSafe = (item: unknown) => {
      const name = asRecord(item)?.['name'];
      return typeof name === 'string' && safe.has(name);
    };
    const kept = sysctls.filter(isSafe);
    const fix: PatchOperation[] =
      kept.length > 0 ? [{ op: 'replace', path: jsonPointer(field.path), value: kept }] : [{ op: 'remove', path: jsonPointer(field.path) }];
    const violations: Violation[] = [];
    sysctls.forEach((item, index) => {
      if (isSafe(item)) return;
      const name = asRecord(item)?.['name'];
      violations.push({
        path: [...field.path, index, 'name'],
        message: `forbidden sysctl: pod must not set sysctl ${JSON.stringify(name ?? '')}`,
        evidence: name,
        fix,
      });
    });
    return violations;
  },
};
