/**
 * `aspis scan manifests|cluster --policies DIR`: each ValidatingAdmissionPolicy of DIR becomes a check of the scan
 * (check id = policy name), so its violations are findings like any other: same outputs, same `.aspis.yaml`
 * exceptions and `waiver.aspis.dev/<policy-name>` annotations, same --fail-on.
 *
 * Every object is evaluated as the request that would create it (see ../commands/policy-attributes.ts) under every
 * binding of the policy; a failed validation, or an evaluation error that failurePolicy Fail turns into a refusal,
 * is a finding whatever the binding's validationActions (Warn and Audit bindings report risks too). The finding's
 * path is the field the validation reads, cut before its first `[*]`; its message is the validation's message.
 * Policy annotations `policy.aspis.io/severity` (info…critical, default medium) and `policy.aspis.io/title` fill
 * in the check's metadata. Kinds come from the policies' resourceRules, among the kinds Aspis scans.
 */
import type { ObjectCheck, Violation } from '../../core/model/check.js';
import type { FieldPath } from '../../core/model/field-path.js';
import type { InputError } from '../../core/model/report.js';
import type { KubeObject } from '../../core/model/resource.js';
import { SEVERITIES, type Severity } from '../../core/model/severity.js';
import { compilePolicies, evaluate, paramsFromObjects, type CompiledPolicy } from '../../policy/index.js';
import { attributesForStoredObject, kindsOfResource } from '../commands/policy-attributes.js';
import { loadObjects } from '../commands/policy-folder.js';

export const POLICY_CHECK_CATEGORY = 'cel-policy';
const POLICY_KINDS = new Set(['ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding']);

/** `spec.containers[*].image` → ['spec', 'containers'] (a finding points at a field that exists). */
export function fieldPathOf(text: string | undefined): FieldPath {
  if (!text) return [];
  const path: (string | number)[] = [];
  for (const part of text.split(/\.|(?=\[)/)) {
    if (part === '[*]') break;
    const index = /^\[(\d+)\]$/.exec(part);
    if (index) path.push(Number(index[1]));
    else if (part !== '') path.push(part);
  }
  return path;
}

function annotation(object: KubeObject | undefined, key: string): string | undefined {
  const value = object?.metadata?.annotations?.[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function kindsOf(policy: CompiledPolicy): string[] {
  const kinds = new Set<string>();
  for (const rule of policy.matchConstraints?.resourceRules ?? []) {
    if (!rule.operations.some((op) => op === '*' || op === 'CREATE')) continue;
    for (const group of rule.apiGroups) {
      for (const entry of rule.resources) {
        if (entry.includes('/')) continue; // subresources are not objects of their own
        for (const kind of kindsOfResource(group, entry)) kinds.add(kind);
      }
    }
  }
  return [...kinds].sort();
}

/** `takenIds`: ids of the built-in checks, which a policy name must not shadow. */
export function policyChecksFrom(folder: string, cwd: string, takenIds: ReadonlySet<string> = new Set()): { checks: ObjectCheck[]; errors: InputError[] } {
  const loaded = loadObjects([folder], cwd);
  const errors: InputError[] = [...loaded.errors];
  // Fixtures of `aspis policy test` (tests/ folders) are not part of the policy set.
  const definitions = loaded.files.filter((f) => !f.path.split(/[\\/]/).includes('tests')).flatMap((f) => f.objects);
  const { policies, errors: compileErrors } = compilePolicies(definitions, { sourceOf: loaded.sourceOf });
  for (const e of compileErrors) {
    errors.push({ source: e.source ?? e.object, field: e.fieldPath, message: e.line ? `${e.reason} (line ${e.line}, column ${e.column} of ${JSON.stringify(e.expression)})` : e.reason });
  }
  if (policies.policies.length === 0) errors.push({ source: folder, message: '--policies: no ValidatingAdmissionPolicy found' });
  const context = definitions.filter((o) => !POLICY_KINDS.has(String(o.kind)));
  const namespaces = new Map(context.filter((o) => o.kind === 'Namespace' && o.metadata?.name).map((o) => [String(o.metadata!.name), o]));
  const params = paramsFromObjects(context.filter((o) => o.kind !== 'Namespace'));
  const byName = new Map(definitions.filter((o) => o.kind === 'ValidatingAdmissionPolicy').map((o) => [String(o.metadata?.name), o]));

  const checks: ObjectCheck[] = [];
  for (const policy of policies.policies) {
    const source = byName.get(policy.name);
    const kinds = kindsOf(policy);
    if (takenIds.has(policy.name)) {
      errors.push({ source: loaded.sourceOf(source!) ?? folder, message: `ValidatingAdmissionPolicy/${policy.name}: the name is the id of a built-in check; rename the policy` });
      continue;
    }
    if (policy.bindings.length === 0) {
      errors.push({ source: loaded.sourceOf(source!) ?? folder, message: `ValidatingAdmissionPolicy/${policy.name} has no binding: it applies to nothing` });
      continue;
    }
    if (kinds.length === 0) {
      errors.push({ source: loaded.sourceOf(source!) ?? folder, message: `ValidatingAdmissionPolicy/${policy.name} matches no kind Aspis scans on CREATE: nothing to scan` });
      continue;
    }
    const severityText = annotation(source, 'policy.aspis.io/severity');
    const severity: Severity = SEVERITIES.includes(severityText as Severity) ? (severityText as Severity) : 'medium';
    if (severityText && severity !== severityText) errors.push({ source: loaded.sourceOf(source!) ?? folder, field: 'metadata.annotations', message: `policy.aspis.io/severity must be one of ${SEVERITIES.join(', ')}` });
    const single = { policies: [policy] };
    checks.push({
      id: policy.name,
      title: annotation(source, 'policy.aspis.io/title') ?? `ValidatingAdmissionPolicy ${policy.name}`,
      severity,
      category: POLICY_CHECK_CATEGORY,
      rationale: annotation(source, 'policy.aspis.io/rationale') ?? `The object fails ValidatingAdmissionPolicy ${policy.name} (${loaded.sourceOf(source!) ?? folder}).`,
      remediation: annotation(source, 'policy.aspis.io/remediation') ?? 'Change the object so that every validation of the policy holds.',
      references: [],
      target: { kinds },
      evaluate(object: KubeObject): Violation[] {
        const result = evaluate(single, attributesForStoredObject(object, { namespaces, params }));
        const seen = new Set<string>();
        const violations: Violation[] = [];
        for (const decision of result.decisions) {
          const key = `${decision.validationIndex ?? ''}\n${decision.message}`;
          if (seen.has(key)) continue; // one finding per validation, whatever the number of bindings and actions
          seen.add(key);
          violations.push({ path: fieldPathOf(decision.fieldPath), message: decision.message });
        }
        return violations;
      },
    });
  }
  return { checks, errors };
}
