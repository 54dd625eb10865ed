/**
 * Pod Security Standards: the controls, which Aspis check implements each PodSecurity admission (PSA) check, and at
 * which level and from which policy version each applies. The one place this mapping lives.
 *
 * Evaluation follows k8s.io/pod-security-admission (policy/registry.go): a level+version selects, for every check
 * registered at that version, its implementation for that version; restricted is every baseline check plus the
 * restricted checks, minus the baseline checks a restricted check overrides at that version. Versions newer than
 * the newest known one are evaluated as the newest; `privileged` allows everything.
 */
import type { Violation, WorkloadCheck } from '../core/model/check.js';
import { defaultCheckContext, LATEST_PSS_VERSION } from '../core/model/check-context.js';
import type { CheckContext, PssVersion } from '../core/model/check-context.js';
import type { Workload } from '../core/k8s/workload.js';
import type { PssLevel } from '../core/model/report.js';
import type { Control, Framework } from './framework.js';
import { check as addedCapabilities } from '../checks/pod-security/added-capabilities/check.js';
import { check as allowPrivilegeEscalation } from '../checks/pod-security/allow-privilege-escalation/check.js';
import { check as apparmorProfile } from '../checks/pod-security/apparmor-profile/check.js';
import { check as capabilitiesDropAll } from '../checks/pod-security/capabilities-drop-all/check.js';
import { check as hostNamespaces } from '../checks/pod-security/host-namespaces/check.js';
import { check as hostPathVolumes } from '../checks/pod-security/host-path-volumes/check.js';
import { check as hostPorts } from '../checks/pod-security/host-ports/check.js';
import { check as hostProbesLifecycle } from '../checks/pod-security/host-probes-lifecycle/check.js';
import { check as privilegedContainers } from '../checks/pod-security/privileged-containers/check.js';
import { check as procMount } from '../checks/pod-security/proc-mount/check.js';
import { check as procMountRestricted } from '../checks/pod-security/proc-mount-restricted/check.js';
import { check as restrictedVolumeTypes } from '../checks/pod-security/restricted-volume-types/check.js';
import { check as runAsNonRoot } from '../checks/pod-security/run-as-non-root/check.js';
import { check as runAsUserRoot } from '../checks/pod-security/run-as-user-root/check.js';
import { check as seccompProfileBaseline } from '../checks/pod-security/seccomp-profile-baseline/check.js';
import { check as seccompProfileRestricted } from '../checks/pod-security/seccomp-profile-restricted/check.js';
import { check as selinuxOptions } from '../checks/pod-security/selinux-options/check.js';
import { check as unsafeSysctls } from '../checks/pod-security/unsafe-sysctls/check.js';
import { check as windowsHostProcess } from '../checks/pod-security/windows-host-process/check.js';

/** The two levels that restrict anything (`privileged` is unrestricted). */
export type PssEnforcedLevel = Exclude<PssLevel, 'privileged'>;

/** One PodSecurity admission check and the Aspis check that implements it. */
export interface PssCheckEntry {
  /** The check ID in k8s.io/pod-security-admission (policy/check_*.go), e.g. `hostPathVolumes`. */
  psaId: string;
  check: WorkloadCheck;
  level: PssEnforcedLevel;
  /** First policy minor version (v1.N) the check applies at. Version-dependent behaviour after that lives in the check. */
  since: number;
  /** Restricted only: baseline PSA check IDs this check replaces at restricted, from `since`. */
  overrides?: readonly string[];
}

/**
 * The level/version table. Overrides start when the overriding check starts (true of every upstream override), so
 * before v1.19 restricted still runs the baseline seccomp annotation check, and before v1.22 the baseline
 * capabilities check.
 */
export const PSS_CHECKS: readonly PssCheckEntry[] = [
  { psaId: 'privileged', check: privilegedContainers, level: 'baseline', since: 0 },
  { psaId: 'hostNamespaces', check: hostNamespaces, level: 'baseline', since: 0 },
  { psaId: 'hostPathVolumes', check: hostPathVolumes, level: 'baseline', since: 0 },
  { psaId: 'hostPorts', check: hostPorts, level: 'baseline', since: 0 },
  { psaId: 'capabilities_baseline', check: addedCapabilities, level: 'baseline', since: 0 },
  { psaId: 'appArmorProfile', check: apparmorProfile, level: 'baseline', since: 0 },
  { psaId: 'seLinuxOptions', check: selinuxOptions, level: 'baseline', since: 0 },
  { psaId: 'procMount', check: procMount, level: 'baseline', since: 0 },
  { psaId: 'seccompProfile_baseline', check: seccompProfileBaseline, level: 'baseline', since: 0 },
  { psaId: 'sysctls', check: unsafeSysctls, level: 'baseline', since: 0 },
  { psaId: 'windowsHostProcess', check: windowsHostProcess, level: 'baseline', since: 0 },
  { psaId: 'hostProbesAndHostLifecycle', check: hostProbesLifecycle, level: 'baseline', since: 34 },
  { psaId: 'restrictedVolumes', check: restrictedVolumeTypes, level: 'restricted', since: 0, overrides: ['hostPathVolumes'] },
  { psaId: 'runAsNonRoot', check: runAsNonRoot, level: 'restricted', since: 0 },
  { psaId: 'allowPrivilegeEscalation', check: allowPrivilegeEscalation, level: 'restricted', since: 8 },
  {
    psaId: 'seccompProfile_restricted',
    check: seccompProfileRestricted,
    level: 'restricted',
    since: 19,
    overrides: ['seccompProfile_baseline'],
  },
  {
    psaId: 'capabilities_restricted',
    check: capabilitiesDropAll,
    level: 'restricted',
    since: 22,
    overrides: ['capabilities_baseline'],
  },
  { psaId: 'runAsUser', check: runAsUserRoot, level: 'restricted', since: 23 },
  { psaId: 'procMount_restricted', check: procMountRestricted, level: 'restricted', since: 35, overrides: ['procMount'] },
];

const BY_PSA_ID = new Map(PSS_CHECKS.map((entry) => [entry.psaId, entry]));
const BY_CHECK_ID = new Map(PSS_CHECKS.map((entry) => [entry.check.id, entry]));

/** The Aspis check id implementing a PSA check id (`hostPathVolumes` → `host-path-volumes`), or undefined. */
export function aspisCheckIdOf(psaId: string): string | undefined {
  return BY_PSA_ID.get(psaId)?.check.id;
}

/** The PSA check id an Aspis check implements, or undefined when it is not a Pod Security check. */
export function psaCheckIdOf(checkId: string): string | undefined {
  return BY_CHECK_ID.get(checkId)?.psaId;
}

/** Versions above the newest known one evaluate as the newest, as PodSecurity admission does. */
function clamp(version: PssVersion): PssVersion {
  return version.minor > LATEST_PSS_VERSION.minor ? LATEST_PSS_VERSION : version;
}

/** The table entries in force at a level and version (restricted includes the non-overridden baseline checks). */
export function pssEntriesFor(level: PssEnforcedLevel, version: PssVersion): PssCheckEntry[] {
  const { minor } = clamp(version);
  const key = `${level}@${minor}`;
  let entries = ENTRIES_BY_LEVEL.get(key);
  if (!entries) {
    const active = PSS_CHECKS.filter((entry) => entry.since <= minor && (level === 'restricted' || entry.level === 'baseline'));
    const overridden = new Set(active.filter((entry) => entry.level === 'restricted').flatMap((entry) => entry.overrides ?? []));
    entries = active.filter((entry) => !overridden.has(entry.psaId));
    ENTRIES_BY_LEVEL.set(key, entries);
  }
  return [...entries];
}

/** pssEntriesFor's answers, computed once per level and version: admission and scans ask for every workload. */
const ENTRIES_BY_LEVEL = new Map<string, readonly PssCheckEntry[]>();

/** The Aspis checks that make up a level at a policy version. */
export function pssChecksFor(level: PssEnforcedLevel, version: PssVersion): WorkloadCheck[] {
  return pssEntriesFor(level, version).map((entry) => entry.check);
}

/** The restricted PSA check that replaces `psaId` at restricted for that version, if any (e.g. hostPathVolumes → restrictedVolumes). */
export function pssOverriderOf(psaId: string, version: PssVersion): string | undefined {
  const { minor } = clamp(version);
  return PSS_CHECKS.find((entry) => entry.since <= minor && entry.overrides?.includes(psaId))?.psaId;
}

export interface PssViolation {
  checkId: string;
  violation: Violation;
}

function contextFor(version: PssVersion): CheckContext {
  return { ...defaultCheckContext(), pssVersion: clamp(version) };
}

/** Every violation of the level at the version (empty: the pod would be admitted). `privileged` allows everything. */
export function pssEvaluate(workload: Workload, level: PssLevel, version: PssVersion): PssViolation[] {
  if (level === 'privileged') return [];
  const ctx = contextFor(version);
  return pssChecksFor(level, version).flatMap((check) => check.evaluate(workload, ctx).map((violation) => ({ checkId: check.id, violation })));
}

/**
 * The strictest level the workload's pod spec satisfies at the version. Restricted also requires baseline: with
 * overrides and the Windows exemptions a pod API validation would reject (e.g. a Windows pod adding capabilities)
 * can pass PSA's restricted checks while failing baseline; such a pod is reported as privileged.
 */
export function pssLevelOf(workload: Workload, version: PssVersion): PssLevel {
  const ctx = contextFor(version);
  return pssLevelFrom((check) => check.evaluate(workload, ctx).length > 0, version);
}

/**
 * The same level computed from an answer per check ("does this check fail on the workload?"), so a scan that
 * already ran the Pod Security checks derives the level from its findings instead of evaluating twice.
 */
export function pssLevelFrom(fails: (check: WorkloadCheck) => boolean, version: PssVersion): PssLevel {
  if (pssChecksFor('baseline', version).some(fails)) return 'privileged';
  return pssChecksFor('restricted', version).some(fails) ? 'baseline' : 'restricted';
}

/** PSS controls as the standard names them, each with the checks that evidence it. */
const CONTROLS: readonly Control[] = [
  { id: 'baseline-host-process', title: 'Baseline: HostProcess', checks: ['windows-host-process'] },
  { id: 'baseline-host-namespaces', title: 'Baseline: Host Namespaces', checks: ['host-namespaces'] },
  { id: 'baseline-privileged-containers', title: 'Baseline: Privileged Containers', checks: ['privileged-containers'] },
  { id: 'baseline-capabilities', title: 'Baseline: Capabilities', checks: ['added-capabilities'] },
  { id: 'baseline-hostpath-volumes', title: 'Baseline: HostPath Volumes', checks: ['host-path-volumes'] },
  { id: 'baseline-host-ports', title: 'Baseline: Host Ports', checks: ['host-ports'] },
  { id: 'baseline-host-probes-lifecycle-hooks', title: 'Baseline: Host Probes / Lifecycle Hooks (v1.34+)', checks: ['host-probes-lifecycle'] },
  { id: 'baseline-apparmor', title: 'Baseline: AppArmor', checks: ['apparmor-profile'] },
  { id: 'baseline-selinux', title: 'Baseline: SELinux', checks: ['selinux-options'] },
  { id: 'baseline-proc-mount-type', title: 'Baseline: /proc Mount Type', checks: ['proc-mount'] },
  { id: 'baseline-seccomp', title: 'Baseline: Seccomp', checks: ['seccomp-profile-baseline'] },
  { id: 'baseline-sysctls', title: 'Baseline: Sysctls', checks: ['unsafe-sysctls'] },
  { id: 'restricted-volume-types', title: 'Restricted: Volume Types', checks: ['restricted-volume-types'] },
  { id: 'restricted-privilege-escalation', title: 'Restricted: Privilege Escalation (v1.8+)', checks: ['allow-privilege-escalation'] },
  { id: 'restricted-running-as-non-root', title: 'Restricted: Running as Non-root', checks: ['run-as-non-root'] },
  { id: 'restricted-running-as-non-root-user', title: 'Restricted: Running as Non-root user (v1.23+)', checks: ['run-as-user-root'] },
  { id: 'restricted-seccomp', title: 'Restricted: Seccomp (v1.19+)', checks: ['seccomp-profile-restricted'] },
  { id: 'restricted-capabilities', title: 'Restricted: Capabilities (v1.22+)', checks: ['capabilities-drop-all'] },
  { id: 'restricted-proc-mount-type', title: 'Restricted: /proc Mount Type (v1.35+)', checks: ['proc-mount-restricted'] },
];

export const pssFramework: Framework = {
  id: 'pss',
  name: 'Kubernetes Pod Security Standards',
  version: `v1.${LATEST_PSS_VERSION.minor}`,
  url: 'https://kubernetes.io/docs/concepts/security/pod-security-standards/',
  controls: CONTROLS,
};
