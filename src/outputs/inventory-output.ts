/** Output formats of `aspis inventory`: each a pure function from the inventory to text. */
import type { Inventory } from '../inventory/inventory.js';
import { inventoryJsonChunks } from './inventory-json.js';
import { renderInventoryTable } from './inventory-table.js';

export const INVENTORY_FORMATS = ['table', 'json'] as const;
export type InventoryFormat = (typeof INVENTORY_FORMATS)[number];

/** The inventory's text in chunks, in order (JSON piece by piece; the table in one chunk). */
export function* inventoryChunks(inventory: Inventory, format: InventoryFormat): Generator<string> {
  if (format === 'json') yield* inventoryJsonChunks(inventory);
  else yield renderInventoryTable(inventory);
}
