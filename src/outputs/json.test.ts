import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { ALL_CHECKS } from '../checks/index.js';
import { defaultCheckContext } from '../core/model/check-context.js';
import type { InputError, Report } from '../core/model/report.js';
import type { KubeObject, Resource } from '../core/model/resource.js';
import { refOf } from '../core/model/resource.js';
import type { Waiver } from '../core/model/waiver.js';
import { buildReport } from '../scan/build-report.js';
import { jsonChunks, renderJson } from './json.js';
import { sampleReport } from './testdata/sample-report.js';

interface JsonSchema {
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
}

const schema = JSON.parse(readFileSync(new URL('../../docs/report.schema.json', import.meta.url), 'utf8')) as JsonSchema;
const validate = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true }).compile(schema);

const LISTS = ['checks', 'objects', 'findings', 'waived', 'waivers', 'errors'] as const;

/** The lines of one list of the output, from `"name": [` to the closing `]` (exclusive). */
function listLines(text: string, name: string): string[] {
  const lines = text.split('\n');
  const start = lines.indexOf(`"${name}": [`);
  assert.ok(start >= 0, `no "${name}": [ line`);
  const end = lines.findIndex((line, i) => i > start && (line === ']' || line === '],'));
  return lines.slice(start + 1, end);
}

/** Where the keys of `value` (parsed output) are not in the order docs/report.schema.json declares them. */
function keyOrderProblems(value: unknown, node: JsonSchema, at: string, problems: string[]): string[] {
  if (Array.isArray(value)) {
    if (node.items) value.forEach((item, i) => keyOrderProblems(item, node.items!, `${at}[${i}]`, problems));
    return problems;
  }
  if (value === null || typeof value !== 'object') return problems;
  const keys = Object.keys(value);
  // Unions (JSON Patch operations): the first option that declares every key; open values (evidence) are skipped.
  const option = (node.anyOf ?? [node]).find((o) => o.properties && keys.every((key) => key in o.properties!));
  if (!option?.properties) return problems;
  const expected = Object.keys(option.properties).filter((key) => keys.includes(key));
  if (keys.join() !== expected.join()) problems.push(`${at}: ${keys.join(', ')} (schema order: ${expected.join(', ')})`);
  for (const key of keys) keyOrderProblems((value as Record<string, unknown>)[key], option.properties[key]!, `${at}.${key}`, problems);
  return problems;
}

describe('renderJson', () => {
  it('validates against docs/report.schema.json', () => {
    const parsed = JSON.parse(renderJson(sampleReport())) as unknown;
    assert.ok(validate(parsed), JSON.stringify(validate.errors, null, 2));
  });

  it('docs/report.schema.json rejects a missing or unknown field, and check metadata repeated in a finding', () => {
    const { summary, ...withoutSummary } = sampleReport();
    assert.ok(summary);
    assert.equal(validate(withoutSummary), false);
    assert.equal(validate({ ...sampleReport(), surprise: 1 }), false);
    const { checks, ...withoutChecks } = sampleReport();
    assert.ok(checks);
    assert.equal(validate(withoutChecks), false);
    const report = sampleReport();
    assert.equal(validate({ ...report, findings: [{ ...report.findings[0], title: 'Wildcard RBAC rules' }] }), false);
  });

  it('round-trips the report: compact, one top-level field per line, one list element per line', () => {
    const report = sampleReport();
    const text = renderJson(report);
    assert.deepEqual(JSON.parse(text), JSON.parse(JSON.stringify(report)));
    assert.ok(text.startsWith('{\n"schemaVersion": "aspis.dev/report/v1",\n"tool": {"name":"aspis","version":"0.1.0"},\n"generatedAt": '));
    assert.ok(text.endsWith('\n]\n}\n'));
    const lines = text.split('\n');
    const topLevel = lines.filter((line) => line.startsWith('"')).map((line) => line.slice(1, line.indexOf('"', 1)));
    assert.deepEqual(topLevel, Object.keys(report));
    for (const name of LISTS) {
      const elements = listLines(text, name);
      assert.equal(elements.length, report[name].length, name);
      elements.forEach((line, i) => assert.deepEqual(JSON.parse(line.replace(/,$/, '')), JSON.parse(JSON.stringify(report[name][i])), `${name}[${i}]`));
    }
    assert.equal(listLines(text, 'findings')[0], JSON.stringify(report.findings[0]) + ',');
    // Nothing else: braces, one line per field, one per element, one closing bracket per non-empty list.
    assert.equal(lines.length, 2 + topLevel.length + LISTS.reduce((n, name) => n + report[name].length + 1, 0) + 1);
  });

  it('writes an empty list on its field line, and keeps line breaks inside strings escaped', () => {
    const report = { ...sampleReport(), waived: [], errors: [] };
    report.findings[0]!.message = 'first line\nsecond line\u2028third';
    const text = renderJson(report);
    assert.match(text, /^"waived": \[\],$/m);
    assert.match(text, /^"errors": \[\]\n\}\n$/m);
    assert.equal(listLines(text, 'findings').length, report.findings.length);
    assert.equal((JSON.parse(text) as Report).findings[0]!.message, 'first line\nsecond line\u2028third');
  });

  it('keeps fields it does not know, where the producer put them, and leaves out undefined ones', () => {
    const report = { ...sampleReport(), frameworks: undefined, extra: { b: 1, a: [2] } } as unknown as Report;
    const text = renderJson(report);
    assert.match(text, /\n"errors": \[\n.*\n\],\n"extra": \{"b":1,"a":\[2\]\}\n\}\n$/);
    assert.doesNotMatch(text, /"frameworks"/);
  });
});

describe('jsonChunks', () => {
  it('streams a large report piece by piece (each element its own piece) whose concatenation is the rendered text', () => {
    const report = sampleReport();
    const finding = report.findings[0]!;
    report.findings = Array.from({ length: 20_000 }, (_, i) => ({ ...finding, message: `${finding.message} #${i}` }));
    const chunks = [...jsonChunks(report)];
    // Every finding and every separator between two is a piece of its own: nothing is joined before writing.
    assert.ok(chunks.length > 40_000, `${chunks.length} chunks`);
    assert.ok(Math.max(...chunks.map((chunk) => chunk.length)) < 10_000);
    const text = chunks.join('');
    assert.equal(text, renderJson(report));
    assert.equal(listLines(text, 'findings').length, 20_000);
    assert.equal((JSON.parse(text) as Report).findings[19_999]!.message, `${finding.message} #19999`);
  });
});

describe('renderJson of a scan', () => {
  const objects = (): KubeObject[] => [
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'frontend', namespace: 'shop' },
      spec: {
        template: {
          metadata: { annotations: { 'waiver.aspis.dev/run-as-non-root': 'image runs as root until #12' } },
          spec: { containers: [{ name: 'web', image: 'nginx:latest', securityContext: { privileged: true } }] },
        },
      },
    },
    { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'debug', namespace: 'shop' }, spec: { hostNetwork: true, containers: [{ name: 'sh', image: 'busybox' }] } },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'ops' }, rules: [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }] },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: 'shop' }, data: { a: 'b' } },
  ];
  const waivers: Waiver[] = [
    { checks: ['host-namespaces'], selector: { names: ['debug'] }, reason: 'node debugging', owner: 'platform', expires: '2999-01-01', source: 'config', declaredAt: '.aspis.yaml:3' },
    { checks: ['host-path-volumes'], selector: {}, reason: 'legacy', source: 'config', declaredAt: '.aspis.yaml:9' },
  ];
  // Producers of input errors write their keys in various orders; the report does not.
  const inputErrors = [{ source: '.aspis.yaml', field: 'checks.nope', message: 'unknown check', line: 4, column: 3 }] as InputError[];

  function scan(): Report {
    const resources: Resource[] = objects().map((object, documentIndex) => ({
      object,
      ref: refOf(object),
      origin: { type: 'file', file: 'all.yaml', documentIndex, locator: { locate: (path) => ({ line: documentIndex * 40 + path.length + 1, column: 2 * path.length + 1 }) } },
    }));
    return buildReport({
      resources,
      inputErrors,
      checks: ALL_CHECKS.filter((check) => !check.optIn),
      catalog: ALL_CHECKS,
      ctx: defaultCheckContext(),
      waivers,
      now: new Date('2027-01-15T12:00:00Z'),
      inputs: ['all.yaml'],
      frameworks: ['pss', 'nsa-cisa', 'cis-kubernetes', 'mitre-containers'],
      toolVersion: '0.1.0',
    });
  }

  it('renders the same bytes for the same scan (the producer builds lists and keys in a fixed order)', () => {
    const report = scan();
    assert.ok(report.findings.length > 10 && report.waived.length >= 2 && report.waivers.length === 1, 'a report with something in every list');
    assert.equal(renderJson(scan()), renderJson(report));
  });

  it('validates against the schema, with every object in schema key order', () => {
    const parsed = JSON.parse(renderJson(scan())) as unknown;
    assert.ok(validate(parsed), JSON.stringify(validate.errors, null, 2));
    assert.deepEqual(keyOrderProblems(parsed, schema, 'report', []), []);
  });

  it('lists the checks that ran once, sorted by id, and findings without their metadata, one per line', () => {
    const report = scan();
    const text = renderJson(report);
    assert.deepEqual(
      report.checks.map((c) => c.id),
      ALL_CHECKS.filter((check) => !check.optIn).map((check) => check.id).sort(),
    );
    const privileged = report.checks.find((c) => c.id === 'privileged-containers');
    assert.ok(privileged?.controls.some((c) => c.framework === 'pss'));
    const lines = listLines(text, 'findings');
    assert.equal(lines.length, report.findings.length);
    for (const line of lines) assert.match(line, /^\{"checkId":"[a-z0-9-]+","severity":"[a-z]+","resource":\{.*\},?$/);
    assert.equal(listLines(text, 'waived').length, report.waived.length);
    assert.equal(listLines(text, 'objects').length, 4);
  });
});
