import type { Violation, WorkloadCheck } from '../../../core/model/check.js';

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export const check: WorkloadCheck = {
  id: 'secrets-in-env',
  title: 'Secrets exposed as environment variables',
  severity: 'low',
  category: 'workload',
  target: { workloads: true },
  rationale:
    'Environment variables are inherited by every child process, printed by crash handlers and debug endpoints, ' +
    'copied into logs, and readable from /proc by processes of the same user; they cannot be rotated without a ' +
    'restart. A Secret mounted as a file (mode 0400, in memory) avoids most of this and is updated in place. Only ' +
    'the names of the Secret, key and variable are reported, never a value.',
  remediation:
    'Mount the Secret as a volume (secret volume or projected volume) and let the application read the file; replace ' +
    'env[].valueFrom.secretKeyRef and envFrom[].secretRef.',
  references: [
    'https://www.cisecurity.org/benchmark/kubernetes',
    'https://kubernetes.io/docs/concepts/security/secrets-good-practices/',
    'https://kubernetes.io/docs/concepts/configuration/secret/#using-secrets-as-files-from-a-pod',
  ],
  evaluate(workload) {
    const violations: Violation[] = [];
    for (const c of workload.containers) {
      const env = c.container['env'];
      if (Array.isArray(env)) {
        env.forEach((entry, i) => {
          if (!isRecord(entry) || !isRecord(entry['valueFrom'])) return;
          const ref = entry['valueFrom']['secretKeyRef'];
          if (!isRecord(ref)) return;
          const variable = text(entry['name']) ?? `env[${i}]`;
          const secret = text(ref['name']) ?? '';
          const key = text(ref['key']) ?? '';
          violations.push({
            path: [...c.path, 'env', i, 'valueFrom', 'secretKeyRef'],
            message: `container "${c.name}" exposes key "${key}" of Secret "${secret}" as environment variable "${variable}"`,
            evidence: { variable, secret, key },
          });
        });
      }
      const envFrom = c.container['envFrom'];
      if (Array.isArray(envFrom)) {
        envFrom.forEach((entry, i) => {
          if (!isRecord(entry) || !isRecord(entry['secretRef'])) return;
          const secret = text(entry['secretRef']['name']) ?? '';
          const prefix = text(entry['prefix']);
          violations.push({
            path: [...c.path, 'envFrom', i, 'secretRef'],
            message: `container "${c.name}" exposes every key of Secret "${secret}" as environment variables`,
            evidence: prefix ? { secret, prefix } : { secret },
          });
        });
      }
    }
    return violations;
  },
};
