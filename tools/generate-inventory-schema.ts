/** Writes docs/inventory.schema.json from the zod schema in src/outputs/inventory-schema.ts. Run `npm run generate`. */
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inventoryJsonSchema } from '../src/outputs/inventory-schema.js';

export const INVENTORY_SCHEMA_PATH = join(dirname(fileURLToPath(import.meta.url)), '..', 'docs', 'inventory.schema.json');

export function renderInventorySchema(): string {
  return `${JSON.stringify(inventoryJsonSchema(), null, 2)}\n`;
}
