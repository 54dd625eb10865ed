/**
 * Enforces the house rules on the import graph (docs: ../shared/architecture.md, rules 1 and 2):
 * dependencies point one way, and engines stay pure (no I/O modules, no clock).
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, dirname, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const src = resolve(dirname(fileURLToPath(import.meta.url)), '../../src');

/** Which top-level folders of src/ each folder may import from (itself always allowed). */
const ALLOWED: Record<string, readonly string[]> = {
  core: [],
  checks: ['core'],
  frameworks: ['core', 'checks'],
  policy: ['core'],
  rbac: ['core'],
  network: ['core'],
  graph: ['core'],
  vuln: ['core'],
  image: ['core', 'vuln'],
  runtime: ['core'],
  scan: ['core', 'checks', 'frameworks'],
  inventory: ['core', 'checks', 'frameworks'],
  config: ['core'],
  sources: ['core', 'image'],
  outputs: ['core', 'frameworks', 'inventory', 'image', 'vuln'],
  store: ['core', 'checks', 'frameworks', 'scan'],
  server: ['*'],
  cli: ['*'],
};

/** Engines: data in, data out. */
const PURE = new Set(['core', 'checks', 'frameworks', 'policy', 'rbac', 'network', 'graph', 'scan', 'inventory', 'image']);
const IO_MODULES = /^(node:)?(fs|fs\/promises|net|http|https|http2|child_process|dgram|dns|os|tls|worker_threads|cluster)$/;
const CLOCK = /\bDate\.now\(|\bnew Date\(\s*\)|\bperformance\.now\(/;

function* typescriptFiles(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* typescriptFiles(path);
    else if (name.endsWith('.ts') && !name.endsWith('.test.ts')) yield path;
  }
}

function layerOf(file: string): string {
  return relative(src, file).split(sep)[0]!;
}

const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

it('src/ imports follow the dependency direction and engines stay pure', () => {
  const problems: string[] = [];
  for (const file of typescriptFiles(src)) {
    const layer = layerOf(file);
    const allowed = ALLOWED[layer];
    const text = readFileSync(file, 'utf8');
    const where = relative(src, file);
    if (!allowed) {
      problems.push(`${where}: folder src/${layer} is not in the layer table of this test`);
      continue;
    }
    for (const match of text.matchAll(IMPORT)) {
      const specifier = (match[1] ?? match[2])!;
      if (specifier.startsWith('.')) {
        const target = layerOf(resolve(dirname(file), specifier));
        if (target !== layer && !allowed.includes('*') && !allowed.includes(target)) {
          problems.push(`${where}: imports src/${target} (${specifier}); src/${layer} may import ${allowed.join(', ') || 'nothing else'}`);
        }
      } else if (PURE.has(layer) && IO_MODULES.test(specifier)) {
        problems.push(`${where}: engine imports I/O module ${specifier}`);
      }
    }
    if (PURE.has(layer) && CLOCK.test(text)) problems.push(`${where}: engine reads the clock; take the time as a parameter`);
  }
  assert.deepEqual(problems, []);
});
