import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import Ajv2020 from 'ajv/dist/2020.js';
import { CONFIG_SCHEMA_PATH } from './generate-config-schema.js';
import { parseConfig } from '../src/config/parse-config.js';
import { selectChecks } from '../src/config/select-checks.js';
import { ALL_CHECKS } from '../src/checks/index.js';

// The generated JSON Schema is what editors validate `.aspis.yaml` with: it must agree with the loader on the shape.
const schema = JSON.parse(readFileSync(CONFIG_SCHEMA_PATH, 'utf8')) as object;
const validate = new Ajv2020.default({ allErrors: true, strict: false }).compile(schema);
const example = (doc: string) => /```yaml\n([\s\S]*?)```/.exec(doc)?.[1];

describe('docs/aspis-config.schema.json', () => {
  it('accepts the full example of docs/configuration.md', () => {
    const doc = readFileSync(new URL('../docs/configuration.md', import.meta.url), 'utf8');
    const yaml = example(doc);
    assert.ok(yaml, 'docs/configuration.md has a yaml example');
    assert.ok(validate(parse(yaml)), JSON.stringify(validate.errors));
    // And Aspis itself accepts it: valid, and every check id it names exists.
    const { config, errors } = parseConfig(yaml, 'docs/configuration.md');
    assert.deepEqual(errors, []);
    assert.deepEqual(selectChecks(ALL_CHECKS, config).errors, []);
  });

  it('rejects unknown keys, bad severities and exceptions without a reason', () => {
    for (const config of [
      { exeptions: [] },
      { checks: { severity: { 'privileged-containers': 'hgh' } } },
      { exceptions: [{ checks: ['a'] }] },
      { exceptions: [{ checks: ['a'], reason: 'r', expires: '31/01/2027' }] },
      { exceptions: [{ checks: ['a'], reason: 'r', resources: { labels: { matchExpressions: [{ key: 'a', operator: 'Equals' }] } } }] },
    ]) {
      assert.equal(validate(config), false, JSON.stringify(config));
    }
  });
});
