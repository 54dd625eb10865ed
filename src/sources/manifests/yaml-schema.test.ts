import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import jsyaml from 'js-yaml';
import { K8S_YAML_SCHEMA, plainKeyToString, resolvePlainScalar, takeNonFiniteCount } from './yaml-schema.js';

function load(text: string): unknown {
  return jsyaml.load(text, { schema: K8S_YAML_SCHEMA });
}

/** `v: <text>` decoded, as go-yaml v2 / sigs.k8s.io/yaml would give it to Kubernetes. */
function value(text: string): unknown {
  return (load(`v: ${text}`) as { v: unknown }).v;
}

describe('Kubernetes YAML 1.1 scalar resolution (go-yaml v2)', () => {
  it('resolves every YAML 1.1 boolean spelling go-yaml accepts, and only those', () => {
    for (const t of ['y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON']) assert.equal(value(t), true, t);
    for (const f of ['n', 'N', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF']) assert.equal(value(f), false, f);
    for (const s of ['yEs', 'oN', 'tRUE', 'nO', 'yep', 'enabled', 'Y!']) assert.equal(value(s), s, s);
  });

  it('keeps quoted scalars as strings', () => {
    assert.equal(value('"yes"'), 'yes');
    assert.equal(value("'0755'"), '0755');
    assert.equal(value('"null"'), 'null');
    assert.equal(value('"1e3"'), '1e3');
  });

  it('resolves null spellings', () => {
    for (const n of ['~', 'null', 'Null', 'NULL', '']) assert.equal(value(n), null, n);
    assert.equal(value('nULL'), 'nULL');
  });

  it('resolves integers like strconv.ParseInt(s, 0, 64) after removing underscores', () => {
    const cases: [string, number][] = [
      ['10', 10],
      ['-10', -10],
      ['+685_230', 685230],
      ['0b10', 2],
      ['-0b101010', -42],
      ['0b1010_0111_0100_1010_1110', 685230],
      ['0xA', 10],
      ['0x_0A_74_AE', 685230],
      ['0X1f', 31],
      ['02472256', 685230],
      ['0755', 493],
      ['0o17', 15],
      ['0O17', 15],
      ['0', 0],
      ['-0', 0],
      ['4294967296', 4294967296],
      ['9223372036854775807', 9223372036854775807],
      ['-0b1000000000000000000000000000000000000000000000000000000000000000', -9223372036854775808],
      ['18446744073709551615', 18446744073709551615],
    ];
    for (const [text, expected] of cases) assert.equal(value(text), expected, text);
    assert.ok(Object.is(value('-0'), 0));
  });

  it('resolves floats with the yamlStyleFloat rule; overflow and other spellings stay strings', () => {
    const cases: [string, unknown][] = [
      ['0.1', 0.1],
      ['.1', 0.1],
      ['-.1', -0.1],
      ['6.8523e+5', 685230],
      ['685.230_15e+03', 685230.15],
      ['685_230.15', 685230.15],
      ['123456e1', 1234560],
      ['1.', 1],
      ['08', 8],
      ['09.5', 9.5],
      ['99999999999999999999', 1e20],
      ['1e400', '1e400'],
      ['.e3', '.e3'],
      ['0x1p3', '0x1p3'],
      ['1:20', '1:20'],
      ['190:20:30.15', '190:20:30.15'],
      ['inf', 'inf'],
      ['NaN', 'NaN'],
      ['1_000.5', 1000.5],
      ['-b_c', '-b_c'],
      ['+b_c', '+b_c'],
      ['50cent_of_dollar', '50cent_of_dollar'],
      ['3s', '3s'],
      ['1.2.3.4', '1.2.3.4'],
      ['500m', '500m'],
      ['1Gi', '1Gi'],
    ];
    for (const [text, expected] of cases) assert.deepEqual(value(text), expected, text);
  });

  it('recognises .inf and .nan but counts them: Kubernetes cannot encode them as JSON', () => {
    takeNonFiniteCount();
    assert.equal(value('.inf'), Number.POSITIVE_INFINITY);
    assert.equal(value('-.Inf'), Number.NEGATIVE_INFINITY);
    assert.equal(value('+.INF'), Number.POSITIVE_INFINITY);
    assert.ok(Number.isNaN(value('.NaN')));
    assert.equal(takeNonFiniteCount(), 4);
    assert.equal(value('.iNf'), '.iNf');
    assert.equal(takeNonFiniteCount(), 0);
  });

  it('keeps timestamps as strings (go-yaml v2 into interface{})', () => {
    for (const t of ['2015-01-01', '2015-02-24T18:19:39.12Z', '2015-2-3T3:4:5Z', '2015-02-24 18:19:39']) assert.equal(value(t), t);
    assert.equal(value('!!timestamp "2015-01-01"'), '2015-01-01');
  });

  it('follows explicit tags and ignores unknown ones', () => {
    assert.equal(value('!!str 123'), '123');
    assert.equal(value('!!str yes'), 'yes');
    assert.equal(value("!!float '1.1'"), 1.1);
    assert.equal(value('!!float 1'), 1);
    assert.equal(value('!!int "0x10"'), 16);
    assert.equal(value('!!bool "on"'), true);
    assert.equal(value("!!null ''"), null);
    assert.equal(value('! 12'), '12');
    assert.equal(value('!custom 12'), '12');
    assert.equal(value('!!binary gIGC'), '\ufffd\ufffd\ufffd');
    assert.equal(value('!!binary aGVsbG8='), 'hello');
    assert.deepEqual(value('!Ref {a: yes}'), { a: true });
    assert.deepEqual(value('!!set [1]'), [1]);
    assert.equal((load("%TAG !y! tag:yaml.org,2002:\n---\nv: !y!int '1'") as { v: unknown }).v, 1);
    assert.throws(() => value('!!int abc'));
    assert.throws(() => value('!!bool maybe'));
  });

  it('turns non-string keys into strings as sigs.k8s.io/yaml does', () => {
    assert.deepEqual(load('on: 1\n0x10: 3\n007: 4\n"on": 5\nNO: 6\n1_0: 7'), {
      true: 1,
      16: 3,
      7: 4,
      on: 5,
      false: 6,
      10: 7,
    });
    assert.throws(() => load('on: 1\nyes: 2'), /duplicated mapping key/);
    assert.equal(plainKeyToString('on'), 'true');
    assert.equal(plainKeyToString('0o10'), '8');
    assert.equal(plainKeyToString('name'), 'name');
  });

  it('merges << keys; own keys win', () => {
    assert.deepEqual(load('base: &b {image: nginx, name: x}\nc:\n  <<: *b\n  name: main'), {
      base: { image: 'nginx', name: 'x' },
      c: { image: 'nginx', name: 'main' },
    });
  });

  it('gives the same answer through resolvePlainScalar', () => {
    assert.equal(resolvePlainScalar('Off'), false);
    assert.equal(resolvePlainScalar('0x1F'), 31);
    assert.equal(resolvePlainScalar('nginx:1.2'), 'nginx:1.2');
  });
});
