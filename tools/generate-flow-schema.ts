/**
 * Writes docs/flow.schema.json, the JSON Schema of one line of an Aspis flow file, from the zod schema the reader
 * validates with (src/sources/flows/aspis-flow-schema.ts). Run `npm run generate`; a test fails when it is stale.
 */
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { flowJsonSchema } from '../src/sources/flows/aspis-flow-schema.js';

export const FLOW_SCHEMA_PATH = join(dirname(fileURLToPath(import.meta.url)), '..', 'docs', 'flow.schema.json');

export function renderFlowSchema(): string {
  return `${JSON.stringify(flowJsonSchema(), null, 2)}\n`;
}
