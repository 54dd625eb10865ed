/** Small text helpers shared by the output formats. */
import type { Finding } from '../core/model/finding.js';
import type { InputError, ObjectSummary, Report } from '../core/model/report.js';
import type { ResourceRef } from '../core/model/resource.js';
import { formatRef } from '../core/model/resource.js';

/**
 * Object names, paths, messages and evidence come from the scanned input. Control characters (ANSI escape
 * sequences above all) are shown escaped so that a manifest cannot drive the reader's terminal.
 */
export function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** `file:line:column`, `file:line` or `file`, as editors and terminals link them. */
export function formatPosition(file: string, line?: number, column?: number): string {
  if (line === undefined) return file;
  return column === undefined ? `${file}:${line}` : `${file}:${line}:${column}`;
}

export function formatErrorSource(error: InputError): string {
  return formatPosition(error.source, error.line, error.line === undefined ? undefined : error.column);
}

/** A key identifying an object across the report's lists (findings, waived, objects). */
export function refKey(ref: ResourceRef): string {
  return JSON.stringify([ref.apiVersion, ref.kind, ref.namespace ?? '', ref.name]);
}

/** The objects of the report by ref key, to find where an object was written when a finding lacks a location. */
export function objectsByRef(report: Report): Map<string, ObjectSummary> {
  const map = new Map<string, ObjectSummary>();
  for (const object of report.objects) if (!map.has(refKey(object.resource))) map.set(refKey(object.resource), object);
  return map;
}

/** Where a finding was written: its own location, else where its object starts, else nothing. */
export function findingPosition(
  finding: Finding,
  objects: Map<string, ObjectSummary>,
): { file: string; line?: number; column?: number } | undefined {
  if (finding.location) return finding.location;
  const object = objects.get(refKey(finding.resource));
  if (object?.file === undefined) return undefined;
  return object.line === undefined ? { file: object.file } : { file: object.file, line: object.line };
}

export { formatRef };
