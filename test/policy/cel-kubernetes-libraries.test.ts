/**
 * The Kubernetes CEL libraries and cel-go extensions, case by case, with expectations taken from their Go test
 * suites and documentation (k8s.io/apiserver/pkg/cel/library/*_test.go, cel-go ext): results, cel-go's error texts
 * (the apiserver puts them into denial messages), version gating and compile-time checks.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compileExpression } from '../../src/policy/cel/compile-expression.js';
import { CelCompileError } from '../../src/policy/cel/errors.js';
import { celValueOf, jsonOf } from '../../src/policy/cel/values.js';

const object = celValueOf({
  metadata: { name: 'web', labels: { app: 'shop' } },
  spec: { replicas: 3, containers: [{ name: 'a', image: 'nginx:1.27', ports: [{ containerPort: 80 }] }, { name: 'b', image: 'busybox' }] },
});

function value(text: string, version?: number): unknown {
  return jsonOf(compileExpression(text, { object: 'dyn' }, version).evaluate({ object }));
}

function runtimeError(text: string): string {
  try {
    compileExpression(text, { object: 'dyn' }).evaluate({ object });
  } catch (e) {
    return String((e as { message: string }).message);
  }
  throw new Error(`no error from ${text}`);
}

function compileError(text: string, version?: number): string {
  try {
    compileExpression(text, { object: 'dyn' }, version);
  } catch (e) {
    if (e instanceof CelCompileError) return e.reason;
    throw e;
  }
  throw new Error(`compiles: ${text}`);
}

const CASES: [string, unknown][] = [
  // quantity
  ["quantity('1Gi').isGreaterThan(quantity('1000Mi'))", true],
  ["quantity('1000m') == quantity('1')", true],
  ["quantity('1.5').isInteger()", false],
  ["quantity('2k').asInteger()", 2000],
  ["quantity('500m').asApproximateFloat()", 0.5],
  ["quantity('1Mi').add(quantity('1Ki')).compareTo(quantity('1025Ki'))", 0],
  ["quantity('10').sub(3).asInteger()", 7],
  ["quantity('-1').sign()", -1],
  ["isQuantity('1.5Gi') && !isQuantity('1.5GB')", true],
  // url
  ["url('https://user@example.com:8443/a/b?x=1&x=2&y').getHost()", 'example.com:8443'],
  ["url('https://[::1]:80/').getHostname()", '::1'],
  ["url('https://example.com/p').getPort()", ''],
  ["url('/absolute/path?q=1').getEscapedPath()", '/absolute/path'],
  ["url('https://example.com/?x=1&x=2').getQuery()['x']", ['1', '2']],
  ["isURL('https://example.com') && !isURL('example.com') && !isURL('')", true],
  // ip and cidr
  ["ip('192.168.0.1').family()", 4],
  ["string(ip('2001:0db8:0000:0000:0000:0000:0000:0001'))", '2001:db8::1'],
  ["ip.isCanonical('2001:db8::1') && !ip.isCanonical('2001:DB8::1')", true],
  ["ip('127.0.0.1').isLoopback() && ip('::1').isLoopback()", true],
  ["ip('169.254.1.1').isLinkLocalUnicast() && !ip('8.8.8.8').isLinkLocalUnicast()", true],
  ["ip('8.8.8.8').isGlobalUnicast() && !ip('0.0.0.0').isGlobalUnicast()", true],
  ["isIP('1.2.3.4') && !isIP('01.2.3.4') && !isIP('::ffff:1.2.3.4') && !isIP('fe80::1%eth0')", true],
  ["cidr('10.0.0.0/8').containsIP('10.1.2.3') && !cidr('10.0.0.0/8').containsIP(ip('11.0.0.1'))", true],
  ["cidr('10.0.0.0/8').containsCIDR('10.1.0.0/16') && !cidr('10.1.0.0/16').containsCIDR('10.0.0.0/8')", true],
  ["string(cidr('192.168.1.5/24').masked())", '192.168.1.0/24'],
  ["cidr('::1/128').prefixLength()", 128],
  ["cidr('10.0.0.0/8').ip() == ip('10.0.0.0')", true],
  // format, semver
  ["format.dns1123Label().validate('my-name').hasValue()", false],
  ["format.dns1123Label().validate('My_Name').value().size() > 0", true],
  ["format.named('qualifiedName').hasValue() && !format.named('nope').hasValue()", true],
  ["format.labelValue().validate('').hasValue()", false],
  ["semver('1.2.3').isLessThan(semver('1.10.0'))", true],
  ["semver('1.0.0-alpha').isLessThan(semver('1.0.0'))", true],
  ["semver('v1.2', true).minor()", 2],
  ["isSemver('1.2') || !isSemver('1.2.3')", false],
  // regex
  ["'abc123def456'.find('[0-9]+')", '123'],
  ["'abc123def456'.findAll('[0-9]+')", ['123', '456']],
  ["'a1b2c3'.findAll('[0-9]', 2)", ['1', '2']],
  ["'x'.findAll('y')", []],
  ["'ABC'.matches('(?i)^abc$')", true],
  ["[string(object.metadata.name), 'x'].size()", 2],
  // lists (Kubernetes) and sets
  ['[1, 2, 3].isSorted() && ![3, 1].isSorted()', true],
  ['[1, 2, 3].sum()', 6],
  ['[1.5, 2.5].sum()', 4],
  ['[3, 1, 2].min() + [3, 1, 2].max()', 4],
  ["['a', 'b', 'a'].indexOf('a') + ['a', 'b', 'a'].lastIndexOf('a')", 2],
  ['sets.contains([1, 2, 3], [2, 3]) && !sets.contains([1], [2])', true],
  ['sets.equivalent([1, 2], [2, 1, 2]) && sets.intersects([1, 2], [2, 9])', true],
  // strings
  ["'%s has %d containers, %.2f%%'.format(['web', 2, 12.5])", 'web has 2 containers, 12.50%'], // format args may mix types
  ["'%x %X %o %b'.format([255, 255, 8, 5])", 'ff FF 10 101'],
  ["'%s'.format([[1, 'a']])", '[1, a]'],
  ["strings.quote('a\"b\\n')", '"a\\"b\\n"'],
  ["'héllo'.charAt(1) + 'héllo'.substring(1, 3) + string('héllo'.indexOf('l'))", 'éél2'],
  ["'TacoCat'.lowerAscii() + 'ß'.upperAscii()", 'tacocatß'],
  ["' \\t x \\n'.trim()", 'x'],
  ["'a.b.c'.split('.', 2)", ['a', 'b.c']],
  ["['a', 'b'].join('/')", 'a/b'],
  // optional types
  ['object.?spec.?replicas.orValue(1)', 3],
  ['object.?spec.?missing.?deeper.orValue(7)', 7],
  ["object.metadata.?labels[?'app'].orValue('none')", 'shop'],
  ['[?object.?spec.?missing, ?optional.of(1), ?optional.none()]', [1]],
  ["{?'a': optional.of(1), ?'b': optional.none()}", { a: 1 }],
  ['optional.ofNonZeroValue(0).hasValue() || optional.ofNonZeroValue([]).hasValue()', false],
  ['object.spec.?containers[?5].optMap(c, c.name).orValue("-")', '-'],
  ['optional.of(2).optFlatMap(x, x > 1 ? optional.of(x * 10) : optional.none()).value()', 20],
  ['optional.none().or(optional.of(3)).value()', 3],
  // macros, two-variable comprehensions, has
  ['object.spec.containers.all(i, c, c.name.size() == 1 && i >= 0)', true],
  ["object.spec.containers.exists(i, c, i == 1 && c.name == 'b')", true],
  ["object.spec.containers.existsOne(i, c, c.image.contains(':'))", true],
  ['object.spec.containers.transformList(i, c, i)', [0, 1]],
  ["object.spec.containers.transformMap(i, c, c.name)", { 0: 'a', 1: 'b' }],
  ["object.metadata.labels.transformMapEntry(k, v, {v: k})", { shop: 'app' }],
  ["object.spec.containers.filter(c, has(c.ports)).map(c, c.name)", ['a']],
  ["object.spec.containers.map(c, c.name == 'a', c.image)", ['nginx:1.27']],
  ['has(object.spec.replicas) && !has(object.spec.template)', true],
  // arithmetic, conversions, equality
  ['object.spec.replicas * 2 + 1', 7],
  ['object.spec.replicas == 3.0', true],
  ['dyn(1u) == 1 && 2 > 1.5 && 1u < 2.5', true],
  ['int(2.9) + int(-2.9) + int("42")', 42],
  ['uint(3) + 4u', 7],
  ['string(1.5) + " " + string(1e21) + " " + string(123456.0) + " " + string(1234567.0)', '1.5 1e+21 123456 1.234567e+06'],
  ["type(object.spec.replicas) == int && type('x') == string && type(object) == map", true],
  ['[1, 2] == [1, 2] && {"a": [1]} == {"a": [1]} && [1] != [1, 2] && dyn([1]) == [1.0]', true],
  ["timestamp('2024-01-02T03:04:05Z').getHours() + duration('1h30m').getMinutes()", 93],
  ["timestamp('2024-01-01T00:00:00Z') + duration('36h') > timestamp('2024-01-02T11:59:59Z')", true],
  ["string(timestamp('2024-01-01T10:00:00+02:00'))", '2024-01-01T08:00:00Z'],
];

const ERRORS: [string, string][] = [
  ['object.spec.hostNetwork', 'no such key: hostNetwork'],
  ['object.spec.containers[5].name', 'index out of bounds: 5'],
  ['object.spec.replicas / 0', 'division by zero'],
  ['object.spec.replicas % 0', 'modulus by zero'],
  ['9223372036854775807 + object.spec.replicas', 'integer overflow'],
  ["'abc'.charAt(5)", 'index out of range: 5'],
  ["'abc'.substring(2, 1)", 'invalid substring range. start: 2, end: 1'],
  ["quantity('1.5GB')", "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"],
  ["quantity('1.5').asInteger()", 'cannot convert value to integer'],
  ["url('example.com')", 'URL parse error during conversion from string: parse "example.com": invalid URI for request'],
  ["ip('1.2.3')", 'IP Address "1.2.3" parse error during conversion from string: ParseAddr("1.2.3"): IPv4 address too short'],
  ["ip('::ffff:1.2.3.4')", 'IPv4-mapped IPv6 address "::ffff:1.2.3.4" is not allowed'],
  ['[].min()', 'min called on empty list'],
  ['optional.none().value()', 'optional.none() dereference'],
  ["int('x1')", 'strconv.ParseInt: parsing "x1": invalid syntax'],
  ["object.metadata.name + object.spec.replicas", 'no such overload'],
  ["'a'.find('(')", 'Illegal regex: error parsing regexp: missing closing ): `(`'],
  ["{'a': 1, 'a': 2}", 'insert failed: key a already exists'],
  ['[?object.spec.replicas]', 'cannot initialize optional list element from non-optional value 3'],
];

const COMPILE_ERRORS: [string, string, number?][] = [
  ['1 +', "Syntax error: mismatched input <EOF>"],
  ["'unterminated", 'Syntax error: unterminated string literal'],
  ['foo.bar', "undeclared reference to 'foo' (in container '')"],
  ['object.nope()', "undeclared reference to 'nope' (in container '')"],
  ["1 + 'a'", "found no matching overload for '_+_' applied to '(int, string)'"],
  ['object.spec + true', "found no matching overload for '_+_' applied to '(dyn, bool)'"],
  ["[1, 'a']", "expected type 'int' but found 'string'"],
  ['1 == 1.0', "found no matching overload for '_==_' applied to '(int, double)'"],
  ["'x'.charAt()", "found no matching overload for 'charAt' applied to 'string.()'"],
  ["'a'.matches('(')", 'invalid matches argument'],
  ["[object.metadata.name, 'x']", "expected type 'dyn' but found 'string'"],
  ['[3, 1].sort()', "undeclared reference to 'sort' (in container '')", 33],
  ['[1].all(i, v, v > 0)', "undeclared reference to 'all' (in container '')", 31],
  ['cel.bind(x, 1, x)', "undeclared reference to 'bind' (in container '')"],
  ['math.greatest(1, 2)', "undeclared reference to 'greatest' (in container '')"],
];

describe('Kubernetes CEL libraries', () => {
  it('evaluate as the Go implementations do', () => {
    const problems: string[] = [];
    for (const [text, expected] of CASES) {
      try {
        const actual = value(text, 34);
        if (JSON.stringify(actual) !== JSON.stringify(expected)) problems.push(`${text}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
      } catch (e) {
        problems.push(`${text}: ${String((e as { message?: string }).message ?? e)}`);
      }
    }
    assert.deepEqual(problems, []);
  });

  it('fail at run time with cel-go’s error texts', () => {
    const problems = ERRORS.map(([text, message]) => [text, runtimeError(text), message] as const).filter(([, actual, expected]) => actual !== expected);
    assert.deepEqual(problems, []);
  });

  it('reject at compile time what the apiserver rejects, including functions of later versions', () => {
    const problems = COMPILE_ERRORS.map(([text, reason, version]) => [text, compileError(text, version), reason] as const).filter(([, actual, expected]) => actual !== expected);
    assert.deepEqual(problems, []);
    assert.deepEqual(value('[3, 1].sort()', 34), [1, 3], 'ext lists at v1.34 (stored expressions)');
  });

  it('reports the position of a syntax error as line and column', () => {
    try {
      compileExpression("object.spec.containers.all(c,\n  c.image.endsWith(':latest')", { object: 'dyn' });
      assert.fail('compiled');
    } catch (e) {
      assert.ok(e instanceof CelCompileError);
      assert.equal(e.offset, "object.spec.containers.all(c,\n  c.image.endsWith(':latest')".length);
    }
  });
});
