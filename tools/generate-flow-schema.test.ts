import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { FLOW_SCHEMA_PATH } from './generate-flow-schema.js';
import { parseAspisFlowLine } from '../src/sources/flows/aspis-flow-line.js';

// docs/flow.schema.json is what other tools validate Aspis flow lines with: it must agree with the reader.
const schema = JSON.parse(readFileSync(FLOW_SCHEMA_PATH, 'utf8')) as object;
const ajv = new Ajv2020.default({ allErrors: true, strict: false });
addFormats.default(ajv);
const validate = ajv.compile(schema);

describe('docs/flow.schema.json', () => {
  it('accepts every example line of docs/network-segmentation.md, as the reader does', () => {
    const doc = readFileSync(new URL('../docs/network-segmentation.md', import.meta.url), 'utf8');
    const lines = [...doc.matchAll(/```jsonl\n([\s\S]*?)```/g)].flatMap((m) => m[1]!.trim().split('\n'));
    assert.ok(lines.length >= 4, 'the doc has jsonl examples');
    for (const line of lines) {
      assert.ok(validate(JSON.parse(line)), `${line}: ${JSON.stringify(validate.errors)}`);
      assert.notEqual(parseAspisFlowLine(line).kind, 'error', line);
    }
  });

  it('rejects what the reader rejects field by field: unknown keys, bad ports, protocols, addresses, times', () => {
    for (const line of [
      '{"source":{"ip":"10.0.0.1"},"destination":{"ip":"10.0.0.2"},"port":80,"extra":1}',
      '{"source":{"ip":"10.0.0.1"},"destination":{"ip":"10.0.0.2"},"port":0}',
      '{"source":{"ip":"10.0.0.1"},"destination":{"ip":"10.0.0.2"},"port":80,"protocol":"ICMP"}',
      '{"source":{"ip":"10.0.0.300"},"destination":{"ip":"10.0.0.2"},"port":80}',
      '{"time":"2026-05-01 10:00:00","source":{"ip":"10.0.0.1"},"destination":{"ip":"10.0.0.2"},"port":80}',
      '{"type":"address","ip":"10.0.0.1","pod":"web"}',
      '{"source":{"ip":"10.0.0.1","zone":"a"},"destination":{"ip":"10.0.0.2"},"port":80}',
    ]) {
      assert.equal(validate(JSON.parse(line)), false, line);
      assert.equal(parseAspisFlowLine(line).kind, 'error', line);
    }
  });
});
