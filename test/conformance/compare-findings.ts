/**
 * Findings as the conformance suite compares them: everything but where they were found (file:line, uid), and the
 * differences between two reports, with the API server's defaulting rules that may explain some of them.
 */
import { isDeepStrictEqual } from 'node:util';
import type { Finding } from '../../src/core/model/finding.js';

export interface ComparedFinding {
  check: string;
  severity: string;
  /** `Kind/namespace/name` (`Kind//name` for cluster-scoped objects). */
  object: string;
  path: string;
  message: string;
  evidence?: unknown;
  fix?: unknown;
}

export function compared(finding: Finding, namespaceOf: (kind: string, name: string, namespace: string | undefined) => string | undefined): ComparedFinding {
  const { kind, name } = finding.resource;
  const namespace = namespaceOf(kind, name, finding.resource.namespace);
  const record: ComparedFinding = {
    check: finding.checkId,
    severity: finding.severity,
    object: `${kind}/${namespace ?? ''}/${name}`,
    path: finding.path,
    message: finding.message,
  };
  if (finding.evidence !== undefined) record.evidence = finding.evidence;
  if (finding.fix !== undefined) record.fix = finding.fix;
  return record;
}

/** JSON with object keys sorted: the order of keys in evidence (the server's, or the file's) means nothing. */
export function text(finding: ComparedFinding): string {
  return JSON.stringify(finding, (_key, value: unknown) =>
    value !== null && typeof value === 'object' && !Array.isArray(value)
      ? Object.fromEntries(Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : value,
  );
}

/** What a rule may look at besides the two findings. */
export interface RuleContext {
  /** The object a finding is about, as the API server stored it. */
  stored(object: string): Record<string, unknown> | undefined;
}

/**
 * A way the API server changes an object on create (defaulting, admission, pruning), or the cluster scan reads less
 * than a file, that changes a finding: `explains` answers whether it accounts for the file's and the cluster's
 * version of one finding (same check and object, the same path when both have it; either may be missing).
 * `check` limits the rule to one check; a rule without it applies to every check.
 */
export interface DefaultingRule {
  check?: string;
  reason: string;
  explains(file: ComparedFinding | undefined, cluster: ComparedFinding | undefined, context: RuleContext): boolean;
}

export interface Difference {
  file?: ComparedFinding;
  cluster?: ComparedFinding;
  /** The rule that explains it, if one does. */
  rule?: DefaultingRule;
}

/** The findings that differ, paired by check, object and path, each with the rule that explains it if any. */
export function differences(
  file: readonly ComparedFinding[],
  cluster: readonly ComparedFinding[],
  rules: readonly DefaultingRule[],
  context: RuleContext,
): Difference[] {
  const key = (f: ComparedFinding) => `${f.check}\u0000${f.object}\u0000${f.path}`;
  const objectKey = (f: ComparedFinding) => `${f.check}\u0000${f.object}`;
  const unmatched = (from: readonly ComparedFinding[], other: readonly ComparedFinding[]) => {
    const left = [...other.map(text)];
    return from.filter((f) => {
      const at = left.indexOf(text(f));
      if (at < 0) return true;
      left.splice(at, 1);
      return false;
    });
  };
  const onlyFile = unmatched(file, cluster);
  const onlyCluster = unmatched(cluster, file);
  const result: Difference[] = [];
  // Pair by path first, then what is left by object (a finding whose path the server changed).
  const unpaired: ComparedFinding[] = [];
  for (const f of onlyFile) {
    const at = onlyCluster.findIndex((c) => key(c) === key(f));
    if (at >= 0) result.push({ file: f, cluster: onlyCluster.splice(at, 1)[0]! });
    else unpaired.push(f);
  }
  for (const f of unpaired) {
    const at = onlyCluster.findIndex((c) => objectKey(c) === objectKey(f));
    result.push({ file: f, ...(at >= 0 ? { cluster: onlyCluster.splice(at, 1)[0]! } : {}) });
  }
  for (const c of onlyCluster) result.push({ cluster: c });
  for (const difference of result) {
    const check = (difference.file ?? difference.cluster)!.check;
    const rule = rules.find((r) => (r.check === undefined || r.check === check) && r.explains(difference.file, difference.cluster, context));
    if (rule) difference.rule = rule;
  }
  return result;
}

/** The two versions are the same finding but for the listed fields. */
export function sameBut(file: ComparedFinding | undefined, cluster: ComparedFinding | undefined, fields: readonly (keyof ComparedFinding)[]): file is ComparedFinding {
  if (!file || !cluster) return false;
  const strip = (f: ComparedFinding) => Object.fromEntries(Object.entries(f).filter(([k]) => !fields.includes(k as keyof ComparedFinding)));
  return isDeepStrictEqual(strip(file), strip(cluster));
}

export function describe(difference: Difference): string {
  const lines: string[] = [];
  if (difference.file) lines.push(`  file:    ${text(difference.file)}`);
  else lines.push('  file:    (no such finding)');
  if (difference.cluster) lines.push(`  cluster: ${text(difference.cluster)}`);
  else lines.push('  cluster: (no such finding)');
  return lines.join('\n');
}

/** Parses a formatted field path (`spec.volumes[0]["a.b"]`) back into its segments. */
export function parseFieldPath(path: string): (string | number)[] {
  const segments: (string | number)[] = [];
  const pattern = /\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]|\.?([^.[]+)/g;
  for (let match = pattern.exec(path); match; match = pattern.exec(path)) {
    if (match[1] !== undefined) segments.push(Number(match[1]));
    else if (match[2] !== undefined) segments.push(JSON.parse(match[2]) as string);
    else segments.push(match[3]!);
  }
  return segments;
}

/** Whether the field at `path` exists in `object`. */
export function hasField(object: unknown, path: readonly (string | number)[]): boolean {
  let current: unknown = object;
  for (const segment of path) {
    if (current === null || typeof current !== 'object' || !(segment in (current as object))) return false;
    current = (current as Record<string | number, unknown>)[segment];
  }
  return true;
}
