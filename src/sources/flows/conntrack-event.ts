/**
 * One line of conntrack-tools' text output: `conntrack -E` events (best with `-e NEW -o timestamp`, optionally
 * `-o extended,id`) or a `conntrack -L` listing. For example:
 *
 *     [1795793105.162452]	    [NEW] tcp      6 120 SYN_SENT src=10.77.0.1 dst=10.96.0.10 sport=43692 dport=80 [UNREPLIED] src=10.77.0.2 dst=10.77.0.1 sport=8080 dport=43692
 *
 * The first `src= dst= sport= dport=` group is the original direction, the second the reply direction. A connection
 * to a Service address is translated (DNAT) by kube-proxy before it leaves the node, and the reply tuple shows where
 * it really went: the destination is the reply's source address and port (here the pod 10.77.0.2 on 8080 behind the
 * Service address 10.96.0.10:80); the source is the original source (masquerading changes only the reply's
 * destination).
 *
 * Each connection is counted once, at its NEW event (or once per line of a listing); UPDATE and DESTROY events of
 * the same connection are skipped with that reason.
 */
import type { Protocol } from '../../core/k8s/port-set.js';
import type { FlowLine } from './flow-line.js';
import { error, skip } from './flow-line.js';

const TIMESTAMP = /^\s*\[(\d+(?:\.\d+)?)\]\s*/;
const EVENT = /^\s*\[(NEW|UPDATE|DESTROY)\]\s*/;
const PROTOCOLS: Record<string, Protocol> = { tcp: 'TCP', udp: 'UDP', sctp: 'SCTP' };
const OTHER_PROTOCOLS = new Set(['icmp', 'icmpv6', 'udplite', 'dccp', 'gre', 'unknown']);
const SUMMARY = /^conntrack v[\d.]+ \(conntrack-tools\):/;

interface Tuple {
  src?: string;
  dst?: string;
  sport?: string;
  dport?: string;
}

export function parseConntrackLine(line: string): FlowLine {
  if (SUMMARY.test(line)) return skip('conntrack summary line');
  let rest = line;
  let time: number | undefined;
  const stamp = TIMESTAMP.exec(rest);
  if (stamp) {
    time = Math.round(Number(stamp[1]) * 1000);
    rest = rest.slice(stamp[0].length);
  }
  const event = EVENT.exec(rest);
  if (event) {
    if (event[1] !== 'NEW') return skip(`conntrack ${event[1]} event (each connection is counted at its NEW event)`);
    rest = rest.slice(event[0].length);
  }
  const tokens = rest.trim().split(/\s+/);
  let at = 0;
  // `-o extended` puts the layer-3 protocol first: `ipv4 2 tcp 6 …`.
  if (tokens[0] === 'ipv4' || tokens[0] === 'ipv6') at = 2;
  const name = tokens[at];
  if (name === undefined || name === '' || !/^\d+$/.test(tokens[at + 1] ?? '')) {
    return error('not a conntrack event or listing line: expected "[NEW] PROTOCOL NUMBER …" (conntrack -E -o timestamp)');
  }
  const protocol = PROTOCOLS[name];
  if (!protocol) {
    if (OTHER_PROTOCOLS.has(name)) return skip(`protocol ${name} (NetworkPolicy has no rules for it)`);
    return error(`unknown protocol "${name}"`);
  }
  const original: Tuple = {};
  const reply: Tuple = {};
  for (let i = at + 2; i < tokens.length; i++) {
    const token = tokens[i]!;
    const equals = token.indexOf('=');
    if (equals < 0) continue;
    const key = token.slice(0, equals);
    if (key !== 'src' && key !== 'dst' && key !== 'sport' && key !== 'dport') continue;
    const tuple = original[key] === undefined ? original : reply;
    tuple[key] ??= token.slice(equals + 1);
  }
  if (!original.src || !original.dst) return error('the line has no src= and dst= addresses');
  const destination = reply.src ?? original.dst;
  const portText = reply.src ? reply.sport : original.dport;
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 1 || port > 65535) return error(`no destination port (dport=/sport=) in the line`);
  return {
    kind: 'flow',
    flow: { ...(time !== undefined ? { time } : {}), source: { ip: original.src }, destination: { ip: destination }, protocol, port, count: 1 },
  };
}
