/**
 * `aspis netpol generate` and `aspis netpol replay` end to end, as a user runs them (the CLI in a child process): on
 * Online Boutique's real manifests with the 16 documented calls, on a live-cluster dump with real conntrack events,
 * and with bad input. Exit codes: 0 nothing would break, 1 observed flows would break, 2 input or usage problems.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, readdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { runCli } from '../../cli/run-cli.js';
import { callGraph, MANIFESTS, onlineBoutiqueFlowLines, UPSTREAM_POLICIES } from './online-boutique-flows.js';
import { temporaryDirectory } from '../../harness/temporary-directory.js';

let dir: string;
let flows: string;
/** The policies `generate --output-dir` wrote for the 16 calls (shared by the tests: each CLI run costs seconds). */
let policies: string;

before(() => {
  dir = temporaryDirectory('aspis-netpol-cli-');
  flows = join(dir, 'flows.jsonl');
  writeFileSync(flows, `${onlineBoutiqueFlowLines().join('\n')}\n`);
  policies = join(dir, 'policies');
  const result = runCli(['netpol', 'generate', '--flows', flows, '-f', MANIFESTS, '--output-dir', policies]);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout, '');
  assert.match(result.stderr, /^Wrote 13 policies to /);
});

after(() => rmSync(dir, { recursive: true, force: true }));

describe('aspis netpol generate', () => {
  it('writes one default deny and one policy per workload, proven by replay (exit 0)', () => {
    const result = runCli(['netpol', 'generate', '--flows', flows, '-f', MANIFESTS]);
    assert.equal(result.code, 0, result.stderr);
    const docs = parseAllDocuments(result.stdout).map((d) => d.toJS() as { kind: string; metadata: { name: string; namespace: string } });
    assert.deepEqual(docs.map((d) => d.metadata.name), ['default-deny', ...Object.keys(callGraph.services).sort()]);
    assert.ok(docs.every((d) => d.kind === 'NetworkPolicy' && d.metadata.namespace === 'default'));
    assert.match(result.stderr, /Replayed 280 flows \(16 edges\) seen 2026-05-01T10:00:00Z … 2026-05-01T10:15:00Z against 13 proposed policies:\n {2}280 flows allowed \(16 edges\)\n {2}0 flows would break \(0 edges\)/);
  });

  it('--output-dir writes DIR/NAMESPACE/NAME.yaml; --cilium writes CiliumNetworkPolicies from the same plan', () => {
    assert.deepEqual(readdirSync(join(policies, 'default')).sort(), ['default-deny.yaml', ...Object.keys(callGraph.services).map((s) => `${s}.yaml`)].sort());
    const cilium = runCli(['netpol', 'generate', '--flows', flows, '-f', MANIFESTS, '--cilium']);
    assert.equal(cilium.code, 0, cilium.stderr);
    const kinds = new Set(parseAllDocuments(cilium.stdout).map((d) => (d.toJS() as { kind: string }).kind));
    assert.deepEqual([...kinds], ['CiliumNetworkPolicy']);
  });

  it('bad lines and unattributable flows are reported with file:line (exit 2); the rest is still generated', () => {
    const bad = join(dir, 'bad.jsonl');
    const lines = onlineBoutiqueFlowLines();
    writeFileSync(bad, [...lines.slice(0, 3), '{"source":{"ip":"10.0.0.1"},"destination":{"ip":"10.0.0.2"},"port":99999}', '{"source":{"ip":"10.9.9.9"},"destination":{"namespace":"default","service":"cartservice"},"port":7070}', ...lines.slice(3), '{"source"'].join('\n'));
    const result = runCli(['netpol', 'generate', '--flows', bad, '-f', MANIFESTS]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, new RegExp(`${bad}:4: port: expected a port number from 1 to 65535`));
    assert.match(result.stderr, new RegExp(`${bad}:19: truncated: the file ends in the middle of this line`));
    assert.match(result.stderr, /Not evaluated: 1 flow could not be attributed to a workload:\n {2}source 10\.9\.9\.9: an address of the cluster networks that no pod or Service of the inventory held \(1 flow, first at .*bad\.jsonl:5\)/);
    assert.equal(parseAllDocuments(result.stdout).length, 13, 'the 16 good flows still give every policy');
  });

  it('exits 1 when its own policies would deny an observed flow (a workload it cannot select), and says which', () => {
    const manifests = join(dir, 'unlabelled.yaml');
    writeFileSync(
      manifests,
      [
        'apiVersion: v1\nkind: Pod\nmetadata: {name: debug, namespace: shop}\nspec: {containers: [{name: c, image: busybox}]}',
        'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop}\nspec:\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec: {containers: [{name: c, image: nginx, ports: [{containerPort: 80}]}]}',
      ].join('\n---\n'),
    );
    const lines = join(dir, 'debug.jsonl');
    writeFileSync(lines, '{"source":{"namespace":"shop","pod":"debug"},"destination":{"namespace":"shop","workload":{"kind":"Deployment","name":"web"}},"port":80}\n');
    const result = runCli(['netpol', 'generate', '--flows', lines, '-f', manifests]);
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, /Warning: shop\/Pod\/debug: its pods have no stable label to select them by/);
    assert.match(result.stderr, /1 flow would break \(1 edge\)/);
    assert.match(result.stderr, /Pod\/shop\/debug +Deployment\/shop\/web +TCP\/80 +1 +- +egress \(shop\/default-deny\)/);
    assert.match(result.stderr, /aspis: the generated policies would deny observed flows/);
  });

  it('usage problems exit 2 with the reason', () => {
    const prefix = runCli(['netpol', 'generate', '--flows', flows, '-f', MANIFESTS, '--external-prefix-v4', '40']);
    assert.equal(prefix.code, 2);
    assert.match(prefix.stderr, /--external-prefix-v4 must be a prefix length from 0 to 32, got "40"/);
    const namespace = runCli(['netpol', 'generate', '--flows', flows, '-f', MANIFESTS, '-n', 'nowhere']);
    assert.equal(namespace.code, 2);
    assert.match(namespace.stderr, /--namespace nowhere: no workload of the inventory or of the flows is in namespace "nowhere"/);
  });
});

describe('aspis netpol replay', () => {
  it("nothing breaks under the generated policies, nor under upstream's", () => {
    for (const dirPolicies of [policies, UPSTREAM_POLICIES]) {
      const result = runCli(['netpol', 'replay', '--flows', flows, '-f', MANIFESTS, '--policies', dirPolicies]);
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /^ {2}0 flows would break \(0 edges\)$/m);
    }
  });

  it('without the cartservice policy, 3 edges and their flows would break: table, JSON, and one line per flow', () => {
    const partial = join(dir, 'partial');
    cpSync(policies, partial, { recursive: true });
    unlinkSync(join(partial, 'default', 'cartservice.yaml'));
    assert.ok(!existsSync(join(partial, 'default', 'cartservice.yaml')));

    const table = runCli(['netpol', 'replay', '--flows', flows, '-f', MANIFESTS, '--policies', partial]);
    assert.equal(table.code, 1, table.stderr);
    // frontend → cartservice (13 flows), checkoutservice → cartservice (23), cartservice → redis-cart (25).
    assert.match(table.stdout, /^ {2}61 flows would break \(3 edges\)$/m);
    assert.match(table.stdout, /Deployment\/default\/cartservice +Deployment\/default\/redis-cart +TCP\/6379 +25 +2026-05-01T10:15:00Z +egress \(default\/default-deny\)/);
    assert.match(table.stdout, /Deployment\/default\/checkoutservice +Deployment\/default\/cartservice +TCP\/7070 +23 +2026-05-01T10:13:00Z +ingress \(default\/default-deny\)/);

    const json = runCli(['netpol', 'replay', '--flows', flows, '-f', MANIFESTS, '--policies', partial, '-o', 'json']);
    assert.equal(json.code, 1);
    const report = JSON.parse(json.stdout) as { summary: Record<string, number>; policies: Record<string, number>; edges: { verdict: string; destination: { name?: string }; deniedAt?: string[] }[] };
    assert.deepEqual(report.summary, { allowedFlows: 219, deniedFlows: 61, allowedEdges: 13, deniedEdges: 3 });
    assert.deepEqual(report.policies, { proposed: 12, existing: 0 });
    assert.equal(report.edges.length, 16);

    const perFlow = runCli(['netpol', 'replay', '--flows', flows, '-f', MANIFESTS, '--policies', partial, '-o', 'flows']);
    assert.equal(perFlow.code, 1);
    const lines = perFlow.stdout.trim().split('\n').map((l) => JSON.parse(l) as { file: string; line: number; verdict: string; destination: string; port: number });
    assert.equal(lines.length, 16);
    assert.deepEqual(lines.map((l) => l.line), Array.from({ length: 16 }, (_, i) => i + 1));
    assert.deepEqual(
      lines.filter((l) => l.verdict === 'denied').map((l) => `${l.line} ${l.destination}:${l.port}`),
      ['4 Deployment/default/cartservice:7070', '14 Deployment/default/cartservice:7070', '16 Deployment/default/redis-cart:6379'],
    );
    assert.match(perFlow.stderr, /61 flows would break \(3 edges\)/);
  });

  it('--with-existing adds the inventory\'s own policies: upstream\'s component plus ours', () => {
    const result = runCli(['netpol', 'replay', '--flows', flows, '-f', MANIFESTS, '-f', UPSTREAM_POLICIES, '--policies', policies, '--with-existing', '-o', 'json']);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual((JSON.parse(result.stdout) as { policies: unknown }).policies, { proposed: 13, existing: 13 });
  });

  it("aspis netpol diff from upstream's policies to the generated ones: nothing opened, frontend's open door and all egress to outside closed", () => {
    const result = runCli(['netpol', 'diff', UPSTREAM_POLICIES, join(policies, 'default'), '-f', MANIFESTS, '-o', 'json']);
    assert.equal(result.code, 0, result.stderr);
    const diff = JSON.parse(result.stdout) as { opened: unknown[]; closed: { from: string; to: string; ports: string }[]; external: { workload: string; direction: string; opened: unknown[] }[]; summary: unknown };
    assert.deepEqual(diff.opened, []);
    assert.deepEqual(
      diff.closed.map((c) => `${c.from.split('/')[2]} → ${c.to.split('/')[2]} ${c.ports}`),
      Object.keys(callGraph.services)
        .sort()
        .map((name) => `${name} → frontend ${name === 'loadgenerator' ? 'TCP:1-8079,8081-65535 UDP:* SCTP:*' : 'all'}`),
    );
    assert.ok(diff.external.every((c) => c.opened.length === 0));
    assert.deepEqual(diff.summary, { opened: 0, closed: 12, externalChanges: 13 });
  });

  it('a --policies input without NetworkPolicies is an error', () => {
    const result = runCli(['netpol', 'replay', '--flows', flows, '-f', MANIFESTS, '--policies', MANIFESTS]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /not a NetworkPolicy \(networking\.k8s\.io\/v1\): replay evaluates Kubernetes NetworkPolicies only; left out/);
    assert.match(result.stderr, /no NetworkPolicy in --policies: nothing to replay against/);
  });
});

describe('a live-cluster dump and conntrack events', () => {
  it('attributes real conntrack events through the Pods of the dump and generates for them', () => {
    // The pods of the conntrack fixture (see flow-sources.test.ts): a client 10.77.0.1 and a server 10.77.0.2 behind a
    // Service 10.96.0.10:80 → 8080, as `kubectl get deploy,rs,pods,svc -o yaml` gives them.
    const dump = join(dir, 'cluster.yaml');
    const pod = (name: string, app: string, ip: string) =>
      `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\n  namespace: lab\n  labels: {app: ${app}, pod-template-hash: 6d4b7}\n  creationTimestamp: "2026-01-01T00:00:00Z"\n  ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: ${app}-6d4b7, uid: rs-${app}, controller: true}]\nspec: {containers: [{name: c, image: x, ports: [{containerPort: 8080, name: http}]}]}\nstatus: {phase: Running, podIP: ${ip}, podIPs: [{ip: ${ip}}]}`;
    const replicaSet = (app: string) =>
      `apiVersion: apps/v1\nkind: ReplicaSet\nmetadata:\n  name: ${app}-6d4b7\n  namespace: lab\n  uid: rs-${app}\n  ownerReferences: [{apiVersion: apps/v1, kind: Deployment, name: ${app}, uid: d-${app}, controller: true}]\nspec:\n  selector: {matchLabels: {app: ${app}, pod-template-hash: 6d4b7}}\n  template: {metadata: {labels: {app: ${app}, pod-template-hash: 6d4b7}}, spec: {containers: [{name: c, image: x}]}}`;
    const deployment = (app: string) => `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: ${app}, namespace: lab, uid: d-${app}}\nspec:\n  selector: {matchLabels: {app: ${app}}}\n  template: {metadata: {labels: {app: ${app}}}, spec: {containers: [{name: c, image: x}]}}`;
    writeFileSync(
      dump,
      [deployment('client'), replicaSet('client'), pod('client-6d4b7-a', 'client', '10.77.0.1'), deployment('server'), replicaSet('server'), pod('server-6d4b7-a', 'server', '10.77.0.2')].join('\n---\n'),
    );
    const events = join(import.meta.dirname, '..', 'flows', 'fixtures', 'conntrack-E-o-timestamp.txt');
    const result = runCli(['netpol', 'generate', '--flows', events, '-f', dump]);
    assert.equal(result.code, 0, result.stderr);
    const server = parseAllDocuments(result.stdout).map((d) => d.toJS() as { metadata: { name: string }; spec: { podSelector: unknown; ingress?: unknown[] } }).find((d) => d.metadata.name === 'server')!;
    assert.deepEqual(server.spec.podSelector, { matchLabels: { app: 'server' } });
    assert.deepEqual(server.spec.ingress, [
      // 8080 twice (through the Service DNAT and directly), the refused 9999; UDP 5353 is not a declared port: a number.
      { from: [{ podSelector: { matchLabels: { app: 'client' } } }], ports: [{ protocol: 'TCP', port: 'http' }, { protocol: 'TCP', port: 9999 }, { protocol: 'UDP', port: 5353 }] },
    ]);
    assert.match(result.stderr, /Records not used:\n {2}11 records: conntrack UPDATE event .*\n {2}1 record: conntrack DESTROY event/);
  });
});
