import { it } from 'node:test';
import assert from 'node:assert/strict';
import type { Report } from '../core/model/report.js';
import { reportSchema, reportJsonSchema } from './report-schema.js';
import type { ReportFromSchema } from './report-schema.js';
import { sampleReport } from './testdata/sample-report.js';

// Type level: the schema and the Report type are mutually assignable, so neither can change without the other.
type Assignable<From, To> = [From] extends [To] ? true : false;
const schemaToReport: Assignable<ReportFromSchema, Report> = true;
const reportToSchema: Assignable<Report, ReportFromSchema> = true;

it('the zod schema and Report are mutually assignable', () => {
  assert.equal(schemaToReport && reportToSchema, true);
});

it('the zod schema accepts a realistic report and rejects a wrong schemaVersion', () => {
  assert.equal(reportSchema.safeParse(sampleReport()).success, true);
  assert.equal(reportSchema.safeParse({ ...sampleReport(), schemaVersion: 'aspis.dev/report/v2' }).success, false);
});

it('the JSON Schema is draft-07, closed, and documents fields', () => {
  const schema = reportJsonSchema();
  assert.equal(schema['$schema'], 'http://json-schema.org/draft-07/schema#');
  assert.equal(schema['additionalProperties'], false);
  assert.doesNotMatch(JSON.stringify(schema), /readOnly/);
  const properties = schema['properties'] as Record<string, { description?: string }>;
  assert.match(properties['schemaVersion']!.description!, /breaking/);
});
