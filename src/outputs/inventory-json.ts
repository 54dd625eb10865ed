/**
 * The inventory as JSON (schema: docs/inventory.schema.json, generated from ./inventory-schema.ts), laid out like the
 * scan report: one top-level field per line, and each element of the lists on a line of its own, so `grep`, `head`
 * and `wc -l` work on it. Byte-stable because the builder is: keys in schema order, lists sorted. Written in chunks
 * of about 1 MB, so the inventory of a large cluster is never one string.
 */
import type { Inventory } from '../inventory/inventory.js';

const LISTS: ReadonlySet<string> = new Set(['namespaces', 'workloads', 'images', 'serviceAccounts', 'exposedServices', 'ingresses', 'hostAccess', 'errors']);

const CHUNK = 1 << 20;

export function* inventoryJsonChunks(inventory: Inventory): Generator<string> {
  let buffer = '{\n';
  let first = true;
  for (const [key, value] of Object.entries(inventory)) {
    const name = JSON.stringify(key);
    if (LISTS.has(key) && Array.isArray(value) && value.length > 0) {
      buffer += `${first ? '' : ',\n'}${name}: [\n`;
      first = false;
      for (let i = 0; i < value.length; i++) {
        buffer += `${i === 0 ? '' : ',\n'}${JSON.stringify(value[i])}`;
        if (buffer.length >= CHUNK) {
          yield buffer;
          buffer = '';
        }
      }
      buffer += '\n]';
      continue;
    }
    const json = JSON.stringify(value) as string | undefined;
    if (json === undefined) continue;
    buffer += `${first ? '' : ',\n'}${name}: ${json}`;
    first = false;
  }
  yield `${buffer}\n}\n`;
}

export function renderInventoryJson(inventory: Inventory): string {
  let text = '';
  for (const chunk of inventoryJsonChunks(inventory)) text += chunk;
  return text;
}
