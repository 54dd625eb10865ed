/**
 * SARIF 2.1.0 (OASIS), as read by GitHub code scanning, GitLab, Azure DevOps and IDE viewers. One run; one rule
 * per check that produced a result, described from `report.checks`; waived findings are results with a
 * suppression; input errors make the invocation unsuccessful and are listed as tool execution notifications.
 */
import { createHash } from 'node:crypto';
import type { Finding } from '../core/model/finding.js';
import type { CheckSummary, Report, WaiverReport } from '../core/model/report.js';
import { groupOf } from '../core/model/resource.js';
import type { Severity } from '../core/model/severity.js';
import { findingPosition, formatRef, objectsByRef } from './text.js';

export const SARIF_SCHEMA_URI = 'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json';

/** Name of the partial fingerprint; bump the suffix if what it hashes ever changes. */
export const FINGERPRINT_NAME = 'aspisFinding/v1';

type Level = 'error' | 'warning' | 'note';

const LEVEL: Record<Severity, Level> = { critical: 'error', high: 'error', medium: 'warning', low: 'note', info: 'note' };

/** GitHub code scanning ranks alerts by this score (>= 9 critical, 7-8.9 high, 4-6.9 medium, < 4 low). */
const SECURITY_SEVERITY: Record<Severity, string> = { critical: '9.5', high: '8.0', medium: '5.5', low: '3.0', info: '0.0' };

interface PhysicalLocation {
  artifactLocation: { uri: string; uriBaseId?: string };
  region?: { startLine: number; startColumn?: number };
}
interface Location {
  physicalLocation?: PhysicalLocation;
  logicalLocations?: { name: string; fullyQualifiedName: string; kind: string }[];
}

export function renderSarif(report: Report): string {
  const objects = objectsByRef(report);
  const all = [...report.findings, ...report.waived];
  const checkOf = new Map(report.checks.map((check) => [check.id, check]));

  const byCheck = new Map<string, Finding[]>();
  for (const finding of all) {
    let list = byCheck.get(finding.checkId);
    if (!list) byCheck.set(finding.checkId, (list = []));
    list.push(finding);
  }
  const ruleIds = [...byCheck.keys()].sort();
  const ruleIndex = new Map(ruleIds.map((id, index) => [id, index]));
  // A finding of a check missing from report.checks (a hand-made report) still gets a rule, described by its id.
  const rules = ruleIds.map((id) => ruleOf(id, checkOf.get(id), byCheck.get(id)![0]!.severity));

  const results = all.map((finding) => {
    const position = findingPosition(finding, objects);
    const location: Location = {};
    if (position && position.file !== '-') {
      const physical: PhysicalLocation = { artifactLocation: artifactLocation(position.file) };
      if (position.line !== undefined && position.line >= 1) {
        physical.region = { startLine: position.line };
        if (position.column !== undefined && position.column >= 1) physical.region.startColumn = position.column;
      }
      location.physicalLocation = physical;
    }
    location.logicalLocations = [
      {
        name: finding.resource.name,
        fullyQualifiedName: finding.path ? `${formatRef(finding.resource)}#${finding.path}` : formatRef(finding.resource),
        kind: 'resource',
      },
    ];
    const result: Record<string, unknown> = {
      ruleId: finding.checkId,
      ruleIndex: ruleIndex.get(finding.checkId),
      level: LEVEL[finding.severity],
      message: { text: finding.message },
      locations: [location],
      partialFingerprints: { [FINGERPRINT_NAME]: fingerprint(finding) },
    };
    if (finding.waiver) {
      const waiver = finding.waiver;
      result['suppressions'] = [
        {
          // An annotation waiver is written in the scanned manifest itself; a config waiver lives beside it.
          kind: waiver.source === 'annotation' ? 'inSource' : 'external',
          // No `status`: absent means accepted, and schema copies disagree on its name (status vs state,
          // oasis-tcs/sarif-spec#449), so leaving it out keeps the log valid against both.
          justification: waiver.reason,
          properties: {
            declaredAt: waiver.declaredAt,
            ...(waiver.owner ? { owner: waiver.owner } : {}),
            ...(waiver.expires ? { expires: waiver.expires } : {}),
          },
        },
      ];
    }
    const properties: Record<string, unknown> = {
      severity: finding.severity,
      ...(checkOf.has(finding.checkId) ? { category: checkOf.get(finding.checkId)!.category } : {}),
      object: formatRef(finding.resource),
      apiVersion: finding.resource.apiVersion,
      field: finding.path,
    };
    if (finding.evidence !== undefined) properties['evidence'] = finding.evidence;
    if (finding.fix) properties['jsonPatch'] = finding.fix;
    result['properties'] = properties;
    return result;
  });

  const invocation: Record<string, unknown> = { executionSuccessful: report.errors.length === 0 };
  if (report.errors.length > 0) {
    invocation['toolExecutionNotifications'] = report.errors.map((error) => {
      const notification: Record<string, unknown> = {
        level: 'error',
        message: { text: error.field ? `${error.field}: ${error.message}` : error.message },
        descriptor: { id: 'input-error' },
      };
      const location = errorLocation(error.source, error.line, error.column);
      if (location) notification['locations'] = [location];
      return notification;
    });
  }
  if (report.waivers.length > 0) {
    invocation['toolConfigurationNotifications'] = report.waivers.map((waiver) => waiverNotification(waiver));
  }

  const log = {
    $schema: SARIF_SCHEMA_URI,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: report.tool.name,
            version: report.tool.version,
            ...(/^\d+\.\d+\.\d+(?:[-+].*)?$/.test(report.tool.version) ? { semanticVersion: report.tool.version } : {}),
            rules,
          },
        },
        invocations: [invocation],
        results,
        columnKind: 'utf16CodeUnits',
        properties: {
          reportSchemaVersion: report.schemaVersion,
          generatedAt: report.generatedAt,
          inputs: report.inputs,
          pssVersion: report.pssVersion,
          ...(report.frameworks ? { frameworks: report.frameworks } : {}),
          summary: report.summary,
        },
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}

function ruleOf(id: string, check: CheckSummary | undefined, findingSeverity: Severity): Record<string, unknown> {
  const severity = check?.severity ?? findingSeverity;
  const references = check?.references ?? [];
  const controls = check?.controls ?? [];
  const rule: Record<string, unknown> = {
    id,
    name: id.replace(/(^|-)([a-z0-9])/g, (_, __, c: string) => c.toUpperCase()),
    shortDescription: { text: check?.title ?? id },
    fullDescription: { text: check?.rationale ?? check?.title ?? id },
  };
  if (check) {
    rule['help'] = {
      text: [check.remediation, ...(references.length > 0 ? ['', 'References:', ...references.map((r) => `- ${r}`)] : [])].join('\n'),
      markdown: [
        `**Remediation:** ${check.remediation}`,
        ...(references.length > 0 ? ['', '**References:**', '', ...references.map((r) => `- <${r}>`)] : []),
      ].join('\n'),
    };
  }
  rule['defaultConfiguration'] = { level: LEVEL[severity] };
  rule['properties'] = {
    tags: ['security', 'kubernetes', ...(check ? [check.category] : []), ...controls.map((c) => `${c.framework}:${c.id}`)],
    'security-severity': SECURITY_SEVERITY[severity],
    severity,
    ...(check?.aliases && check.aliases.length > 0 ? { aliases: check.aliases } : {}),
    ...(controls.length > 0 ? { controls } : {}),
  };
  if (references[0]) rule['helpUri'] = references[0];
  return rule;
}

/** Stable across runs and line moves: what was found (check), on which object, at which field. */
function fingerprint(finding: Finding): string {
  const ref = finding.resource;
  const key = [finding.checkId, groupOf(ref.apiVersion), ref.kind, ref.namespace ?? '', ref.name, finding.path].join('\u0000');
  return createHash('sha256').update(key).digest('hex').slice(0, 32);
}

/** A relative file path as a relative URI (forward slashes, percent-encoded); absolute paths become file: URIs. */
export function fileUri(file: string): { uri: string; absolute: boolean } {
  const slashed = file.replace(/\\/g, '/');
  const drive = /^[A-Za-z]:\//.test(slashed);
  const absolute = drive || slashed.startsWith('/');
  const segments = slashed.replace(/^(\.\/)+/, '').split('/');
  const encoded = segments.map((segment, i) => (drive && i === 0 ? segment : encodeURIComponent(segment))).join('/');
  if (!absolute) return { uri: encoded, absolute };
  return { uri: drive ? `file:///${encoded}` : `file://${encoded}`, absolute };
}

function artifactLocation(file: string): PhysicalLocation['artifactLocation'] {
  const { uri, absolute } = fileUri(file);
  return absolute ? { uri } : { uri, uriBaseId: '%SRCROOT%' };
}

/** An input error names a file (with a line when known), `-` for stdin, or an object `Kind/ns/name`. */
function errorLocation(source: string, line?: number, column?: number): Location | undefined {
  if (source === '-' || source === '') return undefined;
  const looksLikeFile = line !== undefined || /\.(ya?ml|json)$/i.test(source) || source.startsWith('.') || source.startsWith('/');
  if (!looksLikeFile) return { logicalLocations: [{ name: source.split('/').pop() ?? source, fullyQualifiedName: source, kind: 'resource' }] };
  const physical: PhysicalLocation = { artifactLocation: artifactLocation(source) };
  if (line !== undefined && line >= 1) {
    physical.region = { startLine: line };
    if (column !== undefined && column >= 1) physical.region.startColumn = column;
  }
  return { physicalLocation: physical };
}

function waiverNotification(waiver: WaiverReport): Record<string, unknown> {
  const notification: Record<string, unknown> = {
    level: waiver.status === 'invalid' ? 'error' : 'warning',
    message: { text: `${waiver.status} waiver (${waiver.checks.join(', ')}): ${waiver.message}` },
    descriptor: { id: `${waiver.status}-waiver` },
  };
  // `.aspis.yaml:12` points into a file; an annotation key does not.
  const match = /^(.+):(\d+)$/.exec(waiver.declaredAt);
  if (match) {
    notification['locations'] = [
      { physicalLocation: { artifactLocation: artifactLocation(match[1]!), region: { startLine: Number(match[2]) } } },
    ];
  }
  return notification;
}
