/**
 * Writes docs/aspis-config.schema.json from the zod schema of `.aspis.yaml` (src/config/aspis-config-schema.ts), so
 * editors can validate and complete the file. Run `npm run generate`; a test fails when the committed file is stale.
 */
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { AspisConfigSchema } from '../src/config/aspis-config-schema.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

export const CONFIG_SCHEMA_PATH = join(root, 'docs', 'aspis-config.schema.json');
export const CONFIG_SCHEMA_ID = 'https://aspis.dev/schemas/aspis-config.schema.json';

export function renderConfigSchema(): string {
  // `input`: the schema of what users write (before defaults), which is what an editor checks.
  const schema = z.toJSONSchema(AspisConfigSchema, { io: 'input', target: 'draft-2020-12' });
  const { $schema, ...rest } = schema;
  const document = { $schema, $id: CONFIG_SCHEMA_ID, title: 'Aspis configuration (.aspis.yaml)', ...rest };
  return `${JSON.stringify(document, null, 2)}\n`;
}
