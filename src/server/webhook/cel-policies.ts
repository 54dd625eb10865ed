/**
 * ValidatingAdmissionPolicies (CEL) in the webhook: loaded from a folder (`--policies DIR`: every .yaml/.yml/.json
 * file, policies and bindings), compiled once with src/policy, and evaluated on each review beside the checks.
 * A Deny action becomes an enforce violation, Warn a warning, Audit an audit violation; the policy's own field path
 * (when its expression names one) and message are kept. A policy that does not compile stops the load with the
 * expression, position and reason.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { LineCounter, parseAllDocuments } from 'yaml';
import { compilePolicies, evaluate } from '../../policy/index.js';
import type { CompiledPolicySet } from '../../policy/index.js';
import type { InputError } from '../../core/model/report.js';
import type { KubeObject } from '../../core/model/resource.js';
import type { AdmissionRequest } from '../../sources/admission/admission-review.js';
import type { Mode } from './namespace-profile.js';

export interface CelViolation {
  mode: Mode;
  policy: string;
  path: string;
  message: string;
}

export function loadCelPolicies(dir: string): { policies?: CompiledPolicySet; errors: InputError[]; files: number } {
  const errors: InputError[] = [];
  const objects: KubeObject[] = [];
  const where = new Map<KubeObject, string>();
  let entries: string[];
  try {
    entries = statSync(dir).isDirectory() ? readdirSync(dir).sort().map((name) => join(dir, name)) : [dir];
  } catch (error) {
    return { errors: [{ source: dir, message: `cannot read the policy folder: ${(error as Error).message}` }], files: 0 };
  }
  const files = entries.filter((file) => ['.yaml', '.yml', '.json'].includes(extname(file)));
  if (files.length === 0) return { errors: [{ source: dir, message: 'no .yaml, .yml or .json file: no policy to load' }], files: 0 };
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    const lineCounter = new LineCounter();
    for (const doc of parseAllDocuments(text, { lineCounter })) {
      if (doc.errors.length > 0) {
        const { line, col } = lineCounter.linePos(doc.errors[0]!.pos[0]);
        errors.push({ source: file, line, column: col, message: doc.errors[0]!.message });
        continue;
      }
      const object = doc.toJS() as KubeObject | null;
      if (!object) continue;
      objects.push(object);
      where.set(object, `${file}:${doc.range ? lineCounter.linePos(doc.range[0]).line : 1}`);
    }
  }
  const compiled = compilePolicies(objects, { sourceOf: (object) => where.get(object) });
  for (const e of compiled.errors) errors.push({ source: e.source ?? dir, field: `${e.object} ${e.fieldPath}`, message: e.message });
  return { policies: compiled.policies, errors, files: files.length };
}

const MODE_OF: Record<string, Mode> = { Deny: 'enforce', Warn: 'warn', Audit: 'audit' };

/** Evaluates the policies on a request; the namespace object is rebuilt from its labels (all the webhook keeps). */
export function evaluateCelPolicies(
  policies: CompiledPolicySet,
  request: AdmissionRequest,
  namespaceLabels: Readonly<Record<string, string>> | undefined,
): { violations: CelViolation[]; auditAnnotations: Record<string, string> } {
  const group = request.kind.group;
  const namespaceObject: KubeObject | null =
    request.namespace === '' ? null : { apiVersion: 'v1', kind: 'Namespace', metadata: { name: request.namespace, labels: { ...(namespaceLabels ?? {}) } } };
  const result = evaluate(policies, {
    operation: request.operation,
    kind: request.kind,
    resource: { group, version: request.kind.version, resource: request.resource },
    ...(request.subResource ? { subResource: request.subResource } : {}),
    name: request.name,
    namespace: request.namespace,
    object: request.object ?? null,
    oldObject: request.oldObject ?? null,
    userInfo: { username: request.userInfo.username, groups: request.userInfo.groups, ...(request.userInfo.uid ? { uid: request.userInfo.uid } : {}) },
    dryRun: request.dryRun,
    namespaceObject,
  });
  const violations = result.decisions.map((d) => ({
    mode: MODE_OF[d.action] ?? 'enforce',
    policy: d.binding ? `${d.policy}/${d.binding}` : d.policy,
    path: d.fieldPath ?? '',
    message: d.message,
  }));
  return { violations, auditAnnotations: result.auditAnnotations };
}
