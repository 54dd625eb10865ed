/**
 * The NetworkPolicy coverage checks through a real scan (`aspis scan manifests`), which keeps only projections of
 * workloads for inventory checks (src/scan/inventory-projection.ts): the checks must still see pod template labels,
 * container ports and hostNetwork. Online Boutique with and without upstream's policies.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';
import type { Report } from '../../src/core/model/report.js';

const CORPUS = '/work/shared/corpora/microservices-demo';
const WORKLOADS = join(CORPUS, 'release/kubernetes-manifests.yaml');
const POLICY_DIR = join(CORPUS, 'kustomize/components/network-policies');
const POLICIES = readdirSync(POLICY_DIR)
  .filter((name) => name.startsWith('network-policy-'))
  .map((name) => join(POLICY_DIR, name));
const NETWORK_CHECKS = new Set(['namespace-without-default-deny', 'workload-not-isolated', 'network-policy-selects-nothing', 'network-policy-rule-never-matches', 'exposed-workload-open-to-all']);

async function scan(paths: string[], withLocation = false): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'aspis-network-checks-'));
  try {
    const output = join(dir, 'report.json');
    const code = await main(['node', 'aspis', 'scan', 'manifests', ...paths, '-o', 'json', '--output-file', output]);
    assert.ok(code === 0 || code === 1, `scan exited ${code}`);
    const report = JSON.parse(readFileSync(output, 'utf8')) as Report;
    return report.findings
      .filter((f) => NETWORK_CHECKS.has(f.checkId))
      .map((f) => `${f.checkId} ${f.resource.kind}/${f.resource.name}: ${withLocation ? `${f.path} at line ${f.location?.line}` : f.message}`)
      .sort();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('network checks in aspis scan manifests (Online Boutique)', () => {
  it('with upstream policies: only frontend, exposed by a LoadBalancer and open to everything, is reported', async () => {
    assert.deepEqual(await scan([WORKLOADS, ...POLICIES]), [
      'exposed-workload-open-to-all Deployment/frontend: Deployment "frontend" is exposed outside the cluster by Service "frontend-external" (LoadBalancer) and open to all traffic: its NetworkPolicies (deny-all, frontend) admit every port from every pod and address',
    ]);
  });

  it('without policies: every workload open both ways, frontend exposed', async () => {
    const findings = await scan([WORKLOADS]);
    assert.equal(findings.filter((f) => f.startsWith('workload-not-isolated ')).length, 24);
    assert.ok(findings.includes('workload-not-isolated Deployment/cartservice: Deployment "cartservice" is not isolated for ingress: no NetworkPolicy of its namespace selects its pods, so any pod or address may connect to it'));
    assert.ok(findings.some((f) => f.startsWith('exposed-workload-open-to-all Deployment/frontend: ') && f.includes('no NetworkPolicy isolates it for ingress')));
    // Objects without a namespace are not attributed to one: no namespace finding.
    assert.deepEqual(findings.filter((f) => f.startsWith('namespace-without-default-deny')), []);
  });

  it('named ports resolve on the projected containers; a selector typo selects nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aspis-network-checks-'));
    try {
      const file = join(dir, 'shop.yaml');
      writeFileSync(
        file,
        `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: app
        image: registry.example.com/web:1.0
        ports: [{name: http, containerPort: 8080}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  policyTypes: [Ingress, Egress]
  ingress:
  - ports: [{port: http}, {port: admin}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: typo, namespace: shop}
spec:
  podSelector: {matchLabels: {app: wbe}}
`,
      );
      // The Deployment alone, in its namespace: open both ways, reported at its pod template's labels.
      writeFileSync(file.replace('shop.yaml', 'open.yaml'), readFileSync(file, 'utf8').split('---\n')[0]!.replace('namespace: shop', 'namespace: open'));
      assert.deepEqual(await scan([file]), [
        'namespace-without-default-deny Namespace/shop: namespace "shop" has no default-deny NetworkPolicy for ingress and egress: pods of its 1 workload(s) not selected by another policy are open for ingress and egress',
        'network-policy-rule-never-matches NetworkPolicy/web: NetworkPolicy "web": ingress[0] port "admin"/TCP is declared by none of the pods it selects (Deployment "web")',
        'network-policy-selects-nothing NetworkPolicy/typo: NetworkPolicy "typo" selects none of the 1 workload(s) of its namespace (podSelector app=wbe)',
      ]);
      // Each at the line of the field it names, although the scan kept only projections of these objects.
      assert.deepEqual(await scan([file], true), [
        'namespace-without-default-deny Namespace/shop: metadata.name at line undefined',
        'network-policy-rule-never-matches NetworkPolicy/web: spec.ingress[0].ports[1] at line 21',
        'network-policy-selects-nothing NetworkPolicy/typo: spec.podSelector at line 27',
      ]);
      const notIsolated = await scan([file.replace('shop.yaml', 'open.yaml')], true);
      assert.deepEqual(notIsolated, [
        'namespace-without-default-deny Namespace/open: metadata.name at line undefined',
        'workload-not-isolated Deployment/web: spec.template.metadata.labels at line 7',
        'workload-not-isolated Deployment/web: spec.template.metadata.labels at line 7',
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
