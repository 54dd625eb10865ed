/**
 * A real NetworkPolicy dataplane for tests: kube-router v2.1.0's firewall controller (built by tools/kube-router/
 * build.sh) enforcing the NetworkPolicies of a test API server (test/harness/control-plane.ts) on "pods" that are
 * network namespaces of this host, with real TCP and UDP between them.
 *
 *   const rig = await startDataplaneRig(cp, { namespaces, pods, tcpPorts: [80, 8080], udpPorts: [53] });
 *   await rig.setPolicies([...NetworkPolicy objects]);   // replaces every policy of the rig's namespaces; resolves
 *                                                        // once kube-router's iptables reflect exactly that set
 *   await rig.probe('ns-a/web', rig.pod('ns-b/api').ip, 'TCP', 8080) → 'open' | 'refused' | 'timeout' | 'error …'
 *   const recording = rig.recordConntrack(); …; await recording.stop() → `conntrack -E -o timestamp` text
 *   await rig.stop();
 *
 * Layout (everything lives in namespaces this rig creates, so the host's own firewall and bridges are untouched):
 * - one "node" network namespace holding the bridge (10.77.0.1/24, the Node's InternalIP), kube-router and its
 *   iptables/ipsets, with `net.bridge.bridge-nf-call-iptables=1` there so bridged pod-to-pod traffic traverses the
 *   FORWARD chain kube-router filters (its rules match `-m physdev --physdev-is-bridged` and the pod IPs);
 * - one namespace per pod, eth0 = a veth whose peer is on the bridge, running dataplane-agent.mjs (servers + prober);
 * - the API server listens on the host's loopback, which the node namespace cannot reach: a relay in the node
 *   namespace forwards its 127.0.0.1:PORT to a Unix socket this process pipes to the real port;
 * - the API server gets a Node (InternalIP 10.77.0.1), the namespaces, and Pods with spec.nodeName and a status
 *   written through the status subresource (Running, Ready, podIP, hostIP = node IP): kube-router v2.1.0 enforces
 *   for pods whose status.hostIP is its node's IP (pkg/controllers/netpol/pod.go, getLocalPods).
 *
 * Sync: after changing policies the rig writes a sentinel NetworkPolicy `sync-N` (own namespace and pod, no netns)
 * last, waits until kube-router is idle (no sync started or ended for a moment, per its log) and then until a rule
 * commented with its name is in the node's iptables. The NetworkPolicy informer sees writes in order and a full sync
 * reads every policy at once and restores the filter table atomically, so once sync-N is there, every earlier write
 * is enforced; being idle means no later sync is rewriting named-port ipsets under the probes. Conntrack is flushed after each change: an entry from an earlier
 * policy set must not let a new probe through as ESTABLISHED.
 *
 * Needs root, network namespaces, `ip`, `iptables`, `ipset`, `conntrack`, the bridge netfilter sysctl and Go (for
 * the kube-router build); dataplaneRigUnavailable() names what is missing. Everything is removed by stop() (and
 * leftovers of a killed run by the next start: namespaces are named after the owning process id).
 */
import { execFile, execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync, readFileSync, statSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ControlPlane } from './control-plane.js';
import { ProcessGroup, type SupervisedProcess } from './supervised-processes.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const AGENT = join(HERE, 'dataplane-agent.mjs');
const BUILD = join(HERE, '../../tools/kube-router/build.sh');

export const NODE_NAME = 'aspis-rig-node';
export const NODE_IP = '10.77.0.1';
const PREFIX = 24;
const SYNC_NAMESPACE = 'aspis-rig-sync';
const SYNC_POD_IP = '10.77.0.250';

export interface RigNamespace {
  name: string;
  labels?: Record<string, string>;
}

export interface RigPodSpec {
  namespace: string;
  name: string;
  labels?: Record<string, string>;
  /** containerPorts (named ports resolve against these); the agent listens on every rig port regardless. */
  ports?: { name?: string; containerPort: number; protocol?: 'TCP' | 'UDP' }[];
}

export interface RigPod extends RigPodSpec {
  /** namespace/name */
  key: string;
  ip: string;
  netns: string;
}

export type ProbeResult = 'open' | 'refused' | 'timeout' | `error ${string}`;

export interface DataplaneRigOptions {
  namespaces: RigNamespace[];
  pods: RigPodSpec[];
  tcpPorts: number[];
  udpPorts: number[];
}

/** Why the rig cannot run here, or undefined when it can. */
export function dataplaneRigUnavailable(): string | undefined {
  if (process.platform !== 'linux') return 'needs Linux network namespaces';
  if (process.getuid?.() !== 0) return 'needs root to create network namespaces, veths and iptables rules';
  const tools: [string, string][] = [
    ['ip', 'iproute2'],
    ['iptables-save', 'iptables'],
    ['ipset', 'ipset'],
    ['conntrack', 'conntrack'],
    ['go', 'Go >= 1.21, to build kube-router'],
  ];
  for (const [tool, from] of tools) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) return `needs the ${tool} command (${from})`;
  }
  const probe = `aspis-dp-probe-${process.pid}`;
  const created = spawnSync('ip', ['netns', 'add', probe], { encoding: 'utf8' });
  if (created.status !== 0) return `cannot create a network namespace: ${created.stderr.trim()}`;
  try {
    const bridge = spawnSync('ip', ['-n', probe, 'link', 'add', 'br0', 'type', 'bridge'], { encoding: 'utf8' });
    if (bridge.status !== 0) return `cannot create a bridge: ${bridge.stderr.trim()}`;
    const sysctl = spawnSync('ip', ['netns', 'exec', probe, 'sysctl', '-qw', 'net.bridge.bridge-nf-call-iptables=1'], { encoding: 'utf8' });
    if (sysctl.status !== 0) return `bridge netfilter (br_netfilter) unavailable: ${sysctl.stderr.trim()}`;
  } finally {
    spawnSync('ip', ['netns', 'del', probe]);
  }
  return undefined;
}

function run(command: string, args: string[], input?: string): string {
  try {
    return execFileSync(command, args, { encoding: 'utf8', input, stdio: ['pipe', 'pipe', 'pipe'] });
  } catch (error) {
    const e = error as { stderr?: string; message: string };
    throw new Error(`${command} ${args.join(' ')}: ${e.stderr?.trim() || e.message}`);
  }
}

function runAsync(command: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(command, args, { encoding: 'utf8', maxBuffer: 64 << 20 }, (error, stdout, stderr) =>
      error ? reject(new Error(`${command} ${args.join(' ')}: ${stderr.trim() || error.message}`)) : resolve(stdout),
    ),
  );
}

/** Builds kube-router once (cached in ~/.cache/aspis) and returns the binary's path. */
export function kubeRouterBinary(): string {
  const dir = run(BUILD, []).trim().split('\n').pop()!;
  return join(dir, 'kube-router');
}

/** Removes namespaces left by rigs whose process is gone (a SIGKILLed test run). */
function removeAbandonedNamespaces(): void {
  let names: string[];
  try {
    names = readdirSync('/run/netns');
  } catch {
    return;
  }
  for (const name of names) {
    const owner = /^aspis-dp(\d+)-/.exec(name)?.[1];
    if (owner === undefined) continue;
    try {
      process.kill(Number(owner), 0);
    } catch {
      spawnSync('ip', ['netns', 'del', name]);
    }
  }
}

/** A client of one pod agent's prober: many probes in flight on one Unix socket connection. */
class Prober {
  private nextId = 0;
  private readonly pending = new Map<number, (result: ProbeResult) => void>();
  private buffer = '';

  constructor(private readonly socket: Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      this.buffer += chunk;
      let newline: number;
      while ((newline = this.buffer.indexOf('\n')) >= 0) {
        const answer = JSON.parse(this.buffer.slice(0, newline)) as { id: number; result: ProbeResult };
        this.buffer = this.buffer.slice(newline + 1);
        this.pending.get(answer.id)?.(answer.result);
        this.pending.delete(answer.id);
      }
    });
  }

  probe(to: string, protocol: 'TCP' | 'UDP', port: number, timeoutMs: number): Promise<ProbeResult> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.socket.write(`${JSON.stringify({ id, to, protocol, port, timeoutMs })}\n`);
    });
  }

  close(): void {
    this.socket.destroy();
  }
}

export interface ConntrackRecording {
  /** Stops `conntrack -E` and returns what it printed. */
  stop(): Promise<string>;
}

export class DataplaneRig {
  private syncGeneration = 0;
  private readonly probers = new Map<string, Prober>();

  constructor(
    readonly cp: ControlPlane,
    readonly pods: readonly RigPod[],
    readonly namespaces: readonly RigNamespace[],
    readonly nodeNetns: string,
    readonly kubeRouter: SupervisedProcess,
    readonly workDir: string,
    private readonly group: ProcessGroup,
    private readonly relay: Server,
  ) {}

  pod(key: string): RigPod {
    const pod = this.pods.find((p) => p.key === key);
    if (!pod) throw new Error(`no rig pod ${key}`);
    return pod;
  }

  async connectProbers(): Promise<void> {
    for (const pod of this.pods) {
      const path = join(this.workDir, `${pod.name}.${pod.namespace}.sock`);
      const deadline = Date.now() + 30_000;
      for (;;) {
        try {
          const socket = await new Promise<Socket>((resolve, reject) => {
            const s = createConnection(path, () => resolve(s));
            s.once('error', reject);
          });
          this.probers.set(pod.key, new Prober(socket));
          break;
        } catch (error) {
          if (Date.now() > deadline) throw new Error(`the agent of ${pod.key} does not answer on ${path}: ${(error as Error).message}`);
          await sleep(50);
        }
      }
    }
  }

  /** A real connection from a pod to an address: TCP gets "ok" from the server, UDP gets its datagram echoed. */
  probe(from: string, to: string, protocol: 'TCP' | 'UDP', port: number, timeoutMs = 3000): Promise<ProbeResult> {
    const prober = this.probers.get(from);
    if (!prober) throw new Error(`no rig pod ${from}`);
    return prober.probe(to, protocol, port, timeoutMs);
  }

  /** Makes `policies` the only NetworkPolicies of the rig's namespaces, enforced, with conntrack flushed. */
  async setPolicies(policies: readonly Record<string, unknown>[]): Promise<void> {
    await Promise.all(
      this.namespaces.map(async (ns) => {
        const response = await this.cp.request('DELETE', `/apis/networking.k8s.io/v1/namespaces/${ns.name}/networkpolicies`);
        if (response.status >= 300) throw new Error(`deleting the NetworkPolicies of ${ns.name}: ${response.status} ${JSON.stringify(response.body)}`);
      }),
    );
    for (const policy of policies) await this.cp.apply(policy as never);
    await this.awaitSync();
    run('ip', ['netns', 'exec', this.nodeNetns, 'conntrack', '-F']);
  }

  /**
   * Writes the next sentinel policy and waits until kube-router is idle with its iptables carrying it (see the
   * header). Idle matters: a sync queued behind the one that wrote the sentinel rewrites the ipsets of named ports in
   * Go map order before it swaps the chains that use them, so probes during it see rules and sets that disagree.
   */
  async awaitSync(timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let lastError = '';
    for (;;) {
      const logStart = this.kubeRouterLogSize();
      const previous = this.syncGeneration;
      const generation = ++this.syncGeneration;
      await this.cp.apply(sentinelPolicy(generation) as never);
      if (previous > 0) await this.cp.request('DELETE', `/apis/networking.k8s.io/v1/namespaces/${SYNC_NAMESPACE}/networkpolicies/sync-${previous}`);
      const marker = `policy name: sync-${generation} `;
      for (;;) {
        if (!this.kubeRouter.running()) throw new Error(`kube-router exited:\n${this.kubeRouter.logTail()}`);
        if (Date.now() > deadline) {
          throw new Error(`kube-router did not sync sync-${generation} within ${timeoutMs} ms:\n${lastError ? `last error: ${lastError}\n` : ''}${this.kubeRouter.logTail()}`);
        }
        const state = await this.kubeRouterIdle(logStart);
        if (state === 'busy') continue;
        // No sync runs now, so iptables-save cannot race kube-router's restore (nf_tables "Set with index N").
        const rules = await runAsync('ip', ['netns', 'exec', this.nodeNetns, 'iptables-save', '-t', 'filter']).catch((error: Error) => {
          lastError = error.message;
          return '';
        });
        if (state === 'aborted') {
          lastError = 'kube-router aborted its last sync';
          break; // its ipsets may be newer than its chains: make it sync again
        }
        if (rules.includes(marker)) return;
        await sleep(40);
      }
    }
  }

  private kubeRouterLogSize(): number {
    return statSync(this.kubeRouter.logPath).size;
  }

  /**
   * Waits until no kube-router sync has started or ended for QUIET_MS since `logStart` (a queued sync starts right
   * after the one before it ends, so it shows within that time) and says how the last one ended.
   */
  private async kubeRouterIdle(logStart: number): Promise<'idle' | 'aborted' | 'busy'> {
    const QUIET_MS = 250;
    const START = 'Starting sync of iptables with version';
    const END = 'sync iptables took';
    const syncLines = () =>
      readFileSync(this.kubeRouter.logPath)
        .subarray(logStart)
        .toString('utf8')
        .split('\n')
        .filter((line) => line.includes(START) || line.includes(END) || line.includes('Aborting sync'));
    const before = syncLines().length;
    await sleep(QUIET_MS);
    const lines = syncLines();
    if (lines.length !== before) return 'busy';
    const starts = lines.flatMap((line, index) => (line.includes(START) ? [index] : []));
    const lastStart = starts.at(-1);
    if (lastStart === undefined) return 'busy'; // the sentinel's sync has not started yet
    const tail = lines.slice(lastStart);
    if (!tail.some((line) => line.includes(END))) return 'busy';
    return tail.some((line) => line.includes('Aborting sync')) ? 'aborted' : 'idle';
  }

  /** The filter table of the node namespace (for failure messages). */
  iptablesRules(): string {
    return run('ip', ['netns', 'exec', this.nodeNetns, 'iptables-save', '-t', 'filter']);
  }

  /** Starts `conntrack -E -o timestamp` in the node namespace, where every pod-to-pod connection is tracked. */
  async recordConntrack(): Promise<ConntrackRecording> {
    const child = spawn('ip', ['netns', 'exec', this.nodeNetns, 'conntrack', '-E', '-o', 'timestamp'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
    const exited = new Promise((resolve) => child.once('exit', resolve));
    await sleep(300); // the netlink subscription is in place before the caller's traffic starts
    return {
      stop: async () => {
        await sleep(300); // the last events (closing handshakes) are delivered
        child.kill('SIGTERM');
        await exited;
        return text;
      },
    };
  }

  async stop(): Promise<void> {
    for (const prober of this.probers.values()) prober.close();
    this.relay.close();
    await this.group.stop();
    for (const pod of this.pods) spawnSync('ip', ['netns', 'del', pod.netns]);
    spawnSync('ip', ['netns', 'del', this.nodeNetns]);
  }
}

function sentinelPolicy(generation: number): Record<string, unknown> {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: `sync-${generation}`, namespace: SYNC_NAMESPACE },
    spec: { podSelector: { matchLabels: { 'aspis-rig': 'sync' } }, policyTypes: ['Ingress'], ingress: [{}] },
  };
}

function podObject(pod: RigPodSpec): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: pod.name, namespace: pod.namespace, labels: pod.labels ?? {} },
    spec: {
      nodeName: NODE_NAME,
      containers: [{ name: 'app', image: 'registry.invalid/rig:1', ...(pod.ports ? { ports: pod.ports } : {}) }],
    },
  };
}

async function writeStatus(cp: ControlPlane, path: string, status: Record<string, unknown>): Promise<void> {
  const response = await cp.request('PATCH', `${path}/status`, { status }, { contentType: 'application/merge-patch+json' });
  if (response.status >= 300) throw new Error(`PATCH ${path}/status: ${response.status} ${JSON.stringify(response.body)}`);
}

async function registerPod(cp: ControlPlane, pod: RigPodSpec, ip: string): Promise<void> {
  await cp.apply(podObject(pod) as never);
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  await writeStatus(cp, `/api/v1/namespaces/${pod.namespace}/pods/${pod.name}`, {
    phase: 'Running',
    podIP: ip,
    podIPs: [{ ip }],
    hostIP: NODE_IP,
    hostIPs: [{ ip: NODE_IP }],
    startTime: now,
    conditions: [
      { type: 'Ready', status: 'True', lastTransitionTime: now },
      { type: 'ContainersReady', status: 'True', lastTransitionTime: now },
    ],
  });
}

/** Starts the rig: namespaces and bridge, pod namespaces with agents, API objects, kube-router. */
export async function startDataplaneRig(cp: ControlPlane, options: DataplaneRigOptions): Promise<DataplaneRig> {
  if (options.pods.length > 200) throw new Error('the rig holds at most 200 pods (10.77.0.10-209)');
  const binary = kubeRouterBinary();
  removeAbandonedNamespaces();
  const id = `aspis-dp${process.pid}`;
  const group = new ProcessGroup(mkdtempSync(join(tmpdir(), 'aspis-dataplane-')));
  const workDir = group.workDir;
  const nodeNetns = `${id}-node`;
  const pods: RigPod[] = options.pods.map((pod, i) => ({ ...pod, key: `${pod.namespace}/${pod.name}`, ip: `10.77.0.${10 + i}`, netns: `${id}-p${i}` }));
  let relay: Server | undefined;
  try {
    // The node: bridge, the netfilter hook for bridged traffic, loopback for the relay.
    run('ip', ['netns', 'add', nodeNetns]);
    run('ip', ['-n', nodeNetns, 'link', 'set', 'lo', 'up']);
    run('ip', ['-n', nodeNetns, 'link', 'add', 'br0', 'type', 'bridge']);
    run('ip', ['-n', nodeNetns, 'addr', 'add', `${NODE_IP}/${PREFIX}`, 'dev', 'br0']);
    run('ip', ['-n', nodeNetns, 'link', 'set', 'br0', 'up']);
    run('ip', ['netns', 'exec', nodeNetns, 'sysctl', '-qw', 'net.bridge.bridge-nf-call-iptables=1']);
    // kube-router REJECTs: without a rate limit on the ICMP errors, a refused UDP probe fails at once, not by timeout.
    run('ip', ['netns', 'exec', nodeNetns, 'sysctl', '-qw', 'net.ipv4.icmp_ratelimit=0', 'net.ipv4.icmp_msgs_per_sec=100000', 'net.ipv4.icmp_msgs_burst=100000']);
    // The pods: eth0 with the pod IP, the peer on the bridge.
    pods.forEach((pod, i) => {
      const hostSide = `veth${i}`;
      run('ip', ['netns', 'add', pod.netns]);
      run('ip', ['-n', nodeNetns, 'link', 'add', hostSide, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', pod.netns]);
      run('ip', ['-n', nodeNetns, 'link', 'set', hostSide, 'master', 'br0', 'up']);
      run('ip', ['-n', pod.netns, 'addr', 'add', `${pod.ip}/${PREFIX}`, 'dev', 'eth0']);
      run('ip', ['-n', pod.netns, 'link', 'set', 'eth0', 'up']);
      run('ip', ['-n', pod.netns, 'link', 'set', 'lo', 'up']);
      run('ip', ['-n', pod.netns, 'route', 'add', 'default', 'via', NODE_IP]);
      group.spawn(`agent-${i}`, 'ip', [
        'netns', 'exec', pod.netns, process.execPath, AGENT, 'agent',
        join(workDir, `${pod.name}.${pod.namespace}.sock`), pod.ip, options.tcpPorts.join(','), options.udpPorts.join(','),
      ]);
    });

    // The API server, reachable from the node namespace through a Unix socket.
    const apiserver = new URL(cp.server);
    const relaySocket = join(workDir, 'apiserver.sock');
    relay = createServer((inbound) => {
      const outbound = createConnection(Number(apiserver.port), apiserver.hostname);
      inbound.pipe(outbound).pipe(inbound);
      inbound.on('error', () => outbound.destroy());
      outbound.on('error', () => inbound.destroy());
    });
    await new Promise<void>((resolve) => relay!.listen(relaySocket, resolve));
    relay.unref();
    group.spawn('relay', 'ip', ['netns', 'exec', nodeNetns, process.execPath, AGENT, 'relay', apiserver.port, relaySocket]);

    // The objects kube-router reads.
    const node = await cp.apply({ apiVersion: 'v1', kind: 'Node', metadata: { name: NODE_NAME, labels: { 'kubernetes.io/hostname': NODE_NAME } } } as never);
    if (node.length !== 1) throw new Error('the Node was not created');
    await writeStatus(cp, `/api/v1/nodes/${NODE_NAME}`, {
      addresses: [
        { type: 'InternalIP', address: NODE_IP },
        { type: 'Hostname', address: NODE_NAME },
      ],
      conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'rig', lastHeartbeatTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z') }],
    });
    for (const ns of [...options.namespaces, { name: SYNC_NAMESPACE }]) await cp.createNamespace(ns.name, ns.labels ? { labels: ns.labels } : {});
    await registerPod(cp, { namespace: SYNC_NAMESPACE, name: 'sync', labels: { 'aspis-rig': 'sync' } }, SYNC_POD_IP);
    for (const pod of pods) await registerPod(cp, pod, pod.ip);

    // kube-router, firewall only, in the node namespace.
    const kubeconfig = join(workDir, 'kube-router.kubeconfig');
    writeFileSync(kubeconfig, readFileSync(cp.adminKubeconfig, 'utf8'));
    const kubeRouter = group.spawn('kube-router', 'ip', [
      'netns', 'exec', nodeNetns, binary,
      `--kubeconfig=${kubeconfig}`,
      `--hostname-override=${NODE_NAME}`,
      '--run-firewall=true',
      '--run-router=false',
      '--run-service-proxy=false',
      '--enable-cni=false',
      '--enable-ipv4=true',
      '--enable-ipv6=false',
      '--health-port=0',
      '--metrics-port=0',
      // Syncs only when the API objects change (the rig waits for those): a periodic one during probes is a window
      // where named-port ipsets and chains disagree (see awaitSync).
      '--iptables-sync-period=24h',
      '-v=1',
    ]);
    const rig = new DataplaneRig(cp, pods, options.namespaces, nodeNetns, kubeRouter, workDir, group, relay);
    await rig.connectProbers();
    await rig.awaitSync(120_000);
    return rig;
  } catch (error) {
    relay?.close();
    await group.stop();
    for (const pod of pods) spawnSync('ip', ['netns', 'del', pod.netns]);
    spawnSync('ip', ['netns', 'del', nodeNetns]);
    throw error;
  }
}
