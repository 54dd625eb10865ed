/**
 * The two renderings of an inventory: JSON valid against the published schema (docs/inventory.schema.json), with keys
 * in schema order and one list element per line; and the terminal table's sections.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import type { Inventory } from '../../src/inventory/inventory.js';
import { inventoryJsonSchema, inventorySchema } from '../../src/outputs/inventory-schema.js';
import type { InventoryFromSchema } from '../../src/outputs/inventory-schema.js';
import { inventoryJsonChunks, renderInventoryJson } from '../../src/outputs/inventory-json.js';
import { renderInventoryTable } from '../../src/outputs/inventory-table.js';
import { inventoryOf } from './inventory-of.js';

// Type level: the schema and the Inventory type are mutually assignable, so neither can change without the other.
type Assignable<From, To> = [From] extends [To] ? true : false;
const schemaToInventory: Assignable<InventoryFromSchema, Inventory> = true;
const inventoryToSchema: Assignable<Inventory, InventoryFromSchema> = true;

interface JsonSchema {
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  additionalProperties?: boolean | JsonSchema;
}

const published = JSON.parse(readFileSync(new URL('../../docs/inventory.schema.json', import.meta.url), 'utf8')) as JsonSchema;
const validate = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true }).compile(published);

const shop = await inventoryOf(['shop']);
const live = await inventoryOf(['live']);

/** Where the keys of `value` are not in the order the schema declares them. */
function keyOrderProblems(value: unknown, node: JsonSchema, at: string, problems: string[] = []): string[] {
  if (Array.isArray(value)) {
    if (node.items) value.forEach((item, i) => keyOrderProblems(item, node.items!, `${at}[${i}]`, problems));
    return problems;
  }
  if (value === null || typeof value !== 'object') return problems;
  const options = node.anyOf ?? [node];
  const schema = options.find((option) => option.properties && Object.keys(value).every((key) => key in option.properties!)) ?? node;
  if (!schema.properties) return problems;
  const declared = Object.keys(schema.properties);
  const keys = Object.keys(value);
  const expected = [...keys].sort((a, b) => declared.indexOf(a) - declared.indexOf(b));
  if (keys.join() !== expected.join()) problems.push(`${at}: ${keys.join(',')} (schema order: ${expected.join(',')})`);
  for (const key of keys) {
    const child = schema.properties[key];
    if (child) keyOrderProblems((value as Record<string, unknown>)[key], child, `${at}.${key}`, problems);
  }
  return problems;
}

describe('inventory JSON', () => {
  it('the zod schema and Inventory are mutually assignable', () => {
    assert.equal(schemaToInventory && inventoryToSchema, true);
  });

  it('is valid against docs/inventory.schema.json, which is draft-07, closed and documented', () => {
    for (const inventory of [shop, live]) {
      const parsed: unknown = JSON.parse(renderInventoryJson(inventory));
      assert.equal(validate(parsed), true, JSON.stringify(validate.errors, null, 1));
      assert.equal(inventorySchema.safeParse(parsed).success, true);
    }
    assert.equal(validate({ ...JSON.parse(renderInventoryJson(shop)), schemaVersion: 'aspis.dev/inventory/v2' }), false);
    const schema = inventoryJsonSchema();
    assert.equal(schema['$schema'], 'http://json-schema.org/draft-07/schema#');
    assert.equal(schema['additionalProperties'], false);
    const properties = schema['properties'] as Record<string, { description?: string }>;
    assert.match(properties['schemaVersion']!.description!, /breaking/);
  });

  it('writes keys in schema order, as the builder builds them', () => {
    for (const inventory of [shop, live]) {
      assert.deepEqual(keyOrderProblems(JSON.parse(renderInventoryJson(inventory)), published, '$'), []);
    }
  });

  it('writes one list element per line, and the same text in chunks as at once', () => {
    const text = renderInventoryJson(live);
    assert.equal([...inventoryJsonChunks(live)].join(''), text);
    const lines = text.split('\n');
    const start = lines.indexOf('"workloads": [');
    const end = lines.findIndex((line, i) => i > start && line === '],');
    assert.equal(end - start - 1, live.workloads.length);
    for (const line of lines.slice(start + 1, end)) assert.match(line, /^\{"resource":.*\},?$/);
    assert.ok(lines.includes('"errors": []'), 'an empty list stays on its line');
  });
});

describe('inventory table', () => {
  const table = renderInventoryTable(shop);

  it('has a section per question, in order', () => {
    const sections = ['Namespaces (4)', 'Workloads (5)', 'Images (5)', 'Service accounts (5)', 'Exposed services (2)', 'Ingresses (1)', 'Host network and host ports (2)', 'Summary'];
    let from = 0;
    for (const section of sections) {
      const at = table.indexOf(`\n${section}`, from - 1);
      assert.ok(at >= from - 1, `missing or out of order: ${section}`);
      from = at + 1;
    }
  });

  it('says what to do with each namespace and names the pods enforce would reject', () => {
    const row = (name: string) => table.split('\n').find((line) => line.startsWith(`  ${name} `))!;
    assert.match(row('shop'), /baseline +restricted@v1\.30 ✗1 +- +restricted ✗1 +1 rejected on re-create$/);
    assert.match(row('web'), /restricted +baseline +- +- +can enforce restricted$/);
    assert.match(row('batch'), /privileged +\? +\? +\? +Namespace not in input$/);
    assert.match(table, /Pods rejected when next created\n {2}shop: enforce restricted rejects the pods of Deployment\/cart\n/);
  });

  it('shows exposure: Service ports with node ports, ingress routes to workloads, host access', () => {
    assert.match(table, /shop\/frontend-external +LoadBalancer +80→8080\/TCP +203\.0\.113\.0\/24 +Deployment\/frontend\n/);
    assert.match(table, /web\/static-site +NodePort +30080→80→8080\/TCP +anywhere +Deployment\/static-site\n/);
    assert.match(table, /https:\/\/shop\.example\.com\/api\/cart +Prefix +→ Service cart:grpc → Deployment\/cart\n/);
    assert.match(table, /http:\/\/legacy\.example\.com\/ +Prefix +→ Service legacy:80 \(not in input\)\n/);
    assert.match(table, /DaemonSet\/monitoring\/node-exporter +network, ports 9100\/TCP\n/);
  });

  it('shows owned workloads under their top-most owner, with owners outside the input', () => {
    const text = renderInventoryTable(live);
    assert.match(text, /Workloads \(10; 4 top-level shown\)/);
    assert.match(text, / shop +Deployment\/web +baseline +web +not mounted \(by pod\) +- +2 ReplicaSets, 2 Pods +-\n/);
    assert.match(text, / shop +CronJob\/cleanup +.* 1 Job, 1 Pod +-\n/);
    assert.match(text, / kube-system +Pod\/kube-apiserver-node-1 +privileged .* network +- +Node\/node-1 \(not in input\)\n/);
  });

  it('escapes control characters from the input', () => {
    const tricky = structuredClone(shop);
    tricky.workloads[0]!.resource.name = 'evil\u001b[31m';
    assert.ok(!renderInventoryTable(tricky).includes('\u001b'));
  });
});
