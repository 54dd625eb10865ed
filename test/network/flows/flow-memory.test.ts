/**
 * Memory grows with distinct edges, not with flows: the same 24 edges read from 15,000 and from 150,000 flow lines
 * (files streamed from disk, attributed and aggregated) leave the same live heap behind, measured after a full
 * garbage collection (within 2 MB; the two usually differ by less than 1 MB either way). Keeping the flow records
 * themselves would add about 60 MB, keeping a number per flow about 1 MB.
 * (Figures at 1,000,000 flows: bench/netpol-flows.bench.ts.)
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { buildNetworkModel } from '../../../src/network/index.js';
import { FlowAttributor } from '../../../src/network/flows/flow-attribution.js';
import { FlowAggregator } from '../../../src/network/flows/flow-aggregator.js';
import type { FlowObservation } from '../../../src/network/flows/workload-edge.js';
import { readFlowFiles } from '../../../src/sources/flows/read-flow-files.js';
import { deployment, podOf } from './flow-fixtures.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const objects = ['a', 'b', 'c', 'd'].flatMap((name, i) => {
  const owner = deployment('shop', name, { app: name }, [{ port: 8080 }, { port: 9090 }]);
  return [owner, podOf(owner, `${name}-1`, { ip: `10.1.0.${i + 1}` })];
});

/** `lines` flows over the 4 × 3 × 2 = 24 edges (source, other destination, port), one per line. */
async function writeFlows(path: string, lines: number): Promise<void> {
  const out = createWriteStream(path);
  for (let i = 0; i < lines; i++) {
    const from = i % 4;
    const to = (from + 1 + (Math.floor(i / 4) % 3)) % 4;
    const port = Math.floor(i / 12) % 2 === 0 ? 8080 : 9090;
    const time = new Date(Date.UTC(2026, 4, 1) + i * 1000).toISOString();
    const line = `{"time":"${time}","source":{"ip":"10.1.0.${from + 1}"},"destination":{"ip":"10.1.0.${to + 1}"},"protocol":"TCP","port":${port}}\n`;
    if (!out.write(line)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  }
  await new Promise((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve(undefined))));
}

async function liveHeapAfterReading(path: string): Promise<{ bytes: number; observation: FlowObservation }> {
  const model = buildNetworkModel(objects, { podsFrom: 'pods' });
  gc();
  const before = process.memoryUsage().heapUsed;
  const aggregator = new FlowAggregator(new FlowAttributor(model));
  await readFlowFiles([path], aggregator, { format: 'aspis' });
  const observation = aggregator.result();
  gc();
  const bytes = process.memoryUsage().heapUsed - before;
  return { bytes, observation };
}

it('the heap kept after aggregating 150,000 flows is that of 15,000 flows over the same edges', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'aspis-flow-memory-'));
  try {
    const small = join(dir, 'small.jsonl');
    const large = join(dir, 'large.jsonl');
    await writeFlows(small, 15_000);
    await writeFlows(large, 150_000);
    const a = await liveHeapAfterReading(small);
    const b = await liveHeapAfterReading(large);
    assert.equal(a.observation.edges.length, 24);
    assert.equal(b.observation.edges.length, 24);
    assert.equal(a.observation.flows, 15_000);
    assert.equal(b.observation.flows, 150_000);
    assert.equal(b.observation.edges.reduce((n, e) => n + e.count, 0), 150_000);
    const grown = b.bytes - a.bytes;
    assert.ok(grown < 2 * 1024 * 1024, `the heap grew by ${grown} bytes for 135,000 more flows over the same edges (${a.bytes} → ${b.bytes})`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
