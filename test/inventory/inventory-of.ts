/** Builds the inventory of manifest files the way `aspis inventory manifests` does (batch by batch), for tests. */
import { resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LATEST_PSS_VERSION } from '../../src/core/model/check-context.js';
import type { PssVersion } from '../../src/core/model/check-context.js';
import type { ResourceRef } from '../../src/core/model/resource.js';
import { InventoryBuilder } from '../../src/inventory/inventory-builder.js';
import type { Inventory } from '../../src/inventory/inventory.js';
import { manifestBatches } from '../../src/sources/manifests/load-manifests.js';

export const FIXTURES = resolve(dirname(fileURLToPath(import.meta.url)), 'fixtures');

export async function inventoryOf(paths: string[], options: { pssVersion?: PssVersion; cwd?: string } = {}): Promise<Inventory> {
  const builder = new InventoryBuilder({
    pssVersion: options.pssVersion ?? LATEST_PSS_VERSION,
    inputs: paths,
    toolVersion: 'test',
    now: new Date(0),
  });
  for await (const batch of manifestBatches(paths, { cwd: options.cwd ?? FIXTURES })) {
    builder.addErrors(batch.errors);
    builder.add(batch.resources);
  }
  return builder.finish();
}

/** `Kind/namespace/name` of refs, for readable assertions. */
export function names(refs: readonly ResourceRef[]): string[] {
  return refs.map((ref) => (ref.namespace ? `${ref.kind}/${ref.namespace}/${ref.name}` : `${ref.kind}/${ref.name}`));
}
