import type { FieldPath } from '../core/model/field-path.js';
import { asRecord, isUnset } from '../core/model/untrusted-value.js';
import type { ReportProblem } from './input-problems.js';

/**
 * A map of strings (labels, a Service selector) read from an untrusted object: entries whose value is not a string are
 * reported and left out, so they can neither match nor be matched by mistake.
 */
export function stringMapOf(value: unknown, path: FieldPath, report: ReportProblem): Record<string, string> | undefined {
  if (isUnset(value)) return undefined;
  const record = asRecord(value);
  if (!record) {
    report(path, `must be a map of strings, got ${JSON.stringify(value)}`);
    return undefined;
  }
  let strings: Record<string, string> | undefined;
  for (const [key, entry] of Object.entries(record)) {
    if (typeof entry === 'string') continue;
    report([...path, key], `value must be a string, got ${JSON.stringify(entry)}`);
    strings ??= {};
  }
  if (!strings) return record as Record<string, string>;
  for (const [key, entry] of Object.entries(record)) if (typeof entry === 'string') strings[key] = entry;
  return strings;
}
