/**
 * The Aspis profile of a namespace, read from its labels the way PodSecurity admission reads
 * `pod-security.kubernetes.io/*` (k8s.io/pod-security-admission api/helpers.go, PolicyToEvaluate):
 *
 *   aspis.io/enforce: restricted        aspis.io/enforce-version: v1.34
 *   aspis.io/warn: restricted           aspis.io/warn-version: latest
 *   aspis.io/audit: baseline            aspis.io/audit-version: v1.30
 *
 * - A label that is absent takes the cluster default (webhook configuration `defaults`).
 * - An invalid level reads as `restricted` and an invalid version as `latest`, with an error naming the label: a typo
 *   never loosens enforcement.
 * - When `enforce` is set (validly) and is stricter than the warn level, and `warn` is not set, warn follows enforce
 *   (and its version, unless `warn-version` is set), as PodSecurity does.
 */
import type { PssLevel } from '../../core/model/report.js';
import type { PssVersion } from '../../core/model/check-context.js';
import { LATEST_PSS_VERSION, formatPssVersion } from '../../core/model/check-context.js';

export const PROFILE_LABEL_PREFIX = 'aspis.io/';
export const MODES = ['enforce', 'warn', 'audit'] as const;
export type Mode = (typeof MODES)[number];
export const LEVELS: readonly PssLevel[] = ['privileged', 'baseline', 'restricted'];

/** A level at a policy version; `version` is "latest" or v1.N as written. */
export interface LevelVersion {
  level: PssLevel;
  version: PssVersion;
  /** How the version was written (`latest` or `v1.30`), for messages. */
  versionText: string;
}

export type Profile = Record<Mode, LevelVersion>;

export interface ProfileError {
  label: string;
  value: string;
  message: string;
}

const VERSION = /^v1\.(0|[1-9][0-9]*)$/;

export function parseLevel(text: string): PssLevel | undefined {
  return (LEVELS as readonly string[]).includes(text) ? (text as PssLevel) : undefined;
}

/** "latest" or v1.N (no leading zeros, as PodSecurity requires); versions newer than Aspis knows evaluate as its newest. */
export function parseProfileVersion(text: string): PssVersion | undefined {
  if (text === 'latest') return LATEST_PSS_VERSION;
  const match = VERSION.exec(text);
  if (!match) return undefined;
  return { major: 1, minor: Math.min(Number(match[1]), LATEST_PSS_VERSION.minor) };
}

export function levelRank(level: PssLevel): number {
  return LEVELS.indexOf(level);
}

export function formatLevelVersion(value: LevelVersion): string {
  return `${value.level}:${value.versionText}`;
}

/** A stable key for caching evaluations by level and (effective) version. */
export function levelVersionKey(value: LevelVersion): string {
  return `${value.level}:${formatPssVersion(value.version)}`;
}

export function profileOf(labels: Readonly<Record<string, string>> | undefined, defaults: Profile): { profile: Profile; errors: ProfileError[] } {
  const profile: Profile = { enforce: { ...defaults.enforce }, warn: { ...defaults.warn }, audit: { ...defaults.audit } };
  const errors: ProfileError[] = [];
  if (!labels) return { profile, errors };
  let enforceSet = false;
  for (const mode of MODES) {
    const levelLabel = `${PROFILE_LABEL_PREFIX}${mode}`;
    const levelText = labels[levelLabel];
    if (levelText !== undefined) {
      const level = parseLevel(levelText);
      if (level) {
        profile[mode].level = level;
        if (mode === 'enforce') enforceSet = true;
      } else {
        profile[mode].level = 'restricted';
        errors.push({ label: levelLabel, value: levelText, message: `must be one of ${LEVELS.join(', ')}: evaluated as restricted` });
      }
    }
    const versionLabel = `${levelLabel}-version`;
    const versionText = labels[versionLabel];
    if (versionText !== undefined) {
      const version = parseProfileVersion(versionText);
      if (version) profile[mode] = { ...profile[mode], version, versionText };
      else {
        profile[mode] = { ...profile[mode], version: LATEST_PSS_VERSION, versionText: 'latest' };
        errors.push({ label: versionLabel, value: versionText, message: 'must be "latest" or v1.N: evaluated as latest' });
      }
    }
  }
  const warnLabel = `${PROFILE_LABEL_PREFIX}warn`;
  if (labels[warnLabel] === undefined && enforceSet && levelRank(profile.enforce.level) > levelRank(profile.warn.level)) {
    profile.warn.level = profile.enforce.level;
    if (labels[`${warnLabel}-version`] === undefined) {
      profile.warn.version = profile.enforce.version;
      profile.warn.versionText = profile.enforce.versionText;
    }
  }
  return { profile, errors };
}
