/**
 * A namespace's Pod Security admission policy from its `pod-security.kubernetes.io/*` labels, resolved as
 * k8s.io/pod-security-admission does (api/helpers.go, PolicyToEvaluate):
 *
 * - a missing level label means the admission default: `privileged` (clusters can change the default in their
 *   AdmissionConfiguration, which is not visible here); a missing version label means `latest`;
 * - an invalid enforce level fails closed (`restricted`), an invalid audit or warn level fails open (`privileged`);
 * - an invalid version is `latest`; versions must be `latest` or `v1.N` exactly;
 * - `latest` is the version the caller says it is (the cluster's minor version), and a pinned version newer than
 *   that is evaluated as it, as an older API server evaluates a label naming a newer version.
 */
import type { FieldPath } from '../core/model/field-path.js';
import type { PssVersion } from '../core/model/check-context.js';
import type { PssLevel } from '../core/model/report.js';
import { asRecord } from '../core/model/untrusted-value.js';

export const POD_SECURITY_MODES = ['enforce', 'audit', 'warn'] as const;
export type PodSecurityMode = (typeof POD_SECURITY_MODES)[number];

const LABEL_PREFIX = 'pod-security.kubernetes.io/';
const LEVELS: readonly string[] = ['privileged', 'baseline', 'restricted'];
const VERSION = /^v1\.([0-9]|[1-9][0-9]*)$/;

export interface ModePolicy {
  levelLabel?: string;
  versionLabel?: string;
  level: PssLevel;
  version: PssVersion;
}

export interface LabelProblem {
  path: FieldPath;
  message: string;
}

export type NamespacePolicy = Record<PodSecurityMode, ModePolicy>;

/** The policy of each mode, and what is wrong with the labels (admission rejects such labels on namespace writes). */
export function podSecurityPolicyOf(labels: unknown, latest: PssVersion): { policy: NamespacePolicy; problems: LabelProblem[] } {
  const problems: LabelProblem[] = [];
  const record = asRecord(labels) ?? {};
  const read = (key: string): string | undefined => {
    if (!Object.prototype.hasOwnProperty.call(record, key)) return undefined;
    const value = record[key];
    if (typeof value === 'string') return value;
    problems.push({ path: ['metadata', 'labels', key], message: `label value must be a string, got ${JSON.stringify(value)}` });
    return undefined;
  };
  const policy = {} as NamespacePolicy;
  for (const mode of POD_SECURITY_MODES) {
    const levelKey = `${LABEL_PREFIX}${mode}`;
    const versionKey = `${levelKey}-version`;
    const levelLabel = read(levelKey);
    const versionLabel = read(versionKey);
    let level: PssLevel = 'privileged';
    if (levelLabel !== undefined) {
      if (LEVELS.includes(levelLabel)) level = levelLabel as PssLevel;
      else {
        level = mode === 'enforce' ? 'restricted' : 'privileged';
        problems.push({
          path: ['metadata', 'labels', levelKey],
          message:
            `"${levelLabel}" is not a Pod Security level (privileged, baseline or restricted); ` +
            `admission treats an invalid ${mode} level as ${level}`,
        });
      }
    }
    let version = latest;
    if (versionLabel !== undefined && versionLabel !== 'latest') {
      const match = VERSION.exec(versionLabel);
      if (match) version = { major: 1, minor: Math.min(Number(match[1]), latest.minor) };
      else {
        problems.push({
          path: ['metadata', 'labels', versionKey],
          message: `"${versionLabel}" is not a Pod Security version: expected "latest" or v1.N (admission uses latest)`,
        });
      }
    }
    const entry: ModePolicy = { level, version };
    if (levelLabel !== undefined) entry.levelLabel = levelLabel;
    if (versionLabel !== undefined) entry.versionLabel = versionLabel;
    policy[mode] = entry;
  }
  return { policy, problems };
}
