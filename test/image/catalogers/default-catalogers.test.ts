import { it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { DEFAULT_CATALOGERS } from '../../../src/image/catalogers/default-catalogers.js';

it('every cataloger module is in the default list once, with a unique kebab-case id', async () => {
  const ids = DEFAULT_CATALOGERS.map((c) => c.id);
  assert.equal(new Set(ids).size, ids.length);
  for (const id of ids) assert.match(id, /^[a-z0-9]+(-[a-z0-9]+)*$/);
  // A module that exports a Cataloger and is not listed would silently never run.
  const folder = new URL('../../../src/image/catalogers/', import.meta.url);
  const listed = new Set(DEFAULT_CATALOGERS);
  for (const name of readdirSync(folder).filter((f) => f.endsWith('.ts'))) {
    const module = (await import(new URL(name, folder).href)) as Record<string, unknown>;
    for (const [exported, value] of Object.entries(module)) {
      if (value && typeof value === 'object' && 'wants' in value && 'catalog' in value && 'id' in value) {
        assert.ok(listed.has(value as never), `${name} exports cataloger ${exported} that DEFAULT_CATALOGERS does not list`);
      }
    }
  }
});
