/**
 * A namespace's Pod Security labels against what its workloads already satisfy:
 *
 * - `laxer`: every workload satisfies a stricter level than the enforce label (or the unlabelled default, privileged)
 *   allows — the namespace can be hardened to `satisfied` without rejecting anything running today;
 * - `stricter`: some workloads do not satisfy the enforce level — their pods are rejected when next created (a
 *   rollout, a node drain, a Job run); they are listed in `enforce.violations`;
 * - `matches`, `no-workloads`, and `labels-unknown` when the Namespace object was not read (its labels live elsewhere).
 *
 * Each mode is evaluated at its own version. Workloads are evaluated when read, at the inventory's version and at the
 * versions their namespace pins if it was read before them; a namespace read after its workloads that pins another
 * version is evaluated at the inventory's version instead, and says so (`evaluatedAt`).
 */
import type { PssVersion } from '../core/model/check-context.js';
import { formatPssVersion } from '../core/model/check-context.js';
import type { PssLevel } from '../core/model/report.js';
import type { ResourceRef } from '../core/model/resource.js';
import type { NamespacePodSecurity, PodSecurityModeEntry } from './inventory.js';
import type { OwnerChains } from './owner-chains.js';
import type { ModePolicy, NamespacePolicy } from './pod-security-labels.js';
import { POD_SECURITY_MODES } from './pod-security-labels.js';
import type { WorkloadRecord } from './workload-record.js';
import { levelAtVersion } from './workload-record.js';

const RANK: Readonly<Record<PssLevel, number>> = { privileged: 0, baseline: 1, restricted: 2 };

export function isStricter(a: PssLevel, b: PssLevel): boolean {
  return RANK[a] > RANK[b];
}

export function assessNamespace(
  policy: NamespacePolicy | undefined,
  members: readonly number[],
  records: readonly WorkloadRecord[],
  chains: OwnerChains,
  latest: PssVersion,
  sortRefs: (indices: number[]) => ResourceRef[],
): NamespacePodSecurity {
  /** The version the namespace's workloads can be evaluated at for a mode: its own when all were, else the inventory's. */
  const evaluationVersion = (version: PssVersion): PssVersion =>
    members.every((index) => levelAtVersion(records[index]!, version, latest) !== undefined) ? version : latest;
  const levelAt = (index: number, version: PssVersion): PssLevel => levelAtVersion(records[index]!, version, latest)!;

  const enforceVersion = policy ? evaluationVersion(policy.enforce.version) : latest;
  let satisfied: PssLevel | undefined;
  for (const index of members) {
    const level = levelAt(index, enforceVersion);
    if (satisfied === undefined || isStricter(satisfied, level)) satisfied = level;
  }

  const result: NamespacePodSecurity = {
    ...(satisfied !== undefined ? { satisfied } : {}),
    assessment: assessment(policy?.enforce.level, satisfied, policy !== undefined),
  };
  if (!policy) return result;
  for (const mode of POD_SECURITY_MODES) {
    result[mode] = modeEntry(policy[mode], evaluationVersion(policy[mode].version), members, chains, levelAt, sortRefs);
  }
  return result;
}

function assessment(enforce: PssLevel | undefined, satisfied: PssLevel | undefined, labelsKnown: boolean): NamespacePodSecurity['assessment'] {
  if (satisfied === undefined) return 'no-workloads';
  if (!labelsKnown || enforce === undefined) return 'labels-unknown';
  if (isStricter(enforce, satisfied)) return 'stricter';
  return isStricter(satisfied, enforce) ? 'laxer' : 'matches';
}

function modeEntry(
  mode: ModePolicy,
  evaluatedAt: PssVersion,
  members: readonly number[],
  chains: OwnerChains,
  levelAt: (index: number, version: PssVersion) => PssLevel,
  sortRefs: (indices: number[]) => ResourceRef[],
): PodSecurityModeEntry {
  const violates = (index: number) => isStricter(mode.level, levelAt(index, evaluatedAt));
  const violating = members.filter(violates);
  const entry: PodSecurityModeEntry = {
    ...(mode.levelLabel !== undefined ? { levelLabel: mode.levelLabel } : {}),
    ...(mode.versionLabel !== undefined ? { versionLabel: mode.versionLabel } : {}),
    level: mode.level,
    version: formatPssVersion(mode.version),
    ...(evaluatedAt.minor !== mode.version.minor ? { evaluatedAt: formatPssVersion(evaluatedAt) } : {}),
    violations: sortRefs(chains.topMost(violating, violates)),
  };
  return entry;
}
