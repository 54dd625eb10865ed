import { EVENT_KINDS, type OsvRecord } from './osv-record.js';

/** A problem in one record: the field path (e.g. "affected[0].ranges[1].events[2]") and what is wrong. */
export interface RecordProblem {
  readonly field: string;
  readonly message: string;
}

export type ValidatedRecord = { readonly record: OsvRecord; readonly problems: readonly [] } | { readonly record?: undefined; readonly problems: readonly RecordProblem[] };

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Checks the fields Aspis relies on (types, required fields, exactly one kind per event, at least one
 * "introduced" per range, as the schema requires). A record with any problem is not imported; every problem is
 * reported with its field path. Ranges mixing "fixed" and "last_affected", which the schema discourages, are
 * accepted: the evaluation algorithm gives them a meaning.
 */
export function validateOsvRecord(value: unknown): ValidatedRecord {
  const problems: RecordProblem[] = [];
  const problem = (field: string, message: string): void => void problems.push({ field, message });
  if (!isObject(value)) return { problems: [{ field: '(record)', message: 'is not an object' }] };

  const requireString = (object: Json, key: string, path: string): void => {
    if (typeof object[key] !== 'string' || object[key] === '') problem(path, 'must be a non-empty string');
  };
  const optionalString = (object: Json, key: string, path: string): void => {
    if (object[key] !== undefined && typeof object[key] !== 'string') problem(path, 'must be a string');
  };
  const optionalStringArray = (object: Json, key: string, path: string): void => {
    const v = object[key];
    if (v === undefined || v === null) return;
    if (!Array.isArray(v)) problem(path, 'must be an array of strings');
    else v.forEach((item, i) => typeof item !== 'string' && problem(`${path}[${i}]`, 'must be a string'));
  };
  const optionalObject = (object: Json, key: string, path: string): void => {
    if (object[key] !== undefined && object[key] !== null && !isObject(object[key])) problem(path, 'must be an object');
  };
  const severities = (object: Json, path: string): void => {
    const v = object.severity;
    if (v === undefined || v === null) return;
    if (!Array.isArray(v)) return problem(path, 'must be an array');
    v.forEach((s, i) => {
      if (!isObject(s)) return problem(`${path}[${i}]`, 'must be an object');
      requireString(s, 'type', `${path}[${i}].type`);
      requireString(s, 'score', `${path}[${i}].score`);
    });
  };

  requireString(value, 'id', 'id');
  requireString(value, 'modified', 'modified');
  for (const key of ['schema_version', 'published', 'withdrawn', 'summary', 'details']) optionalString(value, key, key);
  for (const key of ['aliases', 'upstream', 'related']) optionalStringArray(value, key, key);
  optionalObject(value, 'database_specific', 'database_specific');
  severities(value, 'severity');

  const references = value.references;
  if (references !== undefined && references !== null) {
    if (!Array.isArray(references)) problem('references', 'must be an array');
    else
      references.forEach((r, i) => {
        if (!isObject(r)) return problem(`references[${i}]`, 'must be an object');
        requireString(r, 'url', `references[${i}].url`);
        optionalString(r, 'type', `references[${i}].type`);
      });
  }

  const affected = value.affected;
  if (affected !== undefined && affected !== null) {
    if (!Array.isArray(affected)) problem('affected', 'must be an array');
    else affected.forEach((entry, i) => validateAffected(entry, `affected[${i}]`));
  }

  function validateAffected(entry: unknown, path: string): void {
    if (!isObject(entry)) return problem(path, 'must be an object');
    if (entry.package !== undefined) {
      if (!isObject(entry.package)) problem(`${path}.package`, 'must be an object');
      else {
        requireString(entry.package, 'ecosystem', `${path}.package.ecosystem`);
        requireString(entry.package, 'name', `${path}.package.name`);
        optionalString(entry.package, 'purl', `${path}.package.purl`);
      }
    }
    optionalStringArray(entry, 'versions', `${path}.versions`);
    optionalObject(entry, 'ecosystem_specific', `${path}.ecosystem_specific`);
    optionalObject(entry, 'database_specific', `${path}.database_specific`);
    severities(entry, `${path}.severity`);
    const ranges = entry.ranges;
    if (ranges === undefined || ranges === null) return;
    if (!Array.isArray(ranges)) return problem(`${path}.ranges`, 'must be an array');
    ranges.forEach((range, r) => validateRange(range, `${path}.ranges[${r}]`));
  }

  function validateRange(range: unknown, path: string): void {
    if (!isObject(range)) return problem(path, 'must be an object');
    requireString(range, 'type', `${path}.type`);
    if (!Array.isArray(range.events)) return problem(`${path}.events`, 'must be an array');
    const kinds = new Set<string>();
    const before = problems.length;
    range.events.forEach((event, e) => {
      const where = `${path}.events[${e}]`;
      if (!isObject(event)) return problem(where, 'must be an object');
      const present = EVENT_KINDS.filter((k) => event[k] !== undefined);
      if (present.length !== 1) {
        return problem(where, `must have exactly one of ${EVENT_KINDS.join(', ')} (has ${present.length ? present.join(', ') : 'none'})`);
      }
      const kind = present[0]!;
      if (typeof event[kind] !== 'string' || event[kind] === '') return problem(`${where}.${kind}`, 'must be a non-empty string');
      kinds.add(kind);
    });
    // Only when every event was readable: a malformed event already explains a missing "introduced".
    if (problems.length === before && range.events.length > 0 && !kinds.has('introduced')) problem(`${path}.events`, 'has no "introduced" event');
  }

  return problems.length > 0 ? { problems } : { record: value as unknown as OsvRecord, problems: [] };
}
