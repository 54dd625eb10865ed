import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseOpenVex } from './openvex-document.js';

const doc = (statements: unknown[], extra: Record<string, unknown> = {}): string =>
  JSON.stringify({ '@context': 'https://openvex.dev/ns/v0.2.0', '@id': 'https://example.com/vex/1', author: 'sec team', timestamp: '2026-01-01T00:00:00Z', version: 1, statements, ...extra }, null, 2);

describe('parseOpenVex', () => {
  it('reads statements: vulnerability name and aliases, products with identifiers and subcomponents, inherited timestamps, file:line', () => {
    const text = doc([
      {
        vulnerability: { name: 'CVE-2023-4911', aliases: ['GHSA-xxxx'] },
        products: [{ '@id': 'pkg:oci/app@sha256:abc', identifiers: { purl: 'pkg:oci/app' }, subcomponents: [{ '@id': 'pkg:deb/debian/libc6' }] }],
        status: 'not_affected',
        justification: 'vulnerable_code_not_in_execute_path',
      },
      { vulnerability: 'CVE-2022-1', timestamp: '2026-02-01T00:00:00Z', products: [{ '@id': 'pkg:npm/x' }], status: 'under_investigation' },
    ]);
    const { document, errors } = parseOpenVex(text, 'vex.json', 10);
    assert.deepEqual(errors, []);
    assert.equal(document?.statements.length, 2);
    const [a, b] = document!.statements;
    assert.deepEqual(a!.vulnerability, { name: 'CVE-2023-4911', aliases: ['GHSA-xxxx'] });
    assert.equal(a!.timestamp, '2026-01-01T00:00:00Z', 'inherits the document timestamp');
    assert.deepEqual(a!.products[0], { id: 'pkg:oci/app@sha256:abc', purl: 'pkg:oci/app', hashes: [], subcomponents: [{ id: 'pkg:deb/debian/libc6', hashes: [], subcomponents: [] }] });
    assert.equal(a!.declaredAt, 'vex.json:8');
    assert.equal(a!.order, 10);
    assert.deepEqual(b!.vulnerability, { name: 'CVE-2022-1', aliases: [] }, 'v0.0.x wrote the vulnerability as a string');
    assert.equal(b!.timestamp, '2026-02-01T00:00:00Z');
    assert.equal(b!.order, 11);
  });

  it('an invalid statement is left out with file:line:column and field; the others still apply', () => {
    const text = doc([
      { vulnerability: { name: 'CVE-1' }, products: [{ '@id': 'pkg:npm/a' }], status: 'not_affected' },
      { vulnerability: { name: 'CVE-2' }, products: [{ '@id': 'pkg:npm/a' }], status: 'bogus' },
      { vulnerability: { name: 'CVE-3' }, products: [], status: 'fixed' },
      { vulnerability: { name: 'CVE-4' }, products: [{ '@id': 'pkg:npm/a' }], status: 'affected' },
      { vulnerability: { name: 'CVE-5' }, products: [{ '@id': 'pkg:npm/a' }], status: 'fixed' },
    ]);
    const { document, errors } = parseOpenVex(text, 'vex.json');
    assert.deepEqual(
      errors.map((e) => `${e.source}:${e.line}:${e.column} ${e.field}: ${e.message}`),
      [
        'vex.json:8:5 statements[0].justification: a not_affected statement needs a justification or an impact_statement; the statement is ignored',
        'vex.json:28:17 statements[1].status: expected one of not_affected, affected, fixed, under_investigation, got "bogus"; the statement is ignored',
        'vex.json:34:19 statements[2].products: a statement names at least one product; the statement is ignored',
        'vex.json:37:5 statements[3].action_statement: an affected statement needs an action_statement; the statement is ignored',
      ],
    );
    assert.deepEqual(document?.statements.map((s) => s.vulnerability.name), ['CVE-5']);
  });

  it('a document that is not OpenVEX, or not JSON, is one error and no statement', () => {
    const notVex = parseOpenVex(JSON.stringify({ bomFormat: 'CycloneDX' }), 'bom.json');
    assert.equal(notVex.document, undefined);
    assert.match(notVex.errors.map((e) => e.message).join('\n'), /expected the OpenVEX context/);
    const context = parseOpenVex(doc([], { '@context': 'https://example.com' }), 'x.json');
    assert.deepEqual(context.errors.map((e) => [e.line, e.field]), [[2, '@context']]);
    const broken = parseOpenVex('{"@context": ', 'broken.json');
    assert.equal(broken.document, undefined);
    assert.equal(broken.errors.length, 1);
    assert.match(broken.errors[0]!.message, /^not valid JSON/);
    const badTime = parseOpenVex(doc([], { timestamp: 'yesterday' }), 't.json');
    assert.deepEqual(badTime.errors.map((e) => e.message), ['expected an ISO 8601 timestamp such as 2026-01-31T12:00:00Z, got "yesterday"']);
  });
});
