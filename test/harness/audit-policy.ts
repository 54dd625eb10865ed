/**
 * The audit policy of the test apiserver: full request and response bodies for RBAC objects (so tests can see which
 * grants changed), Metadata for everything else, nothing for the harness's own health probes.
 */
export const AUDIT_POLICY = `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
rules:
- level: None
  nonResourceURLs: [/healthz*, /readyz*, /livez*]
- level: RequestResponse
  resources:
  - group: rbac.authorization.k8s.io
- level: Metadata
`;
