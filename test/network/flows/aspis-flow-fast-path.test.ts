/**
 * The hand-written fast path for Aspis flow lines (src/sources/flows/aspis-flow-fast-path.ts) accepts only lines the
 * zod schema accepts and gives the same record; it takes the common shape, so large files rarely need the schema.
 * Lines are generated near the schema's edges: valid and invalid times, addresses, names, ports, counts, protocols,
 * unknown keys, missing namespaces.
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { fastAspisFlow } from '../../../src/sources/flows/aspis-flow-fast-path.js';
import { schemaFlow } from '../../../src/sources/flows/aspis-flow-line.js';

/** Mostly a good value, now and then one from the edge of the schema. */
const mostly = <T, U>(good: fc.Arbitrary<T>, bad: fc.Arbitrary<U>) => fc.oneof({ weight: 12, arbitrary: good }, { weight: 1, arbitrary: bad });
const optional = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined, freq: 2 });

const time = mostly(
  fc.date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString()),
  fc.oneof(
    fc.constantFrom('2026-05-01T10:00:00.123456789+02:00', '2024-02-29T00:00:00Z', '2026-02-29T00:00:00Z', '2026-02-30T00:00:00Z', '2026-01-01T24:00:00Z', '2026-01-01 10:00:00', '2026-01-01', ''),
    fc.integer(),
  ),
);
const ip = mostly(
  fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((parts) => parts.join('.')),
  fc.oneof(fc.constantFrom('10.0.0.01', '256.1.1.1', '1.2.3', 'fd00::1', '::ffff:10.0.0.1', 'localhost', '', ' 10.0.0.1'), fc.integer()),
);
const name = mostly(fc.constantFrom('web', 'shop', 'kube-system', 'a-b.c'), fc.constantFrom('', 5, null));
const workload = mostly(fc.record({ kind: name, name }), fc.oneof(fc.record({ kind: name }), fc.record({ kind: name, name, uid: name }), fc.constant('Deployment/web')));
const labels = mostly(fc.dictionary(fc.constantFrom('app', 'tier', 'x/y'), fc.constantFrom('web', '')), fc.constantFrom({ app: 1 }, []));
const endpoint = mostly(
  fc.oneof(
    fc.record({ ip, labels: optional(labels) }, { requiredKeys: ['ip'] }),
    fc.record({ namespace: name, pod: optional(name), workload: optional(workload), service: optional(name), ip: optional(ip), labels: optional(labels) }, { requiredKeys: ['namespace'] }),
  ),
  fc.oneof(fc.record({ pod: name }), fc.record({ ip, zone: name }), fc.constantFrom(null, 'web', {})),
);
const line = fc.record(
  {
    type: mostly(fc.constantFrom('flow', undefined), fc.constantFrom('Flow', 'x')),
    time: optional(time),
    source: endpoint,
    destination: endpoint,
    protocol: mostly(fc.constantFrom('TCP', 'UDP', 'SCTP', undefined), fc.constantFrom('tcp', 'ICMP', 6)),
    port: mostly(fc.integer({ min: 1, max: 65535 }), fc.constantFrom(-1, 0, 1.5, '80', 65536)),
    count: mostly(fc.option(fc.integer({ min: 1, max: 1000 }), { nil: undefined }), fc.constantFrom(-1, 0, 2.5, 2 ** 53, Number.MAX_SAFE_INTEGER)),
    extra: mostly(fc.constant(undefined), fc.constant(1)),
  },
  { requiredKeys: ['source', 'destination', 'port'] },
);

it('accepts only what the schema accepts, with the same record, and takes most valid lines', () => {
  let fast = 0;
  let valid = 0;
  fc.assert(
    fc.property(line, (generated) => {
      // A line is JSON: keys whose value is undefined are not written.
      const value = JSON.parse(JSON.stringify(generated)) as unknown;
      const reference = schemaFlow(value);
      const record = fastAspisFlow(value);
      if (reference.kind === 'flow') valid++;
      if (record === undefined) return;
      fast++;
      assert.equal(reference.kind, 'flow', JSON.stringify(value));
      assert.deepEqual(record, (reference as { flow: unknown }).flow);
    }),
    { numRuns: 3000 },
  );
  assert.ok(valid > 100, `only ${valid} valid lines generated`);
  assert.ok(fast > valid / 2, `the fast path took ${fast} of ${valid} valid lines`);
});
