/**
 * `aspis netpol harden` on Online Boutique (upstream's real manifests, ../shared/corpora/microservices-demo) with image
 * scan reports made by the real matcher from real OSV records (boutique-scan-reports.ts): recommendationservice ships
 * numexpr 2.8.4 (CVE-2023-39631, critical, no fixed version), frontend only fixable vulnerabilities. From the flows of
 * the 16 documented calls (call-graph.json):
 * - only recommendationservice is hardened: its ingress is frontend on TCP 8080 and nothing else, its egress
 *   productcatalogservice on TCP 3550 (and DNS) and nothing else, nothing to or from outside the cluster; every other
 *   connection of the shop is as before;
 * - the 16 calls still replay as allowed, by harden's own proof and by `aspis netpol replay` on the files it wrote.
 * Without flows, with upstream's own policies in place, for the internet-facing frontend, with internet egress in the
 * recording, and with bad input, each as asserted below. The after-state is computed independently of harden: the
 * written files are read back and evaluated with the engine's matrix.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCliInProcess } from '../../cli/run-cli-in-process.js';
import type { KubeObject } from '../../../src/core/model/resource.js';
import { buildNetworkModel, matrixPorts, PortSet, reachMatrix } from '../../../src/network/index.js';
import type { ReachMatrix } from '../../../src/network/index.js';
import type { NetpolHardenReport } from '../../../src/outputs/netpol-harden-report.js';
import { loadManifests } from '../../../src/sources/manifests/load-manifests.js';
import { callGraph, MANIFESTS, onlineBoutiqueFlowLines, UPSTREAM_POLICIES } from '../generate/online-boutique-flows.js';
import type { ScanReports } from './boutique-scan-reports.js';
import { boutiqueScanReports, fakeDigest, IMAGE, PACKAGES } from './boutique-scan-reports.js';

const aspis = runCliInProcess;

async function objects(paths: string[]): Promise<KubeObject[]> {
  const loaded = await loadManifests(paths);
  assert.deepEqual(loaded.errors, []);
  return loaded.resources.map((r) => r.object);
}

function files(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .sort();
}

const REC = 'default/Deployment/recommendationservice';
const FRONTEND = 'default/Deployment/frontend';
const id = (name: string) => `default/Deployment/${name}`;

describe('aspis netpol harden on Online Boutique', () => {
  let dir: string;
  let reports: ScanReports;
  let flows: string;
  let shop: KubeObject[];
  let open: ReachMatrix;
  const index = (matrix: ReachMatrix, groupId: string) => matrix.groups.findIndex((g) => g.id === groupId);

  /** The matrix of the shop with the policies written to `out` applied (read back from the files). */
  async function applied(out: string, base: KubeObject[] = shop): Promise<ReachMatrix> {
    const written = await objects([out]);
    const replaced = new Set(written.map((o) => o.metadata?.name));
    return reachMatrix(buildNetworkModel([...base.filter((o) => o.kind !== 'NetworkPolicy' || !replaced.has(o.metadata?.name)), ...written]));
  }

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'aspis-harden-ob-'));
    reports = await boutiqueScanReports();
    flows = join(dir, 'flows.jsonl');
    writeFileSync(flows, `${onlineBoutiqueFlowLines().join('\n')}\n`);
    shop = await objects([MANIFESTS]);
    open = reachMatrix(buildNetworkModel(shop));
  });

  after(() => {
    reports.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the reports come from the real matcher: a critical without fix for recommendationservice, fixable ones elsewhere', () => {
    const rec = JSON.parse(readFileSync(reports.files['recommendationservice']!, 'utf8')) as { vulnerabilities: { id: string; aliases: string[]; severity: string; fixedVersions: string[] }[] };
    const numexpr = rec.vulnerabilities.find((v) => v.aliases.includes('PYSEC-2023-163'));
    assert.deepEqual({ id: numexpr?.id, severity: numexpr?.severity, fixed: numexpr?.fixedVersions }, { id: 'CVE-2023-39631', severity: 'critical', fixed: [] });
    assert.ok(rec.vulnerabilities.some((v) => v.aliases.includes('PYSEC-2018-28') && v.fixedVersions.length > 0), 'requests 2.19.1 has a fixed vulnerability');
    const frontend = JSON.parse(readFileSync(reports.files['frontend']!, 'utf8')) as { vulnerabilities: { fixedVersions: string[] }[] };
    assert.ok(frontend.vulnerabilities.length > 0 && frontend.vulnerabilities.every((v) => v.fixedVersions.length > 0));
  });

  it('from the 16 calls: only recommendationservice is tightened, to exactly its calls; the 16 calls still replay as allowed', async () => {
    const out = join(dir, 'flows-out');
    const report = join(dir, 'flows-report.json');
    const run = await aspis(['netpol', 'harden', '--images', reports.files['recommendationservice']!, reports.files['frontend']!, '--flows', flows, '-f', MANIFESTS, '--output-dir', out, '--report', report]);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(files(out), ['default/harden-recommendationservice.yaml']);
    const yaml = readFileSync(join(out, 'default/harden-recommendationservice.yaml'), 'utf8');
    assert.match(yaml, /# {3}CVE-2023-39631 \(PYSEC-2023-163\) critical 9\.8 in PyPI numexpr 2\.8\.4, image us-central1-docker\.pkg\.dev\/online-boutique-ci\/microservices-demo\/recommendationservice:v0\.10\.6 \(container server\)/);
    assert.match(yaml, /# Deployment\/default\/frontend → Deployment\/default\/recommendationservice TCP\/8080 via Service default\/recommendationservice:8080: 14 flows/);
    assert.match(yaml, /# Deployment\/default\/recommendationservice → Deployment\/default\/productcatalogservice TCP\/3550 via Service default\/productcatalogservice:3550: 24 flows/);
    assert.doesNotMatch(yaml, /requests|PYSEC-2018-28/, 'a vulnerability with a fix is no reason to harden');

    const r = JSON.parse(readFileSync(report, 'utf8')) as NetpolHardenReport;
    assert.deepEqual(r.workloads.map((w) => [w.id, w.policy]), [[REC, 'default/harden-recommendationservice']]);
    assert.deepEqual(r.workloads[0]!.vulnerabilities.map((v) => `${v.id} ${v.severity} ${v.package} ${v.version}`), ['CVE-2023-39631 critical numexpr 2.8.4']);
    assert.deepEqual(r.reports.map((x) => x.matches.map((m) => `${m.workload} ${m.container} ${m.by}`)), [[`${REC} server reference`], [`${FRONTEND} server reference`]]);
    const [beforeState, afterState] = [r.workloads[0]!.before[0]!, r.workloads[0]!.after[0]!];
    assert.equal(beforeState.sources.length, 12);
    assert.deepEqual(beforeState.fromOutside, [{ addresses: ['0.0.0.0/0', '::/0'], ports: 'all' }]);
    assert.deepEqual(afterState.sources, [{ workload: FRONTEND, ports: 'TCP:8080' }]);
    assert.deepEqual(afterState.destinations, [{ workload: id('productcatalogservice'), ports: 'TCP:3550' }]);
    assert.deepEqual([afterState.fromOutside, afterState.toOutside], [[], []]);
    assert.deepEqual(r.workloads[0]!.opened, []);
    assert.deepEqual(r.otherChanges, []);
    assert.deepEqual(r.replay && { flows: r.replay.flows, edges: r.replay.edges, broken: r.replay.brokenFlows }, { flows: 280, edges: 16, broken: 0 });

    // Independently of harden's own proof: the files read back, with the engine's matrix.
    const hardened = await applied(out);
    const rec = index(hardened, REC);
    for (const source of hardened.groups) {
      for (const destination of hardened.groups) {
        const [s, d] = [index(hardened, source.id), index(hardened, destination.id)];
        const now = matrixPorts(hardened, s, d);
        const expected =
          d === rec ? (source.id === FRONTEND ? PortSet.range('TCP', 8080) : PortSet.NONE)
          : s === rec ? (destination.id === id('productcatalogservice') ? PortSet.range('TCP', 3550) : PortSet.NONE)
          : matrixPorts(open, index(open, source.id), index(open, destination.id));
        assert.ok(now.equals(expected), `${source.id} → ${destination.id}: ${now} instead of ${expected}`);
      }
    }
    assert.deepEqual([hardened.fromExternal[rec], hardened.toExternal[rec]], [[], []], 'internet ingress and egress are closed');
    const replay = await aspis(['netpol', 'replay', '--flows', flows, '-f', MANIFESTS, '--policies', out, '-o', 'json']);
    assert.equal(replay.code, 0, replay.stderr);
    const replayed = JSON.parse(replay.stdout) as { summary: { allowedEdges: number; deniedFlows: number }; edges: { source: { name: string }; destination: { name: string }; port: number }[] };
    assert.deepEqual(replayed.summary.allowedEdges, 16);
    assert.deepEqual(
      replayed.edges.map((e) => `${e.source.name}→${e.destination.name}:${e.port}`).sort(),
      callGraph.edges.map((e) => `${e.from}→${e.to}:${e.target_port}`).sort(),
    );
  });

  it('the same input gives the same text (deterministic)', async () => {
    const args = ['netpol', 'harden', '--images', reports.files['frontend']!, reports.files['recommendationservice']!, '--flows', flows, '-f', MANIFESTS];
    const [a, b] = [await aspis(args), await aspis(args)];
    assert.equal(a.code, 0, a.stderr);
    assert.equal(a.stdout, b.stdout);
    assert.match(a.stdout, /^# Deployment\/default\/recommendationservice: hardened by aspis netpol harden/);
  });

  it('without flows: in-cluster sources and destinations stay as today, nothing to or from outside the cluster', async () => {
    const out = join(dir, 'noflows-out');
    const run = await aspis(['netpol', 'harden', '--images', reports.files['recommendationservice']!, '-f', MANIFESTS, '--output-dir', out]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /on the current policies \(no flows given\)/);
    const hardened = await applied(out);
    const rec = index(hardened, REC);
    for (const group of hardened.groups) {
      assert.ok(matrixPorts(hardened, index(hardened, group.id), rec).isAll(), `${group.id} → recommendationservice`);
      assert.ok(matrixPorts(hardened, rec, index(hardened, group.id)).isAll(), `recommendationservice → ${group.id}`);
    }
    assert.deepEqual([hardened.fromExternal[rec], hardened.toExternal[rec]], [[], []]);
  });

  it("with upstream's policies in place: its recommendationservice policy is changed to exclude the workload, so the hardened one decides", async () => {
    const out = join(dir, 'upstream-out');
    const report = join(dir, 'upstream-report.json');
    const run = await aspis(['netpol', 'harden', '--images', reports.files['recommendationservice']!, '--flows', flows, '-f', MANIFESTS, UPSTREAM_POLICIES, '--output-dir', out, '--report', report]);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(files(out), ['default/harden-recommendationservice.yaml', 'default/recommendationservice.yaml']);
    const r = JSON.parse(readFileSync(report, 'utf8')) as NetpolHardenReport;
    assert.deepEqual(r.workloads[0]!.excludedFrom, [{ policy: 'default/recommendationservice', key: 'app', value: 'recommendationservice' }]);
    // Upstream allowed every egress (`egress: [{}]`): to every workload and outside the cluster; now only the call made.
    assert.deepEqual(r.workloads[0]!.before[0]!.toOutside, [{ addresses: ['0.0.0.0/0', '::/0'], ports: 'all' }]);
    assert.deepEqual(r.workloads[0]!.after[0]!.toOutside, []);
    assert.deepEqual(r.workloads[0]!.after[0]!.destinations, [{ workload: id('productcatalogservice'), ports: 'TCP:3550' }]);
    assert.equal(r.replay?.brokenFlows, 0);
    const upstream = await objects([MANIFESTS, UPSTREAM_POLICIES]);
    const hardened = await applied(out, upstream);
    assert.deepEqual(hardened.toExternal[index(hardened, REC)], []);
    // The rest of upstream's segmentation is untouched: frontend still takes everything, as upstream wants.
    assert.ok(hardened.fromExternal[index(hardened, FRONTEND)]!.length > 0);
  });

  it('an internet-facing workload keeps ingress from outside on its exposed port only; --close-internet-ingress closes that too', async () => {
    const crit = reports.write('frontend-critical', { name: IMAGE('frontend'), configDigest: fakeDigest('frontend') }, [...PACKAGES['frontend']!, ...PACKAGES['recommendationservice']!]);
    const report = join(dir, 'frontend-report.json');
    const run = await aspis(['netpol', 'harden', '--images', crit, '--flows', flows, '-f', MANIFESTS, '--report', report]);
    assert.equal(run.code, 0, run.stderr);
    const r = JSON.parse(readFileSync(report, 'utf8')) as NetpolHardenReport;
    const frontend = r.workloads[0]!;
    assert.equal(frontend.id, FRONTEND);
    assert.deepEqual(frontend.internetFacing, ['Service default/frontend-external (LoadBalancer) 80/TCP → 8080/TCP']);
    assert.deepEqual(frontend.after[0]!.fromOutside, [{ addresses: ['0.0.0.0/0', '::/0'], ports: 'TCP:8080' }]);
    assert.deepEqual(frontend.after[0]!.toOutside, []);
    // The exposed port is public: every pod may use it too (an ipBlock of every address matches pod addresses), no other port.
    assert.ok(frontend.after[0]!.sources.every((s) => s.ports === 'TCP:8080'));
    assert.deepEqual(frontend.after[0]!.destinations.map((d) => d.workload).sort(), callGraph.edges.filter((e) => e.from === 'frontend').map((e) => id(e.to)).sort());
    assert.equal(r.replay?.brokenFlows, 0);

    const closed = await aspis(['netpol', 'harden', '--images', crit, '--flows', flows, '-f', MANIFESTS, '--close-internet-ingress', '--report', report]);
    assert.equal(closed.code, 0, closed.stderr);
    const c = JSON.parse(readFileSync(report, 'utf8')) as NetpolHardenReport;
    assert.deepEqual(c.workloads[0]!.after[0]!.fromOutside, []);
    assert.deepEqual(c.workloads[0]!.after[0]!.sources, [{ workload: id('loadgenerator'), ports: 'TCP:8080' }]);
  });

  it('observed internet egress of the hardened workload would break: exit 1 naming the flow; --allow-egress keeps it', async () => {
    const withInternet = join(dir, 'internet.jsonl');
    const call = { time: '2026-05-01T11:00:00Z', source: { namespace: 'default', workload: { kind: 'Deployment', name: 'recommendationservice' } }, destination: { ip: '203.0.113.7' }, protocol: 'TCP', port: 443, count: 3 };
    writeFileSync(withInternet, `${[...onlineBoutiqueFlowLines(), JSON.stringify(call)].join('\n')}\n`);
    const report = join(dir, 'internet-report.json');
    const run = await aspis(['netpol', 'harden', '--images', reports.files['recommendationservice']!, '--flows', withInternet, '-f', MANIFESTS, '--report', report]);
    assert.equal(run.code, 1, run.stderr);
    const r = JSON.parse(readFileSync(report, 'utf8')) as NetpolHardenReport;
    assert.deepEqual(r.replay?.broken.map((b) => `${b.source} → ${b.destination} ${b.protocol}/${b.port} ${b.flows} ${b.deniedAt.join()}`), ['Deployment/default/recommendationservice → 203.0.113.7 TCP/443 3 egress']);
    assert.match(r.workloads[0]!.leftOut[0]!.reason, /allow it with --allow-egress 203\.0\.113\.7\/32/);
    assert.match(run.stderr, /would deny observed flows that are allowed today/);

    const allowed = await aspis(['netpol', 'harden', '--images', reports.files['recommendationservice']!, '--flows', withInternet, '-f', MANIFESTS, '--allow-egress', '203.0.113.7/32', '--report', report]);
    assert.equal(allowed.code, 0, allowed.stderr);
    const a = JSON.parse(readFileSync(report, 'utf8')) as NetpolHardenReport;
    assert.deepEqual(a.workloads[0]!.after[0]!.toOutside, [{ addresses: ['203.0.113.7/32'], ports: 'all' }]);
  });

  it('a report for an image no workload runs is an error naming it; the others are still used', async () => {
    const nginx = reports.write('nginx', { name: 'nginx:1.27', configDigest: fakeDigest('nginx') }, PACKAGES['recommendationservice']!);
    const run = await aspis(['netpol', 'harden', '--images', nginx, reports.files['recommendationservice']!, '-f', MANIFESTS]);
    assert.equal(run.code, 2);
    assert.ok(run.stderr.includes(`aspis: ${nginx}: no workload of the input runs the image nginx:1.27`), run.stderr);
    assert.match(run.stdout, /name: harden-recommendationservice/);
  });

  it('filters that match nothing are errors', async () => {
    const ns = await aspis(['netpol', 'harden', '--images', reports.files['recommendationservice']!, '-f', MANIFESTS, '-n', 'shop']);
    assert.equal(ns.code, 2);
    assert.match(ns.stderr, /--namespace shop: no workload of the input is in this namespace/);
    const clean = await aspis(['netpol', 'harden', '--images', reports.files['recommendationservice']!, '-f', MANIFESTS, '--workload', 'frontend']);
    assert.equal(clean.code, 2);
    assert.match(clean.stderr, /--workload frontend: default\/Deployment\/frontend runs no image with critical vulnerabilities without a fix in the reports given \(its images: us-central1-docker\.pkg\.dev\/online-boutique-ci\/microservices-demo\/frontend:v0\.10\.6\)/);
    const unknown = await aspis(['netpol', 'harden', '--images', reports.files['recommendationservice']!, '-f', MANIFESTS, '--workload', 'default/nope']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /no workload "nope" in namespace "default"/);
  });

  it('nothing at or above the severity without a fix: nothing to harden, exit 0', async () => {
    const run = await aspis(['netpol', 'harden', '--images', reports.files['frontend']!, '-f', MANIFESTS]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, '');
    assert.match(run.stderr, /Nothing to harden/);
  });

  it('a malformed report: the file, line and field are named, and the exit code is 2', async () => {
    const text = readFileSync(reports.files['recommendationservice']!, 'utf8').replace('"severity": "critical"', '"severity": "severe"');
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, text);
    const line = text.split('\n').findIndex((l) => l.includes('"severe"')) + 1;
    const run = await aspis(['netpol', 'harden', '--images', bad, '-f', MANIFESTS]);
    assert.equal(run.code, 2);
    assert.ok(run.stderr.includes(`aspis: ${bad}:${line}:`), run.stderr);
    assert.match(run.stderr, /vulnerabilities\[0\]\.severity: expected critical, high, medium, low, info or unknown, got "severe"; the vulnerability is left out/);
    const truncated = join(dir, 'truncated.json');
    writeFileSync(truncated, text.slice(0, 200));
    const cut = await aspis(['netpol', 'harden', '--images', truncated, '-f', MANIFESTS]);
    assert.equal(cut.code, 2);
    assert.ok(cut.stderr.includes(`aspis: ${truncated}: not a JSON image scan report`), cut.stderr);
  });
});
