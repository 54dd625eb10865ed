/**
 * Differential test of the fast position scanner against the `yaml` package: for every YAML and JSON file of the
 * shared corpora and for random documents, every intermediate and leaf path of every document (plus a missing
 * child under each, to exercise "deepest existing ancestor") must be located at the same offset by both.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import jsyaml from 'js-yaml';
import { parseDocument } from 'yaml';
import { fastPositionTree } from '../../../src/sources/manifests/fast-positions.js';
import { parseStream } from '../../../src/sources/manifests/parse-documents.js';
import { findNode } from '../../../src/sources/manifests/position-tree.js';
import type { PosNode } from '../../../src/sources/manifests/position-tree.js';
import { yamlPositionTree } from '../../../src/sources/manifests/yaml-positions.js';
import { K8S_YAML_SCHEMA } from '../../../src/sources/manifests/yaml-schema.js';
import { yamlDocument } from './yaml-generator.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const corpora = [resolve(repoRoot, '../shared/corpora'), '/work/shared/corpora'].find((dir) => existsSync(dir));

type Path = (string | number)[];

/** Compares both trees on every path of `value`; returns the first difference, if any. */
function firstDifference(fast: PosNode | null, reference: PosNode | null, value: unknown): string | undefined {
  if (fast === null || reference === null) return fast === reference ? undefined : 'one tree is empty';
  const visit = (node: unknown, path: Path): string | undefined => {
    for (const probe of [path, [...path, '\u0000missing'], [...path, 1_000_000]]) {
      const a = findNode(fast, probe).off;
      const b = findNode(reference, probe).off;
      if (a !== b) return `${JSON.stringify(probe)}: fast ${a}, yaml ${b}`;
    }
    if (node !== null && typeof node === 'object') {
      const array = Array.isArray(node);
      for (const [key, child] of Object.entries(node)) {
        const found = visit(child, [...path, array ? Number(key) : key]);
        if (found) return found;
      }
    }
    return undefined;
  };
  return visit(value, []);
}

function manifestFiles(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) manifestFiles(path, out);
    else if (['.yaml', '.yml', '.json'].includes(extname(entry.name).toLowerCase())) out.push(path);
  }
  return out;
}

describe('fast locator vs yaml package', () => {
  it('agrees on every path of every document of the shared corpora', { skip: !corpora && 'no corpora found' }, () => {
    const files = manifestFiles(corpora!);
    assert.ok(files.length > 100, `only ${files.length} files under ${corpora}`);
    let documents = 0;
    let fast = 0;
    const differences: string[] = [];
    for (const file of files) {
      const { documents: parsed } = parseStream(readFileSync(file, 'utf8'));
      for (const document of parsed) {
        documents++;
        const text = document.locator.text();
        const fastTree = fastPositionTree(text);
        if (fastTree === undefined) continue; // the yaml package is used for this one: nothing to compare
        fast++;
        const difference = firstDifference(fastTree, yamlPositionTree(text), document.value);
        if (difference && differences.length < 10) differences.push(`${file}#${document.documentIndex} ${difference}`);
      }
    }
    assert.deepEqual(differences, []);
    // The comparison is only meaningful if the fast path handles (nearly) everything.
    assert.ok(fast / documents > 0.99, `fast path handled only ${fast} of ${documents} documents`);
  });

  it('agrees on random block and flow documents', () => {
    let valid = 0;
    let fast = 0;
    fc.assert(
      fc.property(yamlDocument, (text) => {
        let value: unknown;
        try {
          value = jsyaml.load(text, { schema: K8S_YAML_SCHEMA, json: true });
        } catch {
          return; // not valid YAML for js-yaml: nothing to locate
        }
        if (parseDocument(text, { schema: 'failsafe', uniqueKeys: false }).errors.length > 0) return;
        valid++;
        const fastTree = fastPositionTree(text);
        if (fastTree === undefined) return;
        fast++;
        const difference = firstDifference(fastTree, yamlPositionTree(text), value);
        assert.equal(difference, undefined, `${difference}\n${text}`);
      }),
      { numRuns: 3000 },
    );
    assert.ok(valid > 2000, `only ${valid} valid documents generated`);
    assert.ok(fast / valid > 0.7, `fast path handled only ${fast} of ${valid} generated documents`);
  });
});
