/**
 * Fields the inventory reads but cannot use (wrong type, invalid value) become input errors naming the file:line and
 * field (or the live object and field): the object is still inventoried from its other fields, and the run fails.
 */
import type { FieldPath } from '../core/model/field-path.js';
import { formatFieldPath } from '../core/model/field-path.js';
import type { InputError } from '../core/model/report.js';
import type { Resource } from '../core/model/resource.js';
import { formatRef } from '../core/model/resource.js';

/** Reports one problem of the object being read, at a path inside it. */
export type ReportProblem = (path: FieldPath, message: string) => void;

export function problemReporter(resource: Resource, errors: InputError[]): ReportProblem {
  return (path, message) => {
    const field = formatFieldPath(path);
    const origin = resource.origin;
    if (origin.type === 'file') {
      const position = origin.locator?.locate(path);
      errors.push({
        source: origin.file,
        ...(position ? { line: position.line, column: position.column } : {}),
        field,
        message: `${formatRef(resource.ref)}: ${message}`,
      });
    } else {
      errors.push({ source: formatRef(resource.ref), field, message });
    }
  };
}

/** Where an object starts in its file, for entries that say where they were written. */
export function objectPosition(resource: Resource): { file?: string; line?: number } {
  const origin = resource.origin;
  if (origin.type !== 'file') return {};
  const position = origin.locator?.locate([]);
  return position ? { file: origin.file, line: position.line } : { file: origin.file };
}

