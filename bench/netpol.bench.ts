/**
 * `npm run bench:netpol`: one JSON line with the figures of the NetworkPolicy engine.
 * - `reach`: the connectivity matrix for 5,000 Pods × 1,000 NetworkPolicies (bench/netpol-reach.ts; target < 5 s).
 * - `flows`: flows → policies, when bench/netpol-flows.ts exists (it exports `benchFlows(): Promise<object> | object`).
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { benchReach } from './netpol-reach.js';

const here = dirname(fileURLToPath(import.meta.url));
const result: Record<string, unknown> = { bench: 'netpol', reach: benchReach() };
const flows = join(here, 'netpol-flows.ts');
if (existsSync(flows)) {
  // A path, not a literal specifier: this file compiles whether or not the flows part exists yet.
  const module = (await import(pathToFileURL(flows).href)) as { benchFlows(): Promise<unknown> | unknown };
  result['flows'] = await module.benchFlows();
}
console.log(JSON.stringify(result));
