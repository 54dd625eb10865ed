/**
 * Which checks run, from `.aspis.yaml` `checks:`, and the check of every check id the file names. Pure.
 *
 * - A check runs when it is not opt-in, or when it is listed in `enable`; and it is not listed in `disable`.
 * - Ids may be a check's current id or a former one (alias).
 * - An id that names no check (in `disable`, `enable`, `severity` or an exception's `checks`) is an error naming the
 *   file, line and field: a filter that matches nothing is an error.
 * - A check both enabled and disabled is an error, and the check runs: a contradiction never silently turns a check off.
 * - `severity` overrides return new check objects; the catalog is never mutated.
 * - Enabling a check that is not opt-in, or disabling an opt-in one, is allowed (and changes nothing).
 */
import type { Check } from '../core/model/check.js';
import type { FieldPath } from '../core/model/field-path.js';
import { formatFieldPath } from '../core/model/field-path.js';
import type { InputError } from '../core/model/report.js';
import type { Severity } from '../core/model/severity.js';
import { checkIdIndex, suggestCheckId } from '../core/model/waiver.js';
import type { AspisConfig } from './parse-config.js';

export function selectChecks(all: readonly Check[], config: AspisConfig): { checks: Check[]; errors: InputError[] } {
  const index = checkIdIndex(all);
  const errors: InputError[] = [];
  const error = (path: FieldPath, message: string, key = false) => {
    const at = config.origin?.locate(path, { key });
    const e: InputError = { source: config.origin?.file ?? '.aspis.yaml', field: formatFieldPath(path), message };
    if (at) Object.assign(e, { line: at.line, column: at.column });
    errors.push(e);
  };
  const resolveId = (id: string, path: FieldPath, key = false): string | undefined => {
    const resolved = index.get(id);
    if (resolved === undefined) {
      const suggestion = suggestCheckId(id, new Set(index.values()));
      error(path, `"${id}" names no check${suggestion ? ` (did you mean "${suggestion}"?)` : ''}`, key);
    }
    return resolved;
  };

  const disabled = new Map<string, FieldPath>();
  const enabled = new Set<string>();
  (config.checks?.disable ?? []).forEach((id, i) => {
    const resolved = resolveId(id, ['checks', 'disable', i]);
    if (resolved !== undefined && !disabled.has(resolved)) disabled.set(resolved, ['checks', 'disable', i]);
  });
  (config.checks?.enable ?? []).forEach((id, i) => {
    const resolved = resolveId(id, ['checks', 'enable', i]);
    if (resolved === undefined) return;
    enabled.add(resolved);
    if (disabled.has(resolved)) {
      error(['checks', 'enable', i], `"${id}" is both enabled and disabled (${formatFieldPath(disabled.get(resolved)!)}); it runs: remove one of them`);
    }
  });
  const severities = new Map<string, Severity>();
  for (const [id, severity] of Object.entries(config.checks?.severity ?? {})) {
    const resolved = resolveId(id, ['checks', 'severity', id], true);
    if (resolved !== undefined) severities.set(resolved, severity);
  }
  // Exceptions too: a waiver for a check that does not exist would silently waive nothing.
  (config.exceptions ?? []).forEach((exception, i) => {
    if (Array.isArray(exception.checks)) exception.checks.forEach((id, j) => resolveId(id, ['exceptions', i, 'checks', j]));
  });

  const checks: Check[] = [];
  for (const check of all) {
    const runs = enabled.has(check.id) || (!check.optIn && !disabled.has(check.id));
    if (!runs) continue;
    const severity = severities.get(check.id);
    checks.push(severity === undefined || severity === check.severity ? check : withSeverity(check, severity));
  }
  return { checks, errors };
}

/** A copy of `check` with another severity (keeps its prototype, in case a check is a class instance). */
function withSeverity(check: Check, severity: Severity): Check {
  return Object.assign(Object.create(Object.getPrototypeOf(check) as object | null) as Check, check, { severity });
}
