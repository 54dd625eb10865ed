import { it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import type { Report } from '../core/model/report.js';
import { renderJson } from './json.js';
import { sampleReport } from './testdata/sample-report.js';

const schema = JSON.parse(readFileSync(new URL('../../docs/report.schema.json', import.meta.url), 'utf8')) as object;
const validate = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true }).compile(schema);

it('the JSON report validates against docs/report.schema.json', () => {
  const parsed = JSON.parse(renderJson(sampleReport())) as unknown;
  assert.ok(validate(parsed), JSON.stringify(validate.errors, null, 2));
});

it('docs/report.schema.json rejects a report with a missing or unknown field', () => {
  const { summary, ...withoutSummary } = sampleReport();
  assert.ok(summary);
  assert.equal(validate(withoutSummary), false);
  assert.equal(validate({ ...sampleReport(), surprise: 1 }), false);
});

it('round-trips the report and is 2-space indented with a final newline', () => {
  const report = sampleReport();
  const text = renderJson(report);
  assert.deepEqual(JSON.parse(text), JSON.parse(JSON.stringify(report)));
  assert.match(text, /^\{\n  "schemaVersion": "aspis.dev\/report\/v1",\n  "tool": \{/);
  assert.ok(text.endsWith('}\n'));
});

it('is byte-stable whatever order the producer built its objects in', () => {
  const report = sampleReport();
  const shuffled = reverseKeys(report) as Report;
  assert.notEqual(JSON.stringify(shuffled), JSON.stringify(report));
  assert.equal(renderJson(shuffled), renderJson(report));
  // Lists keep the producer's order (findings are sorted by the producer, not here).
  assert.deepEqual(
    (JSON.parse(renderJson(report)) as Report).findings.map((f) => f.path),
    report.findings.map((f) => f.path),
  );
});

it('keeps fields the schema does not know (after the known ones) rather than dropping them', () => {
  const report = { ...sampleReport(), extra: { b: 1, a: 2 } } as Report;
  const text = renderJson(report);
  assert.match(text, /"errors": \[[\s\S]*\],\n  "extra": \{\n    "b": 1,\n    "a": 2\n  \}\n\}\n$/);
});

function reverseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reverseKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).reverse().map(([k, v]) => [k, reverseKeys(v)]));
}
