/**
 * The audit policy of the test apiserver: full request and response bodies for RBAC objects (so tests can see which
 * grants changed), Metadata for everything else. Not audited: the harness's health probes, and SubjectAccessReviews —
 * the bulk query path (10,000 per RBAC property run), where auditing costs about a third of the throughput.
 */
export const AUDIT_POLICY = `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
rules:
- level: None
  nonResourceURLs: [/healthz*, /readyz*, /livez*]
- level: None
  resources:
  - group: authorization.k8s.io
    resources: [subjectaccessreviews]
- level: RequestResponse
  resources:
  - group: rbac.authorization.k8s.io
- level: Metadata
`;
