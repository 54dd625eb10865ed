/**
 * NetworkPolicy objects the API server would reject (pkg/apis/networking/validation ValidateNetworkPolicySpec) are
 * reported with the field and left out; valid ones compile. Also: IP set and port set arithmetic against brute force.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { buildNetworkModel, IpSet, parseCidr, parseIpAddress, parseNetworkPolicy, PortSet, formatIpAddress } from '../../src/network/index.js';
import type { Protocol } from '../../src/network/index.js';
import { policy } from './netpol-fixtures.js';

function issuesOf(spec: Record<string, unknown>): string[] {
  const { policy: parsed, issues } = parseNetworkPolicy(policy('x', 'p', spec), 'default');
  if (issues.length > 0) assert.equal(parsed, undefined, 'an invalid policy must not compile');
  return issues.map((i) => `${i.field}: ${i.message}`);
}

describe('validation as the API server does it', () => {
  const invalid: [string, Record<string, unknown>, RegExp][] = [
    ['a peer with nothing', { ingress: [{ from: [{}] }] }, /^spec\.ingress\[0\]\.from\[0\]: must specify a peer/],
    ['ipBlock with a selector', { egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8' }, podSelector: {} }] }] }, /may not specify both podSelector\/namespaceSelector and ipBlock/],
    ['a CIDR that is not one', { ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.300/8' } }] }] }, /ipBlock\.cidr: .*not an IPv4 or IPv6 address/],
    ['a CIDR without prefix', { ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.1' } }] }] }, /not in CIDR notation/],
    ['an IPv4 prefix over 32', { ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/33' } }] }] }, /prefix length must be a number from 0 to 32/],
    ['an except outside cidr', { ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/24', except: ['192.168.0.0/24'] } }] }] }, /except\[0\]: .*must be a strict subset of cidr/],
    ['an except equal to cidr', { ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/24', except: ['10.0.0.0/24'] } }] }] }, /strict subset/],
    ['an except of the other family', { ingress: [{ from: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['::/1'] } }] }] }, /strict subset/],
    ['an unknown protocol', { ingress: [{ ports: [{ protocol: 'ICMP', port: 1 }] }] }, /protocol: unsupported value "ICMP"/],
    ['a lower-case protocol', { ingress: [{ ports: [{ protocol: 'tcp', port: 1 }] }] }, /protocol: unsupported value "tcp"/],
    ['port 0', { ingress: [{ ports: [{ port: 0 }] }] }, /ports\[0\]\.port: must be a port number from 1 to 65535/],
    ['port 65536', { ingress: [{ ports: [{ port: 65536 }] }] }, /port number from 1 to 65535/],
    ['a quoted number is a name without a letter', { ingress: [{ ports: [{ port: '8080' }] }] }, /must contain at least one letter/],
    ['a port name over 15 characters', { ingress: [{ ports: [{ port: 'a-very-long-port-name' }] }] }, /1 to 15 characters/],
    ['endPort without port', { ingress: [{ ports: [{ endPort: 90 }] }] }, /endPort: may not be specified without port/],
    ['endPort with a named port', { ingress: [{ ports: [{ port: 'http', endPort: 90 }] }] }, /named port/],
    ['endPort below port', { ingress: [{ ports: [{ port: 100, endPort: 90 }] }] }, /greater than or equal to port \(100\)/],
    ['a policyType that is not one', { policyTypes: ['Ingress', 'Both'] }, /policyTypes\[1\]: unsupported value "Both"/],
    ['three policyTypes', { policyTypes: ['Ingress', 'Egress', 'Ingress'] }, /more than two policyTypes/],
    ['a bad podSelector operator', { podSelector: { matchExpressions: [{ key: 'a', operator: 'Equals', values: ['b'] }] } }, /podSelector\.matchExpressions\[0\]\.operator/],
    ['In without values', { ingress: [{ from: [{ namespaceSelector: { matchExpressions: [{ key: 'a', operator: 'In' }] } }] }] }, /values must be non-empty when operator is In/],
    ['an invalid label value', { podSelector: { matchLabels: { app: 'not ok!' } } }, /label value "not ok!"/],
  ];
  for (const [name, spec, expected] of invalid) {
    it(`rejects ${name}`, () => {
      const issues = issuesOf(spec);
      assert.ok(issues.some((i) => expected.test(i)), `no issue matching ${expected}: ${JSON.stringify(issues)}`);
    });
  }
  const valid: [string, Record<string, unknown>][] = [
    ['host bits set in a CIDR (masked, as ParseCIDRSloppy does)', { ingress: [{ from: [{ ipBlock: { cidr: '10.1.2.3/8', except: ['10.1.0.0/16'] } }] }] }],
    ['an IPv6 block with an except', { ingress: [{ from: [{ ipBlock: { cidr: '2001:db8::/32', except: ['2001:db8:ffff::/48'] } }] }] }],
    ['an IPv4 address with a leading zero (legacy form)', { ingress: [{ from: [{ ipBlock: { cidr: '010.0.0.0/8' } }] }] }],
    ['SCTP with an endPort range', { egress: [{ ports: [{ protocol: 'SCTP', port: 1000, endPort: 2000 }] }] }],
    ['a named port', { ingress: [{ ports: [{ port: 'metrics' }] }] }],
    ['no spec at all', {}],
  ];
  for (const [name, spec] of valid) it(`accepts ${name}`, () => assert.deepEqual(issuesOf(spec), []));

  it('an invalid policy is left out of the model, with its issue, and the valid ones stay', () => {
    const model = buildNetworkModel([policy('x', 'bad', { ingress: [{ from: [{}] }] }), policy('x', 'good', { podSelector: {} })]);
    assert.deepEqual(model.policies.map((p) => p.name), ['good']);
    assert.equal(model.issues.length, 1);
    assert.equal(model.issues[0]!.field, 'spec.ingress[0].from[0]');
  });
});

describe('IP sets', () => {
  it('parses and formats IPv6 forms', () => {
    for (const [text, formatted] of <[string, string][]>[
      ['::', '::'],
      ['::1', '::1'],
      ['2001:DB8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
      ['::ffff:192.0.2.1', '::ffff:c000:201'],
      ['fe80::1:2', 'fe80::1:2'],
    ]) {
      const address = parseIpAddress(text);
      assert.ok(address, text);
      assert.equal(formatIpAddress(address.family, address.value), formatted);
    }
    for (const bad of ['1::2::3', '12345::', 'fe80::1%eth0', '1.2.3', '1.2.3.4.5', ':::', '1:2:3:4:5:6:7:8:9']) assert.equal(parseIpAddress(bad), undefined, bad);
  });

  // Addresses 10.0.0.0–10.0.0.255 as small integers: set operations checked against plain sets.
  const block = fc.tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 24, max: 32 })).map(([start, prefix]) => {
    const cidr = parseCidr(`10.0.0.${start}/${prefix}`);
    assert.ok(typeof cidr !== 'string');
    return cidr;
  });
  const members = (set: IpSet) => {
    const out = new Set<number>();
    for (let i = 0; i < 256; i++) if (set.has({ family: 4, value: 0x0a000000n + BigInt(i) })) out.add(i);
    return out;
  };
  const naive = (cidr: { start: bigint; end: bigint }) => {
    const out = new Set<number>();
    for (let v = cidr.start; v <= cidr.end; v++) out.add(Number(v - 0x0a000000n));
    return out;
  };
  it('union, subtract, atoms and toCidrs agree with brute force', () => {
    fc.assert(
      fc.property(fc.array(block, { minLength: 1, maxLength: 5 }), fc.array(block, { maxLength: 3 }), (adds, cuts) => {
        let set = IpSet.EMPTY;
        const expected = new Set<number>();
        for (const c of adds) {
          set = set.union(IpSet.ofCidr(c));
          for (const v of naive(c)) expected.add(v);
        }
        for (const c of cuts) {
          set = set.subtract(IpSet.ofCidr(c));
          for (const v of naive(c)) expected.delete(v);
        }
        assert.deepEqual([...members(set)].sort((a, b) => a - b), [...expected].sort((a, b) => a - b));
        // toCidrs rebuilds the same set.
        const rebuilt = set.toCidrs().reduce((acc, c) => acc.union(IpSet.ofCidr(c)), IpSet.EMPTY);
        assert.ok(rebuilt.equals(set));
        // Atoms partition the union, each wholly inside or outside each input.
        const inputs = adds.map((c) => IpSet.ofCidr(c));
        const atoms = IpSet.atoms(inputs);
        const union = inputs.reduce((a, b) => a.union(b), IpSet.EMPTY);
        assert.ok(atoms.reduce((a, b) => a.union(b), IpSet.EMPTY).equals(union));
        for (const atom of atoms) for (const input of inputs) assert.ok(input.covers(atom) || input.intersect(atom).isEmpty());
      }),
    );
  });
});

describe('port sets', () => {
  const protocol = fc.constantFrom<Protocol>('TCP', 'UDP', 'SCTP');
  const range = fc.tuple(protocol, fc.integer({ min: 1, max: 40 }), fc.integer({ min: 0, max: 10 })).map(([p, lo, len]) => ({ p, lo, hi: lo + len }));
  const members = (set: PortSet) => {
    const out: string[] = [];
    for (const p of ['TCP', 'UDP', 'SCTP'] as const) for (let port = 1; port <= 60; port++) if (set.has(p, port)) out.push(`${p}${port}`);
    return out;
  };
  it('union, intersect and subtract agree with brute force, and equals is semantic', () => {
    fc.assert(
      fc.property(fc.array(range, { maxLength: 4 }), fc.array(range, { maxLength: 4 }), (a, b) => {
        const build = (list: typeof a) => list.reduce((set, r) => set.union(PortSet.range(r.p, r.lo, r.hi)), PortSet.NONE);
        const [x, y] = [build(a), build(b)];
        const [mx, my] = [new Set(members(x)), new Set(members(y))];
        assert.deepEqual(new Set(members(x.union(y))), new Set([...mx, ...my]));
        assert.deepEqual(members(x.intersect(y)), members(x).filter((v) => my.has(v)));
        assert.deepEqual(members(x.subtract(y)), members(x).filter((v) => !my.has(v)));
        assert.equal(x.union(y).equals(y.union(x)), true);
        assert.equal(x.equals(y), [...mx].length === [...my].length && [...mx].every((v) => my.has(v)));
      }),
    );
  });
  it('formats ranges and whole protocols', () => {
    assert.equal(PortSet.range('TCP', 80).union(PortSet.range('TCP', 8000, 8080)).union(PortSet.range('UDP', 53)).toString(), 'TCP:80,8000-8080 UDP:53');
    assert.equal(PortSet.protocol('TCP').toString(), 'TCP:*');
    assert.equal(PortSet.protocol('TCP').union(PortSet.protocol('UDP')).union(PortSet.protocol('SCTP')).toString(), 'all');
    assert.equal(PortSet.range('TCP', 1, 65535).union(PortSet.protocol('UDP')).union(PortSet.protocol('SCTP')), PortSet.ALL);
  });
});
