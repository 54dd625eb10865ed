/**
 * The conntrack flow source against the real kernel: two network namespaces ("pods") joined by a veth pair, an
 * nftables DNAT rule in the client namespace standing for kube-proxy (Service address 10.96.77.10:80 → server pod
 * 10.78.0.2:8080), `conntrack -E -o timestamp` recording while real TCP and UDP connections run, then the recording
 * read by `readFlowFile` and attributed through Pods and a Service: the Service connection and the direct one land
 * on the same workload edge, on the pod port.
 *
 * Needs root, `ip`, `nft` and `conntrack` (Debian packages iproute2, nftables, conntrack); skips with the reason
 * otherwise. Everything it creates (namespaces, processes, files) is removed at the end.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeObject } from '../../../src/core/model/resource.js';
import { buildNetworkModel } from '../../../src/network/index.js';
import { FlowAttributor } from '../../../src/network/flows/flow-attribution.js';
import { FlowAggregator } from '../../../src/network/flows/flow-aggregator.js';
import { readFlowFile } from '../../../src/sources/flows/read-flow-files.js';

function missing(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root to create network namespaces';
  for (const tool of ['ip', 'nft', 'conntrack']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) return `needs the ${tool} command (apt-get install ${tool === 'ip' ? 'iproute2' : tool === 'nft' ? 'nftables' : 'conntrack'})`;
  }
  return undefined;
}

const skip = missing();
const CLIENT = `aspis-ct-${process.pid}-c`;
const SERVER = `aspis-ct-${process.pid}-s`;
/** Interface names (at most 15 characters). */
const CLIENT_IF = `act${process.pid}c`;
const SERVER_IF = `act${process.pid}s`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function sh(...args: string[]): void {
  execFileSync(args[0]!, args.slice(1), { stdio: ['ignore', 'ignore', 'pipe'] });
}

function inNetns(ns: string, script: string): ChildProcess {
  return spawn('ip', ['netns', 'exec', ns, process.execPath, '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
}

const SERVERS = `
const net = require('node:net'), dgram = require('node:dgram');
net.createServer((s) => s.end('ok')).listen(8080, '10.78.0.2');
const u = dgram.createSocket('udp4'); u.on('message', (m, r) => u.send(m, r.port, r.address)); u.bind(5353, '10.78.0.2');
setInterval(() => {}, 1000);`;

const CLIENTS = `
const net = require('node:net'), dgram = require('node:dgram');
const tcp = (host, port) => new Promise((resolve, reject) => { const s = net.connect(port, host, () => { s.on('data', () => s.end()); s.on('close', resolve); }); s.on('error', reject); });
(async () => {
  await tcp('10.96.77.10', 80);
  await tcp('10.78.0.2', 8080);
  await new Promise((resolve) => { const u = dgram.createSocket('udp4'); u.on('message', () => { u.close(); resolve(); }); u.send('hi', 5353, '10.78.0.2'); });
})().then(() => process.exit(0), (e) => { console.error(e); process.exit(1); });`;

function pod(name: string, owner: string, ip: string, labels: Record<string, string>): KubeObject[] {
  return [
    { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: owner, namespace: 'shop', uid: `${owner}-uid` }, spec: { selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'c', image: 'x' }] } } } },
    {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: 'shop', labels, creationTimestamp: '2020-01-01T00:00:00Z', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: owner, uid: `${owner}-uid`, controller: true }] },
      spec: { containers: [{ name: 'c', image: 'x', ports: [{ containerPort: 8080, name: 'http' }] }] },
      status: { phase: 'Running', podIP: ip, podIPs: [{ ip }] },
    },
  ];
}

describe('conntrack -E on this machine', { skip }, () => {
  const children: ChildProcess[] = [];
  let dir = '';

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'aspis-conntrack-'));
    sh('ip', 'netns', 'add', CLIENT);
    sh('ip', 'netns', 'add', SERVER);
    sh('ip', 'link', 'add', CLIENT_IF, 'type', 'veth', 'peer', 'name', SERVER_IF);
    sh('ip', 'link', 'set', CLIENT_IF, 'netns', CLIENT);
    sh('ip', 'link', 'set', SERVER_IF, 'netns', SERVER);
    sh('ip', '-n', CLIENT, 'addr', 'add', '10.78.0.1/24', 'dev', CLIENT_IF);
    sh('ip', '-n', SERVER, 'addr', 'add', '10.78.0.2/24', 'dev', SERVER_IF);
    for (const [ns, dev] of [[CLIENT, CLIENT_IF], [SERVER, SERVER_IF]] as const) {
      sh('ip', '-n', ns, 'link', 'set', dev, 'up');
      sh('ip', '-n', ns, 'link', 'set', 'lo', 'up');
    }
    sh('ip', '-n', CLIENT, 'route', 'add', '10.96.0.0/16', 'dev', CLIENT_IF);
    // A rule that uses connection tracking makes the kernel track the namespace's connections; the DNAT plays kube-proxy.
    const rules = [
      'table inet aspis {',
      '  chain out {',
      '    type filter hook output priority 0;',
      '    ct state new counter',
      '  }',
      '}',
      'table ip aspisnat {',
      '  chain out {',
      '    type nat hook output priority -100;',
      '    ip daddr 10.96.77.10 tcp dport 80 dnat to 10.78.0.2:8080',
      '  }',
      '}',
      '',
    ].join('\n');
    execFileSync('ip', ['netns', 'exec', CLIENT, 'nft', '-f', '-'], { input: rules });
  });

  after(() => {
    for (const child of children) child.kill('SIGKILL');
    spawnSync('ip', ['netns', 'del', CLIENT]);
    spawnSync('ip', ['netns', 'del', SERVER]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('records real connections and attributes them to the workload edge, through the Service DNAT', async () => {
    const servers = inNetns(SERVER, SERVERS);
    children.push(servers);
    const recorder = spawn('ip', ['netns', 'exec', CLIENT, 'conntrack', '-E', '-o', 'timestamp'], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(recorder);
    let recorded = '';
    recorder.stdout!.on('data', (chunk: Buffer) => (recorded += chunk.toString()));
    await sleep(500);
    const clients = inNetns(CLIENT, CLIENTS);
    let clientErrors = '';
    clients.stderr!.on('data', (chunk: Buffer) => (clientErrors += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => clients.on('exit', resolve));
    assert.equal(code, 0, clientErrors);
    await sleep(300);
    recorder.kill('SIGTERM');
    await new Promise((resolve) => recorder.on('exit', resolve));

    const file = join(dir, 'conntrack.txt');
    writeFileSync(file, recorded);
    const objects: KubeObject[] = [
      ...pod('web-6d4b7-aaaaa', 'web', '10.78.0.1', { app: 'web' }),
      ...pod('api-5c9f8-bbbbb', 'api', '10.78.0.2', { app: 'api' }),
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'api', namespace: 'shop' }, spec: { clusterIP: '10.96.77.10', selector: { app: 'api' }, ports: [{ port: 80, targetPort: 'http' }] } },
    ];
    const model = buildNetworkModel(objects, { podsFrom: 'pods' });
    const aggregator = new FlowAggregator(new FlowAttributor(model));
    const summary = await readFlowFile(file, aggregator);
    const observation = aggregator.result();
    assert.equal(summary.format, 'conntrack');
    assert.deepEqual(observation.errors, []);
    assert.deepEqual(observation.unattributed, []);
    assert.deepEqual(
      observation.edges.map((e) => [`${e.from.type === 'workload' ? e.from.name : e.from.ip} → ${e.to.type === 'workload' ? e.to.name : e.to.ip}`, `${e.protocol}/${e.port}`, e.count]),
      [
        ['web → api', 'TCP/8080', 2],
        ['web → api', 'UDP/5353', 1],
      ],
    );
    const tcp = observation.edges[0]!;
    assert.ok(tcp.firstSeen! <= tcp.lastSeen! && Math.abs(tcp.firstSeen! - Date.now()) < 60_000, 'times come from the kernel events');
  });
});
