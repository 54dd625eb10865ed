/**
 * Mutation for the checks the webhook configuration lists in `mutate`: their fixes are applied only when every
 * operation of a fix is an `add` (it sets a field the author left unset, such as a missing seccompProfile or
 * allowPrivilegeEscalation), never when it would replace or remove a value the author wrote: those are denied or
 * warned instead, so nobody's explicit choice is silently overridden.
 *
 * Fixes are computed on the object as it is, then applied one at a time and the checks evaluated again, because two
 * fixes computed on the same object may add the same missing parent (`securityContext`) with different contents.
 */
import type { Check, PatchOperation } from '../../core/model/check.js';
import type { CheckContext } from '../../core/model/check-context.js';
import type { KubeObject, Resource } from '../../core/model/resource.js';
import { runChecks } from '../../core/engine/run-checks.js';

/** Bound on fix rounds for one object (each round applies one fix). */
const MAX_ROUNDS = 200;

function decodePointer(pointer: string): string[] {
  return pointer.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** Applies an `add` to `doc` in place; false when its parent does not exist (the patch would be rejected). */
function applyAdd(doc: unknown, op: { path: string; value: unknown }): boolean {
  const segments = decodePointer(op.path);
  const last = segments.pop();
  if (last === undefined) return false;
  let parent: unknown = doc;
  for (const segment of segments) {
    if (parent === null || typeof parent !== 'object') return false;
    parent = (parent as Record<string, unknown>)[segment];
  }
  if (Array.isArray(parent)) {
    if (last === '-') parent.push(structuredClone(op.value));
    else {
      const index = Number(last);
      if (!Number.isInteger(index) || index < 0 || index > parent.length) return false;
      parent.splice(index, 0, structuredClone(op.value));
    }
    return true;
  }
  if (parent === null || typeof parent !== 'object') return false;
  (parent as Record<string, unknown>)[last] = structuredClone(op.value);
  return true;
}

function isSafe(fix: readonly PatchOperation[] | undefined): fix is (PatchOperation & { op: 'add' })[] {
  return fix !== undefined && fix.length > 0 && fix.every((op) => op.op === 'add');
}

export interface SafeFixResult {
  /** The JSON Patch to return (empty: nothing to change). */
  patch: PatchOperation[];
  /** Ids of the checks whose fixes were applied. */
  fixed: string[];
}

export function safeFixes(resource: Resource, checks: readonly Check[], ctx: CheckContext): SafeFixResult {
  const result: SafeFixResult = { patch: [], fixed: [] };
  if (checks.length === 0) return result;
  const doc = structuredClone(resource.object) as KubeObject;
  const current: Resource = { ...resource, object: doc };
  const tried = new Set<string>();
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const findings = runChecks([current], checks, ctx).findings;
    const next = findings.find((f) => isSafe(f.violation.fix) && !tried.has(JSON.stringify(f.violation.fix)));
    if (!next) break;
    const fix = next.violation.fix as (PatchOperation & { op: 'add' })[];
    tried.add(JSON.stringify(fix));
    const trial = structuredClone(doc);
    if (!fix.every((op) => applyAdd(trial, op))) continue;
    for (const op of fix) applyAdd(doc, op);
    result.patch.push(...fix);
    if (!result.fixed.includes(next.check.id)) result.fixed.push(next.check.id);
  }
  return result;
}
