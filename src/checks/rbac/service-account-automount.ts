import type { Violation } from '../../core/model/check.js';
import type { KubeObject } from '../../core/model/resource.js';
import { groupOf } from '../../core/model/resource.js';
import { setFieldPatch } from '../../core/model/set-field-patch.js';

/**
 * The violation of a core ServiceAccount that does not opt out of token automounting, shared by the check for
 * namespace default accounts and the one for all others; `which` selects the accounts a check covers.
 */
export function automountViolations(
  object: KubeObject,
  which: (name: unknown) => boolean,
  messages: { explicitTrue: string; unset: string },
): Violation[] {
  if (typeof object.apiVersion === 'string' && groupOf(object.apiVersion) !== '') return [];
  if (!which(object.metadata?.name)) return [];
  const value = object['automountServiceAccountToken'];
  if (value === false) return [];
  const path = ['automountServiceAccountToken'];
  return [
    {
      path,
      message: value === true ? messages.explicitTrue : messages.unset,
      ...(value === undefined ? {} : { evidence: value }),
      fix: setFieldPatch(object, path, false),
    },
  ];
}
