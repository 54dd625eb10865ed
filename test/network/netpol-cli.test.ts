/**
 * `aspis netpol reach|explain|diff` on manifests: outputs, exit codes, and bad input (an invalid policy is reported
 * with file:line and left out, the rest is still answered; a name that designates nothing is a usage error). The first
 * run goes through the binary in a child process, as a user runs it; the others call the same entry point (main) in
 * this process with standard output and error captured, which saves seconds of start-up per run.
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, writeFileSync, cpSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Script } from 'node:vm';
import { runCli } from '../cli/run-cli.js';
import type { CliResult } from '../cli/run-cli.js';
import { runCliInProcess } from '../cli/run-cli-in-process.js';

const aspis = runCliInProcess;
import type { NetpolDiffReport, NetpolExplainReport, NetpolReachReport } from '../../src/outputs/netpol-report.js';
import { temporaryDirectory } from '../harness/temporary-directory.js';

const CORPUS = '/work/shared/corpora/microservices-demo';
const WORKLOADS = join(CORPUS, 'release/kubernetes-manifests.yaml');
const POLICY_DIR = join(CORPUS, 'kustomize/components/network-policies');
const POLICIES = readdirSync(POLICY_DIR)
  .filter((name) => name.startsWith('network-policy-'))
  .map((name) => join(POLICY_DIR, name));

describe('aspis netpol on Online Boutique manifests', () => {
  let dir: string;
  before(() => {
    dir = temporaryDirectory('aspis-netpol-cli-');
    // Policy directories without the kustomization (a Component, which `kubectl kustomize` cannot build alone).
    cpSync(POLICY_DIR, join(dir, 'upstream'), { recursive: true, filter: (src) => !src.endsWith('kustomization.yaml') && !src.endsWith('README.md') });
    cpSync(join(dir, 'upstream'), join(dir, 'changed'), { recursive: true });
    rmSync(join(dir, 'changed', 'network-policy-emailservice.yaml'));
    return () => rmSync(dir, { recursive: true, force: true });
  });

  it('reach -o json: 27 connections, 12 workloads isolated both ways', async () => {
    const result = runCli(['netpol', 'reach', '-f', WORKLOADS, ...POLICIES, '-o', 'json']);
    assert.equal(result.code, 0, result.stderr);
    const report = JSON.parse(result.stdout) as NetpolReachReport;
    assert.equal(report.kind, 'NetpolReach');
    assert.equal(report.summary.workloads, 12);
    assert.equal(report.summary.edges, 27);
    assert.equal(report.summary.isolatedForIngress, 12);
    const email = report.edges.find((e) => e.from === 'default/Deployment/checkoutservice' && e.to === 'default/Deployment/emailservice');
    assert.deepEqual(email?.portRanges, { TCP: [[8080, 8080]] });
    assert.deepEqual(report.external.ingress.map((e) => e.workload), ['default/Deployment/frontend']);
  });

  it('reach table, dot and html render the same connections', async () => {
    const table = await aspis(['netpol', 'reach', '-f', WORKLOADS, ...POLICIES]);
    assert.equal(table.code, 0);
    assert.match(table.stdout, /Allowed connections between workloads \(27 of 144 ordered pairs\)/);
    assert.match(table.stdout, /default\/Deployment\/checkoutservice\s+default\/Deployment\/emailservice\s+TCP:8080/);
    const dot = await aspis(['netpol', 'reach', '-f', WORKLOADS, ...POLICIES, '-o', 'dot']);
    assert.match(dot.stdout, /^digraph netpol \{/);
    assert.equal(dot.stdout.match(/"default\/Deployment\/[a-z-]+" -> "default\/Deployment\/[a-z-]+"/g)?.length, 27);
    const html = await aspis(['netpol', 'reach', '-f', WORKLOADS, ...POLICIES, '-o', 'html']);
    assert.match(html.stdout, /^<!doctype html>/);
    assert.doesNotMatch(html.stdout, /<(script|link|img)[^>]+(src|href)=/, 'self-contained: nothing loaded from elsewhere');
    const embedded = /<script type="application\/json" id="report">(.*?)<\/script>/s.exec(html.stdout);
    assert.equal((JSON.parse(embedded![1]!) as NetpolReachReport).edges.length, 27);
    // No browser here: at least the page's script must compile.
    const script = /<script>(.*?)<\/script>/s.exec(html.stdout)![1]!;
    assert.doesNotThrow(() => new Script(script));
  });

  it('reach -n keeps the analysis and shows one namespace; a namespace without workloads is an error', async () => {
    assert.equal((await aspis(['netpol', 'reach', '-f', WORKLOADS, '-n', 'default', '-o', 'json'])).code, 0);
    const none = await aspis(['netpol', 'reach', '-f', WORKLOADS, '-n', 'shop']);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /--namespace shop: no workload of the input is in this namespace/);
  });

  it('explain: exit 0 when allowed, 1 when denied, with the deciding rule and its file:line', async () => {
    const allowed = await aspis(['netpol', 'explain', '-f', WORKLOADS, ...POLICIES, '--from', 'checkoutservice', '--to', 'svc/emailservice', '--port', '5000']);
    assert.equal(allowed.code, 0, allowed.stderr);
    assert.match(allowed.stdout, /^allowed: checkoutservice → svc\/emailservice port 5000\/TCP/);
    assert.match(allowed.stdout, /targetPort 8080/);
    assert.match(allowed.stdout, /✓ default\/emailservice ingress\[0\] at .*network-policy-emailservice\.yaml:\d+: MATCHES/);
    const denied = await aspis(['netpol', 'explain', '-f', WORKLOADS, ...POLICIES, '--from', 'Deployment/default/frontend', '--to', 'paymentservice', '--port', '50051/tcp', '-o', 'json']);
    assert.equal(denied.code, 1);
    const report = JSON.parse(denied.stdout) as NetpolExplainReport;
    assert.equal(report.allowed, 'no');
    const ingress = report.cases[0]!.ingress!;
    assert.deepEqual(ingress.selectedBy.map((p) => p.policy).sort(), ['default/deny-all', 'default/paymentservice']);
    assert.deepEqual(ingress.rules.map((r) => [r.policy, r.peer, r.port, r.matches]), [['default/paymentservice', null, 0, false]]);
    const open = await aspis(['netpol', 'explain', '-f', WORKLOADS, '--from', 'frontend', '--to', 'paymentservice', '--port', '50051']);
    assert.equal(open.code, 0);
    assert.match(open.stdout, /no NetworkPolicy selects it for Ingress: not isolated/);
  });

  it('explain: a name that designates nothing and a bad port are usage errors (exit 2)', async () => {
    const unknown = await aspis(['netpol', 'explain', '-f', WORKLOADS, '--from', 'frontend', '--to', 'paymentsvc', '--port', '80']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /no workload "paymentsvc" in namespace "default" \(known: Deployment\/adservice/);
    const port = await aspis(['netpol', 'explain', '-f', WORKLOADS, '--from', 'frontend', '--to', 'cartservice', '--port', '70000']);
    assert.equal(port.code, 2);
    assert.match(port.stderr, /a port number is from 1 to 65535/);
  });

  it('an invalid policy is reported with file:line and field, left out, and the rest still answered (exit 2)', async () => {
    const bad = join(dir, 'bad-policy.yaml');
    writeFileSync(
      bad,
      ['apiVersion: networking.k8s.io/v1', 'kind: NetworkPolicy', 'metadata: {name: broken}', 'spec:', '  podSelector: {}', '  ingress:', '  - from:', '    - ipBlock: {cidr: 10.0.0.0/33}', ''].join('\n'),
    );
    const result = await aspis(['netpol', 'reach', '-f', WORKLOADS, ...POLICIES, bad, '-o', 'json']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /bad-policy\.yaml:8:\d+: spec\.ingress\[0\]\.from\[0\]\.ipBlock\.cidr: NetworkPolicy\/broken: .*prefix length must be a number from 0 to 32 \(the API server would reject it: left out\)/);
    assert.equal((JSON.parse(result.stdout) as NetpolReachReport).summary.edges, 27);
  });

  it('explain names the AdminNetworkPolicy rule that passed and the baseline rule that decided', async () => {
    const file = join(dir, 'admin.yaml');
    writeFileSync(
      file,
      [
        'apiVersion: v1',
        'kind: Namespace',
        'metadata: {name: gryffindor, labels: {house: gryffindor}}',
        '---',
        'apiVersion: v1',
        'kind: Namespace',
        'metadata: {name: slytherin, labels: {house: slytherin}}',
        '---',
        'apiVersion: v1',
        'kind: Pod',
        'metadata: {name: harry, namespace: gryffindor}',
        'spec: {containers: [{name: c, image: x}]}',
        '---',
        'apiVersion: v1',
        'kind: Pod',
        'metadata: {name: draco, namespace: slytherin}',
        'spec: {containers: [{name: c, image: x}]}',
        '---',
        'apiVersion: policy.networking.k8s.io/v1alpha1',
        'kind: AdminNetworkPolicy',
        'metadata: {name: pass-example}',
        'spec:',
        '  priority: 10',
        '  subject: {namespaces: {matchLabels: {house: gryffindor}}}',
        '  ingress:',
        '  - {name: pass-slytherin, action: Pass, from: [{namespaces: {matchLabels: {house: slytherin}}}]}',
        '---',
        'apiVersion: policy.networking.k8s.io/v1alpha1',
        'kind: BaselineAdminNetworkPolicy',
        'metadata: {name: default}',
        'spec:',
        '  subject: {namespaces: {matchLabels: {house: gryffindor}}}',
        '  ingress:',
        '  - {name: deny-slytherin, action: Deny, from: [{namespaces: {matchLabels: {house: slytherin}}}]}',
        '',
      ].join('\n'),
    );
    const result = await aspis(['netpol', 'explain', '-f', file, '--from', 'slytherin/draco', '--to', 'gryffindor/harry', '--port', '80', '-o', 'json']);
    assert.equal(result.code, 1, result.stderr);
    const ingress = (JSON.parse(result.stdout) as NetpolExplainReport).cases[0]!.ingress!;
    assert.deepEqual(ingress.admin, { policy: 'AdminNetworkPolicy/pass-example', priority: 10, rule: 0, name: 'pass-slytherin', action: 'Pass', location: `${file}:26` });
    assert.deepEqual(ingress.baseline, { policy: 'BaselineAdminNetworkPolicy/default', rule: 0, name: 'deny-slytherin', action: 'Deny', location: `${file}:34` });
  });

  it('diff OLD NEW with common workloads (-f): what dropping a policy closes; --exit-code', async () => {
    const result = await aspis(['netpol', 'diff', join(dir, 'upstream'), join(dir, 'changed'), '-f', WORKLOADS, '-o', 'json']);
    assert.equal(result.code, 0, result.stderr);
    const report = JSON.parse(result.stdout) as NetpolDiffReport;
    assert.deepEqual(report.opened, []);
    assert.deepEqual(
      report.closed.map((c) => `${c.from} → ${c.to} ${c.ports}`),
      ['default/Deployment/checkoutservice → default/Deployment/emailservice TCP:8080', 'default/Deployment/emailservice → default/Deployment/frontend all'],
    );
    assert.equal((await aspis(['netpol', 'diff', join(dir, 'upstream'), join(dir, 'changed'), '-f', WORKLOADS, '--exit-code'])).code, 1);
    const same = await aspis(['netpol', 'diff', join(dir, 'upstream'), join(dir, 'upstream'), '-f', WORKLOADS, '--exit-code']);
    assert.equal(same.code, 0);
    assert.match(same.stdout, /no connection is opened or closed/);
  });
});
