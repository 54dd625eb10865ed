/**
 * The admission decision for one request: which profile applies (namespace labels over cluster defaults), whether
 * the request is exempt or needs no evaluation, which checks fail in each mode, which findings a waiver covers, and
 * whether break-glass admits what enforce would deny. No I/O: the namespace labels and the time come in as
 * arguments, so the same request gives the same decision in the server, the tests and `aspis policy simulate`.
 */
import type { Check } from '../../core/model/check.js';
import type { CheckContext } from '../../core/model/check-context.js';
import type { Finding } from '../../core/model/finding.js';
import type { Resource } from '../../core/model/resource.js';
import type { Waiver } from '../../core/model/waiver.js';
import { formatFieldPath } from '../../core/model/field-path.js';
import { runChecks } from '../../core/engine/run-checks.js';
import type { RawFinding } from '../../core/engine/run-checks.js';
import { applyWaivers } from '../../core/engine/apply-waivers.js';
import { annotationWaivers } from '../../core/engine/annotation-waivers.js';
import { workloadOf } from '../../core/k8s/workload.js';
import { toFinding } from '../../scan/scan-batch.js';
import type { AdmissionRequest } from '../../sources/admission/admission-review.js';
import { admissionResource } from '../../sources/admission/admission-resource.js';
import type { AdmissionPolicy } from './admission-policy.js';
import type { Mode, Profile, ProfileError } from './namespace-profile.js';
import { MODES, formatLevelVersion, levelVersionKey, profileOf } from './namespace-profile.js';
import { isSignificantUpdate } from './significant-update.js';
import { breakGlassOf } from './break-glass.js';
import { evaluateCelPolicies } from './cel-policies.js';
import type { BreakGlass } from './break-glass.js';
import { imageModeOf } from './image-gate.js';
import type { ImageGateMode } from './image-gate.js';
import { IMAGE_SCAN_RULE, imageScanViolations } from './image-scan-gate.js';

/** Pod subresources PodSecurity does not evaluate (they cannot change the pod spec). */
const IGNORED_POD_SUBRESOURCES = new Set(['exec', 'attach', 'binding', 'eviction', 'log', 'portforward', 'proxy', 'status']);

export interface ModeViolation {
  checkId: string;
  /** Formatted field path (`spec.template.spec.containers[0].securityContext.privileged`). */
  path: string;
  message: string;
  /** `restricted:v1.34` for a Pod Security check, `library` for another check of the library, `images` for image gating, `cel`. */
  policy: string;
}

export interface WaivedViolation extends ModeViolation {
  waiver: { reason: string; declaredAt: string; owner?: string };
}

export type SkipReason =
  | 'operation'
  | 'subresource'
  | 'cluster-scoped'
  | 'exempt-namespace'
  | 'exempt-username'
  | 'exempt-runtime-class'
  | 'unchanged';

export interface AdmissionDecision {
  allowed: boolean;
  /** Why nothing was evaluated (the request is allowed). */
  skipped?: SkipReason;
  profile?: Profile;
  profileErrors: ProfileError[];
  /** The namespace's image gating mode, when the configuration gates images. */
  imageMode?: ImageGateMode;
  violations: Record<Mode, ModeViolation[]>;
  waived: WaivedViolation[];
  /** Set when the object asks for break-glass: `used` when it admitted enforce violations. */
  breakGlass?: BreakGlass & { used: boolean };
  /** Checks that threw; with failurePolicy Fail they deny. */
  failures: { checkId: string; message: string }[];
  /** Deny message (allowed: false). */
  message?: string;
  warnings: string[];
  auditAnnotations: Record<string, string>;
  resource?: Resource;
}

function emptyViolations(): Record<Mode, ModeViolation[]> {
  return { enforce: [], warn: [], audit: [] };
}

/** At most this many characters per warning (the apiserver truncates longer ones). */
const WARNING_LIMIT = 256;
/** At most this many warnings per response: the rest is summarised in one line. */
const MAX_WARNINGS = 20;

function truncate(text: string, limit: number): string {
  return text.length <= limit ? text : `${text.slice(0, limit - 1)}…`;
}

function describe(v: ModeViolation): string {
  return `[${v.checkId}] ${v.path}: ${v.message}`;
}

export function evaluateAdmission(
  policy: AdmissionPolicy,
  request: AdmissionRequest,
  namespaceLabels: Readonly<Record<string, string>> | undefined,
  now: Date,
): AdmissionDecision {
  const decision: AdmissionDecision = { allowed: true, profileErrors: [], violations: emptyViolations(), waived: [], failures: [], warnings: [], auditAnnotations: {} };
  const skip = (reason: SkipReason): AdmissionDecision => {
    decision.skipped = reason;
    return decision;
  };
  const exempt = skipReasonOf(policy, request);
  if (exempt) {
    // CEL policies match requests themselves (any kind, operation or subresource); exemptions still apply.
    if (policy.celPolicies && !exempt.startsWith('exempt-')) {
      addCel(decision, policy, request, namespaceLabels);
      if (decision.violations.enforce.length > 0 || decision.violations.warn.length > 0 || decision.violations.audit.length > 0) {
        const resource = admissionResource(request) ?? admissionResource(request, 'oldObject');
        if (resource) decision.resource = resource;
        decide(decision, policy, request, resource ?? { object: {}, ref: { apiVersion: '', kind: request.kind.kind, name: request.name }, origin: { type: 'admission', requestUid: request.uid, operation: request.operation } });
        return decision;
      }
    }
    return skip(exempt);
  }
  const resource = admissionResource(request)!;
  decision.resource = resource;

  const { config } = policy;
  const { profile, errors } = profileOf(namespaceLabels, config.defaults);
  decision.profile = profile;
  decision.profileErrors = errors;
  const images = policy.images;
  let imageMode: ImageGateMode = 'off';
  if (images) {
    const read = imageModeOf(namespaceLabels, images.defaultMode);
    imageMode = decision.imageMode = read.mode;
    if (read.error) errors.push(read.error);
  }
  for (const error of errors) decision.warnings.push(truncate(`namespace "${request.namespace}" label ${error.label}=${JSON.stringify(error.value)} ${error.message}`, WARNING_LIMIT));
  if (policy.celPolicies) addCel(decision, policy, request, namespaceLabels);
  const allPrivileged =
    !policy.celPolicies && imageMode === 'off' && MODES.every((mode) => profile[mode].level === 'privileged' && policy.libraryChecks[mode].length === 0);
  if (allPrivileged && errors.length === 0) return decision;
  if (request.operation === 'UPDATE' && request.oldObject && !isSignificantUpdate(resource.object, request.oldObject)) {
    if (!policy.celPolicies) return skip('unchanged');
    // Only the CEL policies judge an update that leaves the pod template alone.
    decide(decision, policy, request, resource);
    return decision;
  }

  // Run each distinct level:version once, and the library checks once; remember which mode each finding is for.
  const modesOf = new Map<RawFinding, { modes: Mode[]; policy: string }>();
  const raw: RawFinding[] = [];
  const run = (checks: readonly Check[], ctx: CheckContext, modes: Mode[], label: string, only?: (f: RawFinding) => Mode[]) => {
    if (checks.length === 0) return;
    const result = runChecks([resource], checks, ctx);
    for (const failure of result.failures) decision.failures.push({ checkId: failure.checkId, message: failure.message });
    for (const finding of result.findings) {
      const forModes = only ? only(finding) : modes;
      if (forModes.length === 0) continue;
      raw.push(finding);
      modesOf.set(finding, { modes: forModes, policy: label });
    }
  };
  const byKey = new Map<string, Mode[]>();
  for (const mode of MODES) {
    if (profile[mode].level === 'privileged') continue;
    const key = levelVersionKey(profile[mode]);
    const modes = byKey.get(key);
    if (modes) modes.push(mode);
    else byKey.set(key, [mode]);
  }
  for (const modes of byKey.values()) {
    const level = profile[modes[0]!];
    const { checks, ctx } = policy.pssChecks(level);
    run(checks, ctx, modes, formatLevelVersion(level));
  }
  if (policy.libraryUnion.length > 0) {
    const membership = new Map<string, Mode[]>();
    for (const mode of MODES) for (const check of policy.libraryChecks[mode]) membership.set(check.id, [...(membership.get(check.id) ?? []), mode]);
    run(policy.libraryUnion, policy.ctx, [], 'library', (f) => membership.get(f.check.id) ?? []);
  }
  if (images && imageMode !== 'off') run(images.checks, images.ctx, [imageMode], 'images');

  // Waivers: the same .aspis.yaml exceptions as the scanner (and, when enabled, the object's own annotations).
  const waivers: Waiver[] = [...policy.waivers];
  if (config.annotationWaivers) waivers.push(...annotationWaivers(resource, { checks: policy.catalog }));
  let active = raw;
  if (waivers.length > 0 && raw.length > 0) {
    const findings: Finding[] = raw.map((r) => toFinding(r));
    const rawOf = new Map<Finding, RawFinding>(findings.map((f, i) => [f, raw[i]!]));
    const labels = resource.object.metadata?.labels;
    const outcome = applyWaivers(findings, waivers, () => labels, now, { checks: policy.catalog });
    active = outcome.active.map((f) => rawOf.get(f)!);
    // `waived` holds copies: match them back by position among the findings that were not kept active.
    const activeSet = new Set(outcome.active);
    const waivedRaw = findings.filter((f) => !activeSet.has(f));
    outcome.waived.forEach((finding, i) => {
      const source = rawOf.get(waivedRaw[i]!)!;
      const meta = modesOf.get(source)!;
      const w = finding.waiver!;
      decision.waived.push({
        ...violationOf(source, meta.policy),
        waiver: { reason: w.reason, declaredAt: w.declaredAt, ...(w.owner !== undefined ? { owner: w.owner } : {}) },
      });
    });
  }
  for (const finding of active) {
    const meta = modesOf.get(finding)!;
    for (const mode of meta.modes) decision.violations[mode].push(violationOf(finding, meta.policy));
  }
  // Scan results: waived per vulnerability (at scan time or in images.requireScan.waivers), not per check.
  if (images?.scan && imageMode !== 'off') {
    const workload = workloadOf(resource.object);
    if (workload) {
      const { violations, matchedByTag, unscannedAllowed } = imageScanViolations(workload, images.scan.requirement, images.scan.lookup, now);
      for (const v of violations) decision.violations[imageMode].push({ checkId: IMAGE_SCAN_RULE, path: formatFieldPath(v.path), message: v.message, policy: 'images' });
      if (matchedByTag.length > 0) decision.auditAnnotations['image-scan-matched-by-tag'] = truncate(matchedByTag.join(', '), 1024);
      if (unscannedAllowed.length > 0) decision.auditAnnotations['image-scan-unscanned'] = truncate(unscannedAllowed.join(', '), 1024);
    }
  }

  decide(decision, policy, request, resource);
  return decision;
}

function addCel(decision: AdmissionDecision, policy: AdmissionPolicy, request: AdmissionRequest, labels: Readonly<Record<string, string>> | undefined): void {
  const { violations, auditAnnotations } = evaluateCelPolicies(policy.celPolicies!, request, labels);
  for (const v of violations) decision.violations[v.mode].push({ checkId: v.policy, path: v.path, message: v.message, policy: 'cel' });
  Object.assign(decision.auditAnnotations, auditAnnotations);
}

/**
 * Why a request needs no evaluation at all (as PodSecurity admission: other operations, subresources that cannot
 * change the pod spec, cluster-scoped objects, exempt namespaces, users and RuntimeClasses), or undefined.
 */
export function skipReasonOf(policy: AdmissionPolicy, request: AdmissionRequest): SkipReason | undefined {
  if (request.operation !== 'CREATE' && request.operation !== 'UPDATE') return 'operation';
  const isPod = request.kind.kind === 'Pod' && request.kind.group === '';
  if (request.subResource !== '' && (!isPod || IGNORED_POD_SUBRESOURCES.has(request.subResource))) return 'subresource';
  if (request.namespace === '') return 'cluster-scoped';
  const { exemptions } = policy.config;
  if (exemptions.namespaces.includes(request.namespace)) return 'exempt-namespace';
  if (exemptions.usernames.includes(request.userInfo.username)) return 'exempt-username';
  const runtimeClass = request.object ? workloadOf(request.object)?.podSpec['runtimeClassName'] : undefined;
  if (typeof runtimeClass === 'string' && exemptions.runtimeClassNames.includes(runtimeClass)) return 'exempt-runtime-class';
  return undefined;
}

function violationOf(finding: RawFinding, policy: string): ModeViolation {
  return { checkId: finding.check.id, path: formatFieldPath(finding.violation.path), message: finding.violation.message, policy };
}

function decide(decision: AdmissionDecision, policy: AdmissionPolicy, request: AdmissionRequest, resource: Resource): void {
  const { violations, profile } = decision;
  const what = `${resource.ref.kind} "${resource.ref.name}"`;
  const enforceLabel = profile ? formatLevelVersion(profile.enforce) : '';
  const breakGlass = breakGlassOf(resource.object, request.userInfo, policy.config.breakGlass);
  const failed = decision.failures.length > 0 && policy.config.failurePolicy === 'Fail';

  if (violations.enforce.length > 0 || failed) {
    if (breakGlass && breakGlass.permitted) {
      decision.breakGlass = { ...breakGlass, used: true };
      decision.warnings.push(
        truncate(`break-glass by ${request.userInfo.username}: ${violations.enforce.length} enforce violation(s) admitted and recorded (${breakGlass.reason})`, WARNING_LIMIT),
      );
    } else {
      decision.allowed = false;
      const parts: string[] = [];
      if (violations.enforce.length > 0) {
        const images = decision.imageMode === 'enforce' ? ' + image rules' : '';
        parts.push(`${what} violates Aspis policy in namespace "${request.namespace}" (enforce ${enforceLabel}${policy.libraryChecks.enforce.length > 0 ? ' + library checks' : ''}${images}): ${violations.enforce.length} violation(s): ${violations.enforce.map(describe).join('; ')}`);
      }
      if (failed) parts.push(`checks failed (failurePolicy Fail): ${decision.failures.map((f) => `[${f.checkId}] ${f.message}`).join('; ')}`);
      if (breakGlass && !breakGlass.permitted) parts.push(`break-glass refused: ${breakGlass.refusal}`);
      decision.message = parts.join('. ');
    }
  } else if (breakGlass) {
    decision.breakGlass = { ...breakGlass, used: false };
  }
  if (decision.failures.length > 0 && !failed) {
    decision.warnings.push(truncate(`checks failed and were ignored (failurePolicy Ignore): ${decision.failures.map((f) => f.checkId).join(', ')}`, WARNING_LIMIT));
  }

  // As PodSecurity: a request that is denied gets no warnings on top of the denial.
  const warn = decision.allowed ? violations.warn : [];
  const shown = warn.slice(0, MAX_WARNINGS);
  for (const v of shown) decision.warnings.push(truncate(`would violate ${v.policy === 'library' ? 'Aspis library check' : v.policy === 'images' ? 'Aspis image rule' : v.policy === 'cel' ? 'ValidatingAdmissionPolicy' : `Aspis "${v.policy}"`}: ${describe(v)}`, WARNING_LIMIT));
  if (warn.length > shown.length) decision.warnings.push(`…and ${warn.length - shown.length} more warn violation(s)`);

  const audit = violations.audit;
  if (audit.length > 0) {
    decision.auditAnnotations['audit-violations'] = truncate(`${audit.length} violation(s): ${audit.map((v) => `${v.checkId} ${v.path}`).join(', ')}`, 1024);
  }
  if (decision.breakGlass) {
    decision.auditAnnotations['break-glass'] = truncate(`${request.userInfo.username}: ${decision.breakGlass.reason}`, 1024);
  }
  if (decision.waived.length > 0) {
    decision.auditAnnotations['waived'] = truncate(decision.waived.map((w) => `${w.checkId} ${w.path} (${w.waiver.declaredAt})`).join(', '), 1024);
  }
  if (profile) decision.auditAnnotations['enforce-policy'] = enforceLabel;
}
