/**
 * How `aspis rbac` shows its answers: text for people (each grant as binding → role → rule with file:line) and JSON
 * with the same content for programs.
 */
import type { Decision, Grant } from '../../rbac/can-i.js';
import type { EscalationPath, EscalationStep, PermissionUse } from '../../rbac/escalation-paths.js';
import { formatTarget } from '../../rbac/escalation-paths.js';
import { formatRequest } from '../../rbac/authorization-request.js';
import type { AuthorizationRequest } from '../../rbac/authorization-request.js';
import { formatPolicyRule } from '../../rbac/policy-rule.js';
import type { BindingView, Subject } from '../../rbac/rbac-objects.js';
import type { WhoCanEntry } from '../../rbac/who-can.js';
import { formatSubjectRef } from '../../rbac/who-can.js';
import type { RbacInput } from './rbac-input.js';

function named(view: { kind: string; name: string; namespace?: string }): string {
  return `${view.kind} ${view.namespace ? `${view.namespace}/` : ''}${view.name}`;
}

function subjectText(subject: Subject, binding: BindingView): string {
  if (subject.kind === 'ServiceAccount') return `ServiceAccount ${subject.namespace || binding.namespace}/${subject.name}`;
  return `${subject.kind} ${subject.name}`;
}

export function grantJson(grant: Grant, input: RbacInput) {
  const source = grant.rule.role;
  return {
    binding: { kind: grant.binding.kind, name: grant.binding.name, ...(grant.binding.namespace ? { namespace: grant.binding.namespace } : {}), at: input.locate(grant.binding.object, ['subjects', grant.subject.index]) },
    subject: { kind: grant.subject.kind, name: grant.subject.name, ...(grant.subject.namespace ? { namespace: grant.subject.namespace } : {}) },
    role: { kind: grant.role.kind, name: grant.role.name, ...(grant.role.namespace ? { namespace: grant.role.namespace } : {}) },
    rule: {
      ...(source !== grant.role ? { aggregatedFrom: { kind: source.kind, name: source.name } } : {}),
      index: grant.rule.index,
      at: input.locate(source.object, ['rules', grant.rule.index]),
      ...grant.rule.rule,
    },
  };
}

export function decisionJson(decision: Decision, input: RbacInput) {
  return {
    allowed: decision.allowed,
    ...(decision.privilegedGroup ? { privilegedGroup: decision.privilegedGroup } : {}),
    grants: decision.grants.map((g) => grantJson(g, input)),
    ...(decision.errors.length > 0
      ? { errors: decision.errors.map((e) => ({ binding: named(e.binding), at: input.locate(e.binding.object, ['roleRef']), message: e.message })) }
      : {}),
  };
}

/** Lines naming the binding (with the subject that matched) and the rule that grants, each with where it is written. */
export function grantLines(grant: Grant, input: RbacInput, indent = '  '): string[] {
  const binding = grant.binding;
  const source = grant.rule.role;
  const aggregated = source !== grant.role ? ` (aggregated into ${named(grant.role)})` : '';
  return [
    `${indent}${named(binding)} → ${named(grant.role)}, subject ${subjectText(grant.subject, binding)}  [${input.locate(binding.object, ['subjects', grant.subject.index])}]`,
    `${indent}  rule ${grant.rule.index} of ${named(source)}${aggregated}: ${formatPolicyRule(grant.rule.rule)}  [${input.locate(source.object, ['rules', grant.rule.index])}]`,
  ];
}

export function decisionLines(decision: Decision, input: RbacInput): string[] {
  const lines: string[] = [];
  if (decision.privilegedGroup) lines.push(`  group ${decision.privilegedGroup} is allowed everything by the API server, before RBAC`);
  for (const grant of decision.grants) lines.push(...grantLines(grant, input));
  for (const error of decision.errors) lines.push(`  ${named(error.binding)} applies but grants nothing: ${error.message}  [${input.locate(error.binding.object, ['roleRef'])}]`);
  return lines;
}

export function whoCanJson(request: AuthorizationRequest, entries: WhoCanEntry[], input: RbacInput) {
  return {
    request,
    subjects: entries.map((entry) => ({ subject: entry.subject, ...decisionJson(entry.decision, input) })),
  };
}

export function whoCanLines(request: AuthorizationRequest, entries: WhoCanEntry[], input: RbacInput, explain: boolean): string[] {
  if (entries.length === 0) return [`nobody the input names may ${formatRequest(request)}`];
  const lines = [`${entries.length} subject${entries.length > 1 ? 's' : ''} may ${formatRequest(request)}:`];
  const width = Math.max(...entries.map((e) => formatSubjectRef(e.subject).length));
  for (const entry of entries) {
    const via = entry.decision.privilegedGroup
      ? 'privileged group (no RBAC needed)'
      : [...new Set(entry.decision.grants.map((g) => `${named(g.binding)} (${g.subject.kind === 'Group' && entry.subject.kind !== 'Group' ? `as member of ${g.subject.name}, ` : ''}${named(g.role)})`))].join('; ');
    lines.push(`  ${formatSubjectRef(entry.subject).padEnd(width)}  ${via}`);
    if (explain) for (const grant of entry.decision.grants) lines.push(...grantLines(grant, input, '      '));
  }
  return lines;
}

function permissionJson(use: PermissionUse, input: RbacInput) {
  return { request: use.request, grants: use.grants.map((g) => grantJson(g, input)) };
}

function stepJson(step: EscalationStep, input: RbacInput) {
  return {
    from: step.from,
    to: step.to,
    technique: step.technique,
    description: step.description,
    ...(step.condition ? { condition: step.condition } : {}),
    permissions: step.permissions.map((p) => permissionJson(p, input)),
  };
}

export function escalationsJson(paths: EscalationPath[], input: RbacInput) {
  return { paths: paths.map((path) => ({ from: path.from, to: path.to, steps: path.steps.map((s) => stepJson(s, input)) })) };
}

export function escalationLines(paths: EscalationPath[], input: RbacInput): string[] {
  if (paths.length === 0) return ['no escalation path: no subject can obtain another identity or grant itself more through RBAC'];
  const lines: string[] = [];
  for (const path of paths) {
    lines.push(`${formatSubjectRef(path.from)} ⇒ ${formatTarget(path.to)}`);
    path.steps.forEach((step, i) => {
      lines.push(`  ${i + 1}. ${formatSubjectRef(step.from)} ${step.description} [${step.technique}]${step.condition ? ` if ${step.condition}` : ''}`);
      for (const use of step.permissions) {
        const grant = use.grants[0];
        if (!grant) continue;
        lines.push(`     ${formatRequest(use.request)}: ${named(grant.binding)} → ${named(grant.role)} rule ${grant.rule.index}  [${input.locate(grant.rule.role.object, ['rules', grant.rule.index])}]`);
      }
    });
  }
  return lines;
}
