/**
 * Differential test of the values the fast scanner decodes (fast-values.ts) against js-yaml with the Kubernetes
 * schema, the decoder they replace: for every YAML document of the shared corpora, the bundled examples, generated
 * benchmark workloads and random documents, whenever the fast path gives a value it must be exactly js-yaml's, and
 * it must give none where js-yaml rejects the document or reports a non-finite number (those take js-yaml's path,
 * which reports them).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import jsyaml from 'js-yaml';
import { fastScan } from '../../../src/sources/manifests/fast-positions.js';
import { fastDocumentValue, NOT_DECODED } from '../../../src/sources/manifests/fast-values.js';
import { jsYamlMisnesting, withEmptyItemsAsNull } from '../../../src/sources/manifests/js-yaml-nesting.js';
import { splitYamlStream } from '../../../src/sources/manifests/split-documents.js';
import { yamlPackage } from '../../../src/sources/manifests/yaml-package.js';
import { K8S_YAML_SCHEMA, takeNonFiniteCount } from '../../../src/sources/manifests/yaml-schema.js';
import { generateWorkload } from '../../../bench/workload-generator.js';
import { yamlDocument } from './yaml-generator.js';

const loadK8s = (text: string): unknown => jsyaml.load(text, { schema: K8S_YAML_SCHEMA });

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const corpora = [resolve(repoRoot, '../shared/corpora'), '/work/shared/corpora'].find((dir) => existsSync(dir));

type Outcome = { decoded: false } | { decoded: true; agrees: true } | { decoded: true; agrees: false; why: string };

/** Decodes one document both ways and compares. */
function compare(part: string): Outcome {
  const scan = fastScan(part);
  const fast = scan?.valuesKnown ? fastDocumentValue(part, scan.tree) : NOT_DECODED;
  if (fast === NOT_DECODED) return { decoded: false };
  let reference: unknown;
  takeNonFiniteCount();
  try {
    reference = jsyaml.load(part, { schema: K8S_YAML_SCHEMA }) ?? null;
    // js-yaml misreads an empty sequence item followed by an item of an enclosing sequence (js-yaml-nesting.ts), and
    // the fast path reads it as YAML does: as js-yaml reads the same document with its empty items written `- null`.
    if (jsYamlMisnesting(part, reference, loadK8s) !== undefined) reference = jsyaml.load(withEmptyItemsAsNull(part), { schema: K8S_YAML_SCHEMA }) ?? null;
  } catch (error) {
    return { decoded: true, agrees: false, why: `js-yaml rejects it (${(error as Error).message.split('\n')[0]}), the fast path decoded it` };
  }
  if (takeNonFiniteCount() > 0) return { decoded: true, agrees: false, why: 'js-yaml counted a non-finite number, the fast path decoded it' };
  try {
    assert.deepStrictEqual(fast, reference);
  } catch (error) {
    return { decoded: true, agrees: false, why: (error as Error).message.slice(0, 600) };
  }
  // Same prototype and key order as js-yaml, which the report's object order depends on.
  if (JSON.stringify(fast) !== JSON.stringify(reference)) return { decoded: true, agrees: false, why: 'key order differs' };
  return { decoded: true, agrees: true };
}

function yamlFiles(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yamlFiles(path, out);
    else if (['.yaml', '.yml'].includes(extname(entry.name).toLowerCase())) out.push(path);
  }
  return out;
}

/** Compares every document of the files; returns how many there were, how many the fast path decoded, differences. */
function compareFiles(files: string[]): { documents: number; decoded: number; differences: string[] } {
  let documents = 0;
  let decoded = 0;
  const differences: string[] = [];
  for (const file of files) {
    let text = readFileSync(file, 'utf8');
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    for (const segment of splitYamlStream(text)) {
      documents++;
      const outcome = compare(text.slice(segment.start, segment.end));
      if (!outcome.decoded) continue;
      decoded++;
      if (!outcome.agrees && differences.length < 10) differences.push(`${file}#${segment.index}: ${outcome.why}`);
    }
  }
  return { documents, decoded, differences };
}

describe('fast values vs js-yaml', () => {
  it('agrees on every document of the shared corpora and the bundled examples', { skip: !corpora && 'no corpora found' }, () => {
    const files = [...yamlFiles(corpora!), ...yamlFiles(join(repoRoot, 'examples'))];
    assert.ok(files.length > 100, `only ${files.length} files`);
    const { differences } = compareFiles(files);
    assert.deepEqual(differences, []);
    // Kubernetes manifests must nearly all take the fast path, or the comparison (and the speed-up) means little;
    // the OSV advisories (not manifests: long multi-line plain scalars) are compared above but not counted here.
    const manifests = compareFiles(files.filter((file) => !file.includes('osv-advisories')));
    assert.ok(manifests.decoded / manifests.documents > 0.95, `fast path decoded only ${manifests.decoded} of ${manifests.documents} manifests`);
  });

  it('decodes every generated benchmark workload, as js-yaml does', () => {
    let decoded = 0;
    for (let i = 0; i < 500; i++) {
      const outcome = compare(jsyaml.dump(generateWorkload(i), { noRefs: true }));
      if (outcome.decoded && !outcome.agrees) assert.fail(`workload ${i}: ${outcome.why}`);
      if (outcome.decoded) decoded++;
    }
    assert.equal(decoded, 500);
  });

  it('reads an empty item followed by an item of an enclosing sequence as YAML and Kubernetes do, where js-yaml does not', () => {
    // js-yaml reads `a:\n  - -\n  - y` as {a: [[null, 'y']]}, YAML (the `yaml` package, go-yaml, hence Kubernetes) as
    // {a: [[null], 'y']} (found by the random test below). The fast path gives YAML's value, and js-yaml's reading of
    // these documents is recognised (jsYamlMisnesting) for those the fast path leaves to it.
    const cases = ['- a:\n  -\n- b\n', '-\n  -\n- b\n', 'a:\n  - - x\n    -\n  - y\n', 'a:\n  - -\n  - y\n', 'a:\n  -\n    -\n  - y\n', 'c:\n- args:\n  - x\n  - # none\n- name: b\n'];
    for (const text of cases) {
      const scan = fastScan(text);
      assert.ok(scan?.valuesKnown, text);
      const value = fastDocumentValue(text, scan.tree);
      assert.deepEqual(value, yamlPackage().parse(text, { version: '1.1' }), text);
      const jsYamlValue = jsyaml.load(text, { schema: K8S_YAML_SCHEMA });
      assert.notDeepEqual(jsYamlValue, value, text);
      assert.notEqual(jsYamlMisnesting(text, jsYamlValue, loadK8s), undefined, text);
      assert.deepEqual(compare(text), { decoded: true, agrees: true }, text);
    }
    // An empty item followed by an item at its own indentation, or by a key of an enclosing mapping, is read alike.
    for (const text of ['a:\n  -\n  - y\n', 'a:\n  - x\n  -\nb: 1\n', 'a:\n  l:\n    -\n  m: 1\n']) {
      assert.equal(jsYamlMisnesting(text, jsyaml.load(text, { schema: K8S_YAML_SCHEMA }), loadK8s), undefined, text);
      assert.deepEqual(compare(text), { decoded: true, agrees: true }, text);
    }
  });

  it('gives no value for a document with characters YAML forbids, which js-yaml rejects', () => {
    for (const text of ['a: b\u0001c\n', 'a: \u007f\n', 'a: x\ud800\n', 'a: \u009f\n', 'k\u0008: v\n']) {
      assert.deepEqual(compare(text), { decoded: false }, JSON.stringify(text));
      assert.throws(() => jsyaml.load(text, { schema: K8S_YAML_SCHEMA }), /non-printable/, JSON.stringify(text));
    }
    // Allowed outside ASCII: decoded, as js-yaml does.
    assert.deepEqual(compare('a: é ✓ \u0085 😀\n'), { decoded: true, agrees: true });
  });

  it('agrees on random block and flow documents, and decodes none that js-yaml rejects', () => {
    let decoded = 0;
    let rejectedByJsYaml = 0;
    fc.assert(
      fc.property(yamlDocument, (text) => {
        try {
          jsyaml.load(text, { schema: K8S_YAML_SCHEMA });
        } catch {
          rejectedByJsYaml++;
        }
        const outcome = compare(text);
        if (!outcome.decoded) return;
        decoded++;
        assert.ok(outcome.agrees, `${outcome.agrees ? '' : outcome.why}\n${text}`);
      }),
      { numRuns: 4000 },
    );
    // Both sides of the comparison must be exercised: documents decoded fast, and documents js-yaml rejects.
    assert.ok(decoded > 350, `fast path decoded only ${decoded} of 4000 generated documents`);
    assert.ok(rejectedByJsYaml > 200, `only ${rejectedByJsYaml} generated documents were invalid`);
  });
});
