/**
 * A realistic report for the output-format tests: four objects in two files (one Deployment, one Pod, one
 * ClusterRole whose name and message need escaping, one ConfigMap no check targets), findings of the three checks
 * that ran (listed in `checks`), one waived finding, one input error, and one expired and one unused waiver.
 */
import type { Check } from '../../core/model/check.js';
import type { ControlRef, Finding } from '../../core/model/finding.js';
import type { CheckSummary, Report } from '../../core/model/report.js';
import { REPORT_SCHEMA_VERSION } from '../../core/model/report.js';
import { formatFieldPath } from '../../core/model/field-path.js';
import type { FieldPath } from '../../core/model/field-path.js';
import type { ResourceRef } from '../../core/model/resource.js';

const meta = {
  'privileged-containers': {
    title: 'Privileged containers',
    severity: 'critical',
    category: 'pod-security',
    rationale: 'A privileged container has every capability and access to all host devices.',
    remediation: 'Remove securityContext.privileged or set it to false.',
    references: ['https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline'],
  },
  'host-network': {
    title: 'Host network namespace',
    severity: 'high',
    category: 'pod-security',
    rationale: 'A pod on the host network can reach every service bound to the node.',
    remediation: 'Remove spec.hostNetwork or set it to false.',
    references: ['https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline'],
    aliases: ['host-network-access'],
  },
  'rbac-wildcard': {
    title: 'Wildcard RBAC rules',
    severity: 'medium',
    category: 'rbac',
    rationale: 'A "*" in verbs or resources grants rights to things that do not exist yet.',
    remediation: 'List the verbs and resources the subject needs.',
    references: [],
  },
} as const;

export const SAMPLE_CHECKS: readonly Check[] = [
  { id: 'privileged-containers', ...meta['privileged-containers'], references: [...meta['privileged-containers'].references], target: { workloads: true }, evaluate: () => [] },
  {
    id: 'host-network',
    ...meta['host-network'],
    references: [...meta['host-network'].references],
    aliases: [...meta['host-network'].aliases],
    target: { workloads: true },
    evaluate: () => [],
  },
  { id: 'rbac-wildcard', ...meta['rbac-wildcard'], references: [], target: { kinds: ['ClusterRole', 'Role'] }, evaluate: () => [] },
];

const CONTROLS: Record<keyof typeof meta, ControlRef[]> = {
  'privileged-containers': [{ framework: 'nsa-cisa', id: 'pod-security', title: 'Kubernetes Pod security' }],
  'host-network': [{ framework: 'nsa-cisa', id: 'pod-security', title: 'Kubernetes Pod security' }],
  'rbac-wildcard': [{ framework: 'cis-kubernetes', id: '5.1.3', title: 'Minimize wildcard use in Roles and ClusterRoles' }],
};

/** `report.checks` of the sample: the sample checks by id, as the producer lists them. */
export function sampleCheckSummaries(): CheckSummary[] {
  return [...SAMPLE_CHECKS]
    .sort((a, b) => (a.id < b.id ? -1 : 1))
    .map((check) => ({
      id: check.id,
      title: check.title,
      severity: check.severity,
      category: check.category,
      rationale: check.rationale,
      remediation: check.remediation,
      references: [...check.references],
      ...(check.aliases ? { aliases: [...check.aliases] } : {}),
      controls: CONTROLS[check.id as keyof typeof meta].map((c) => ({ ...c })),
    }));
}

const frontend: ResourceRef = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'frontend', namespace: 'shop' };
const debug: ResourceRef = { apiVersion: 'v1', kind: 'Pod', name: 'debug', namespace: 'shop' };
const role: ResourceRef = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', name: 'ops:<all>&"more"' };
const settings: ResourceRef = { apiVersion: 'v1', kind: 'ConfigMap', name: 'settings', namespace: 'shop' };

function finding(
  checkId: keyof typeof meta,
  resource: ResourceRef,
  fieldPath: FieldPath,
  at: [file: string, line: number, column: number],
  message: string,
  evidence: unknown,
): Finding {
  return {
    checkId,
    severity: meta[checkId].severity,
    resource,
    path: formatFieldPath(fieldPath),
    location: { file: at[0], line: at[1], column: at[2] },
    message,
    evidence,
  };
}

export function sampleReport(): Report {
  const privileged = finding(
    'privileged-containers',
    frontend,
    ['spec', 'template', 'spec', 'containers', 0, 'securityContext', 'privileged'],
    ['examples/shop.yaml', 24, 13],
    'container "web" must not set securityContext.privileged=true',
    true,
  );
  privileged.fix = [{ op: 'replace', path: '/spec/template/spec/containers/0/securityContext/privileged', value: false }];
  const wildcardVerbs = finding(
    'rbac-wildcard',
    role,
    ['rules', 0, 'verbs'],
    ['examples/rbac.yaml', 8, 5],
    'rule grants verbs ["*"] on <every> resource & more',
    ['*'],
  );
  const wildcardResources = finding('rbac-wildcard', role, ['rules', 0, 'resources'], ['examples/rbac.yaml', 9, 5], 'rule grants resources ["*"]', ['*']);
  const hostNetwork = finding('host-network', debug, ['spec', 'hostNetwork'], ['examples/shop.yaml', 48, 3], 'pod uses the host network', true);
  hostNetwork.waiver = {
    source: 'config',
    reason: 'debug pod needs node networking until INC-42 is closed',
    owner: 'platform-team',
    expires: '2099-12-31',
    declaredAt: '.aspis.yaml:12',
  };

  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool: { name: 'aspis', version: '0.1.0' },
    generatedAt: '2026-01-15T10:00:00.000Z',
    inputs: ['examples/'],
    pssVersion: 'v1.37',
    summary: {
      objects: 4,
      findings: 3,
      waived: 1,
      errors: 1,
      bySeverity: { info: 0, low: 0, medium: 2, high: 0, critical: 1 },
    },
    checks: sampleCheckSummaries(),
    objects: [
      { resource: frontend, file: 'examples/shop.yaml', line: 1, pssLevel: 'privileged', findings: 1 },
      { resource: debug, file: 'examples/shop.yaml', line: 40, pssLevel: 'privileged', findings: 0 },
      { resource: settings, file: 'examples/shop.yaml', line: 60, findings: 0 },
      { resource: role, file: 'examples/rbac.yaml', line: 1, findings: 2 },
    ],
    findings: [wildcardVerbs, wildcardResources, privileged],
    waived: [hostNetwork],
    waivers: [
      {
        declaredAt: '.aspis.yaml:20',
        checks: ['host-pid'],
        reason: 'legacy agent',
        expires: '2025-01-01',
        status: 'expired',
        message: 'expired on 2025-01-01; it no longer applies',
      },
      { declaredAt: '.aspis.yaml:26', checks: ['run-as-non-root'], reason: 'vendor image', status: 'unused', message: 'matched no finding' },
    ],
    errors: [{ source: 'examples/broken.yaml', line: 7, column: 3, message: 'bad indentation of a mapping entry' }],
  };
}
