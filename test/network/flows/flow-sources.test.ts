/**
 * The flow readers (src/sources/flows): Hubble JSON, Aspis flow JSON Lines, conntrack event text, format detection,
 * and the file reader's error handling (file:line, truncated last line, over-long lines, gzip, the rest still read).
 *
 * The conntrack fixtures are real output of conntrack-tools 1.4.7 (Debian 12) captured on this machine: two network
 * namespaces joined by a veth pair, an nftables rule making the kernel track connections, a DNAT rule standing for
 * kube-proxy (10.96.0.10:80 → 10.77.0.2:8080, 10.96.0.53:53/udp → 10.77.0.2:5353), then in the client namespace
 * `conntrack -E [-o timestamp | -o extended,timestamp,id]` while curl, a UDP query and a refused connection ran.
 * test/network/flows/conntrack-live.test.ts repeats the capture at test time.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { AddressRecord, FlowPosition, FlowRecord } from '../../../src/core/model/flow-record.js';
import type { InputError } from '../../../src/core/model/report.js';
import { parseAspisFlowLine } from '../../../src/sources/flows/aspis-flow-line.js';
import { parseConntrackLine } from '../../../src/sources/flows/conntrack-event.js';
import { parseHubbleLine } from '../../../src/sources/flows/hubble-flow.js';
import { lineBatches } from '../../../src/sources/flows/line-batches.js';
import { detectFlowFormat, readFlowFile } from '../../../src/sources/flows/read-flow-files.js';
import type { FlowFormat } from '../../../src/sources/flows/read-flow-files.js';

const FIXTURES = join(import.meta.dirname, 'fixtures');

interface Collected {
  flows: { flow: FlowRecord; at: FlowPosition }[];
  addresses: AddressRecord[];
  skipped: { reason: string; at: FlowPosition }[];
  errors: InputError[];
}

async function collect(path: string, format: FlowFormat = 'auto'): Promise<Collected & { summary: Awaited<ReturnType<typeof readFlowFile>> }> {
  const out: Collected = { flows: [], addresses: [], skipped: [], errors: [] };
  const summary = await readFlowFile(
    path,
    {
      flow: (flow, at) => out.flows.push({ flow, at }),
      address: (address) => out.addresses.push(address),
      skip: (reason, at) => out.skipped.push({ reason, at }),
      error: (error) => out.errors.push(error),
    },
    { format },
  );
  return { ...out, summary };
}

function withTempDir<T>(body: (dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'aspis-flows-'));
  return body(dir).finally(() => rmSync(dir, { recursive: true, force: true }));
}

describe('conntrack events (real captures)', () => {
  it('counts each connection once, at NEW; the destination is the reply source (DNAT undone), the source the original source', async () => {
    const { flows, skipped, errors, summary } = await collect(join(FIXTURES, 'conntrack-E-o-timestamp.txt'));
    assert.deepEqual(errors, []);
    assert.equal(summary.format, 'conntrack');
    assert.deepEqual(
      flows.map(({ flow, at }) => [at.line, flow.time, flow.source.ip, flow.destination.ip, flow.protocol, flow.port]),
      [
        [1, 1795793105162, '10.77.0.1', '10.77.0.2', 'TCP', 8080], // curl http://10.96.0.10/ through the DNAT
        [7, 1795793105244, '10.77.0.1', '10.77.0.2', 'TCP', 8080], // curl http://10.77.0.2:8080/ directly
        [13, 1795793107616, '10.77.0.1', '10.77.0.2', 'UDP', 5353], // UDP to 10.96.0.53:53 through the DNAT
        [15, 1795793107643, '10.77.0.1', '10.77.0.2', 'TCP', 9999], // refused: NEW then DESTROY, still an attempt
      ],
    );
    assert.equal(skipped.length, 12);
    assert.ok(skipped.every((s) => /^conntrack (UPDATE|DESTROY) event/.test(s.reason)));
  });

  it('reads the same connections from -o extended,timestamp,id and from plain -E output (no time)', async () => {
    const extended = await collect(join(FIXTURES, 'conntrack-E-o-extended-timestamp-id.txt'));
    const plain = await collect(join(FIXTURES, 'conntrack-E.txt'));
    for (const result of [extended, plain]) {
      assert.deepEqual(result.errors, []);
      assert.deepEqual(
        result.flows.map(({ flow }) => [flow.source.ip, flow.destination.ip, flow.protocol, flow.port]),
        [
          ['10.77.0.1', '10.77.0.2', 'TCP', 8080],
          ['10.77.0.1', '10.77.0.2', 'TCP', 8080],
          ['10.77.0.1', '10.77.0.2', 'UDP', 5353],
          ['10.77.0.1', '10.77.0.2', 'TCP', 9999],
        ],
      );
    }
    assert.ok(extended.flows.every(({ flow }) => typeof flow.time === 'number'));
    assert.ok(plain.flows.every(({ flow }) => flow.time === undefined));
  });

  it('reads a conntrack -L listing and IPv6 lines; skips protocols NetworkPolicy has no rules for; rejects garbage', () => {
    assert.deepEqual(parseConntrackLine('tcp      6 431999 ESTABLISHED src=10.0.0.1 dst=10.0.0.2 sport=1234 dport=80 src=10.0.0.2 dst=10.0.0.1 sport=80 dport=1234 [ASSURED] mark=0 use=1'), {
      kind: 'flow',
      flow: { source: { ip: '10.0.0.1' }, destination: { ip: '10.0.0.2' }, protocol: 'TCP', port: 80, count: 1 },
    });
    const v6 = parseConntrackLine('[1700000000.5]\t    [NEW] ipv6     10 udp      17 30 src=fd00::1 dst=fd00::53 sport=40000 dport=53 [UNREPLIED] src=fd00::53 dst=fd00::1 sport=53 dport=40000');
    assert.deepEqual(v6, { kind: 'flow', flow: { time: 1700000000500, source: { ip: 'fd00::1' }, destination: { ip: 'fd00::53' }, protocol: 'UDP', port: 53, count: 1 } });
    assert.deepEqual(parseConntrackLine('    [NEW] icmp     1 30 src=10.0.0.1 dst=10.0.0.2 type=8 code=0 id=7 [UNREPLIED] src=10.0.0.2 dst=10.0.0.1 type=0 code=0 id=7'), {
      kind: 'skip',
      reason: 'protocol icmp (NetworkPolicy has no rules for it)',
    });
    assert.equal(parseConntrackLine('conntrack v1.4.7 (conntrack-tools): 16 flow events have been shown.').kind, 'skip');
    assert.equal(parseConntrackLine('hello world').kind, 'error');
    assert.match((parseConntrackLine('    [NEW] tcp 6 120 SYN_SENT sport=1 dport=2') as { message: string }).message, /no src= and dst=/);
  });
});

describe('Hubble flows (hubble observe -o json)', () => {
  it('uses request-direction L3/L4 flows and says why every other record is not used', async () => {
    const { flows, skipped, errors, summary } = await collect(join(FIXTURES, 'hubble-observe.json'));
    assert.equal(summary.format, 'hubble');
    assert.deepEqual(
      flows.map(({ flow, at }) => [at.line, flow.source.pod ?? flow.source.ip, flow.destination.pod ?? flow.destination.service ?? flow.destination.ip, flow.protocol, flow.port]),
      [
        [1, 'frontend-7d9c8b5f4-x2x9q', 'cartservice-5f6d-abcde', 'TCP', 7070],
        [6, 'frontend-7d9c8b5f4-x2x9q', '142.250.74.46', 'TCP', 443],
        [7, 'frontend-7d9c8b5f4-x2x9q', 'kube-dns', 'UDP', 53],
        [9, 'frontend-7d9c8b5f4-x2x9q', 'cartservice-5f6d-abcde', 'TCP', 7070], // a bare flow.Flow (older hubble)
      ],
    );
    const first = flows[0]!.flow;
    // Nanoseconds are cut to milliseconds; Cilium's own labels are not the pod's.
    assert.equal(first.time, Date.UTC(2026, 4, 1, 10, 0, 0, 123));
    assert.deepEqual(first.source.workload, { kind: 'Deployment', name: 'frontend' });
    assert.deepEqual(first.source.labels, { app: 'frontend', 'pod-template-hash': '7d9c8b5f4' });
    assert.equal(first.destination.service, undefined, 'a flow with a destination pod is already translated: no Service port');
    assert.equal(flows[1]!.flow.destination.reserved, 'world');
    assert.deepEqual([flows[2]!.flow.destination.service, flows[2]!.flow.destination.namespace, flows[2]!.flow.destination.ip], ['kube-dns', 'kube-system', '10.96.0.10']);
    assert.deepEqual(
      skipped.map((s) => [s.at.line, s.reason]),
      [
        [2, 'reply direction (the connection is counted from its request direction)'],
        [3, 'verdict DROPPED: dropped when observed, not evidence the connection is needed'],
        [4, 'Hubble L7 record (its connection is counted from its L3/L4 flows)'],
        [5, 'Hubble lost_events from HUBBLE_RING_BUFFER: the capture is incomplete'],
        [8, 'ICMP (NetworkPolicy has no rules for it)'],
        [11, 'Hubble node_status event (not a flow)'],
      ],
    );
    assert.deepEqual(errors, [{ source: join(FIXTURES, 'hubble-observe.json'), line: 10, message: 'l4.TCP.destination_port must be a port number (1-65535), got 70000' }]);
  });

  it('rejects lines that are not Hubble flows', () => {
    assert.match((parseHubbleLine('{"foo":1}') as { message: string }).message, /not a Hubble flow/);
    assert.match((parseHubbleLine('[1,2]') as { message: string }).message, /JSON object/);
    assert.match((parseHubbleLine('{"flow":{"IP":{"source":"10.0.0.1","destination":"10.0.0.2"},"l4":{"UDP":{"destination_port":53}},"time":"yesterday"}}') as { message: string }).message, /RFC 3339/);
  });
});

describe('Aspis flow JSON Lines', () => {
  it('reads flows and address records with their defaults', () => {
    assert.deepEqual(parseAspisFlowLine('{"time":"2026-05-01T10:00:00+02:00","source":{"ip":"10.0.1.7"},"destination":{"namespace":"shop","service":"cart"},"port":7070}'), {
      kind: 'flow',
      flow: { time: Date.UTC(2026, 4, 1, 8), source: { ip: '10.0.1.7' }, destination: { namespace: 'shop', service: 'cart' }, protocol: 'TCP', port: 7070, count: 1 },
    });
    assert.deepEqual(parseAspisFlowLine('{"type":"address","ip":"10.0.1.7","namespace":"shop","pod":"web-1","from":"2026-05-01T09:00:00Z"}'), {
      kind: 'address',
      address: { ip: '10.0.1.7', namespace: 'shop', pod: 'web-1', from: Date.UTC(2026, 4, 1, 9) },
    });
  });

  it('names every problem of a bad line, field by field', () => {
    const message = (line: string) => (parseAspisFlowLine(line) as { kind: string; message: string }).message;
    assert.equal(
      message('{"source":{"ip":"10.0.1.300"},"destination":{"pod":"x"},"port":0,"protocol":"ICMP","extra":true}'),
      'source.ip: expected an IPv4 or IPv6 address, got "10.0.1.300"; destination.namespace: pod, workload and service need a namespace; ' +
        'protocol: expected TCP, UDP or SCTP, got "ICMP"; port: expected a port number from 1 to 65535; (line): Unrecognized key: "extra"',
    );
    assert.equal(message('{"source":{},"destination":{"ip":"10.0.0.1"},"port":80}'), 'source: an endpoint needs at least one of ip, pod, workload, service');
    assert.equal(message('{"source":{"namespace":"a","service":"s"},"destination":{"ip":"10.0.0.1"},"port":80}'), 'source.service: a connection comes from a pod or an address, not a Service');
    assert.match(message('{"time":"2026-05-01 10:00","source":{"ip":"10.0.0.1"},"destination":{"ip":"10.0.0.2"},"port":80}'), /^time: expected an RFC 3339 timestamp/);
    assert.match(message('{"type":"address","ip":"10.0.0.1","pod":"x"}'), /^namespace: /);
    assert.match(message('{"source":'), /^not JSON/);
  });
});

describe('flow files', () => {
  it('tells the formats apart by their first line', () => {
    assert.equal(detectFlowFormat('{"flow":{"IP":{}}}'), 'hubble');
    assert.equal(detectFlowFormat('{"lost_events":{}}'), 'hubble');
    assert.equal(detectFlowFormat('{"source":{"ip":"10.0.0.1"},"destination":{"ip":"10.0.0.2"},"port":80}'), 'aspis');
    assert.equal(detectFlowFormat('[1795793105.162452]\t    [NEW] tcp      6 120 SYN_SENT src=10.77.0.1'), 'conntrack');
    assert.equal(detectFlowFormat(' [UPDATE] udp      17 30 src=10.77.0.1'), 'conntrack');
    assert.equal(detectFlowFormat('tcp      6 431999 ESTABLISHED src=10.0.0.1'), 'conntrack');
    assert.equal(detectFlowFormat('Hello'), undefined);
  });

  it('a truncated last line and bad lines are errors with file:line; every other line still counts', () =>
    withTempDir(async (dir) => {
      const path = join(dir, 'flows.jsonl');
      const good = '{"source":{"ip":"10.0.0.1"},"destination":{"ip":"10.0.0.2"},"port":80}';
      writeFileSync(path, [good, '', 'garbage', good, '{"type":"address","ip":"10.0.0.1","namespace":"a","pod":"p"}', `${good}\r`, '{"source":{"ip":"10.0.0.1"},"desti'].join('\n'));
      const { flows, addresses, errors, summary } = await collect(path);
      assert.deepEqual(flows.map(({ at }) => at.line), [1, 4, 6]);
      assert.equal(addresses.length, 1);
      assert.deepEqual(
        errors.map((e) => [e.line, e.message.replace(/\(.*\)$/, '(…)')]),
        [
          [3, 'not JSON: Unexpected token \'g\', "garbage" is not valid JSON'],
          [7, 'truncated: the file ends in the middle of this line (…)'],
        ],
      );
      assert.deepEqual({ ...summary, file: '' }, { file: '', format: 'aspis', lines: 7, flows: 3, addresses: 1, skipped: 0, errors: 2 });
    }));

  it('an over-long line is reported and skipped without being held in memory; gzip files are read', () =>
    withTempDir(async (dir) => {
      const good = '{"source":{"ip":"10.0.0.1"},"destination":{"ip":"10.0.0.2"},"port":80}';
      const path = join(dir, 'flows.jsonl.gz');
      writeFileSync(path, gzipSync([good, 'x'.repeat(3 << 20), good, ''].join('\n')));
      const { flows, errors } = await collect(path, 'aspis');
      assert.deepEqual(flows.map(({ at }) => at.line), [1, 3]);
      assert.deepEqual(errors.map((e) => [e.line, e.message]), [[2, 'line longer than 1 MiB: not a flow record (not read)']]);

      const batches = [];
      const long = join(dir, 'long.txt');
      writeFileSync(long, `a\n${'y'.repeat(5000)}\nb`);
      for await (const batch of lineBatches({ path: long, maxLineLength: 1000 })) batches.push(batch);
      assert.deepEqual(
        batches.flatMap((b) => b.lines.map((text, i) => [b.firstLine + i, text, b.overlong?.includes(b.firstLine + i) ?? false])),
        [
          [1, 'a', false],
          [2, '', true],
          [3, 'b', false],
        ],
      );
      assert.equal(batches.at(-1)!.unterminatedLast, true);
    }));

  it('a missing, empty or unrecognisable file is one error, not a crash', () =>
    withTempDir(async (dir) => {
      const empty = join(dir, 'empty.json');
      writeFileSync(empty, '');
      const text = join(dir, 'notes.txt');
      writeFileSync(text, 'these are not flows\n');
      assert.deepEqual((await collect(join(dir, 'missing.json'))).errors, [{ source: join(dir, 'missing.json'), message: 'no such file' }]);
      assert.deepEqual((await collect(empty)).errors, [{ source: empty, message: 'the file is empty: no flow' }]);
      assert.match((await collect(text)).errors[0]!.message, /cannot tell the flow format/);
      assert.deepEqual((await collect(dir)).errors, [{ source: dir, message: 'is a directory: name the flow files' }]);
    }));
});
