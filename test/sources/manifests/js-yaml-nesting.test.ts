/**
 * A container hidden from js-yaml: after an empty sequence item, js-yaml reads the next, less indented, item of the
 * enclosing sequence as an item of the inner one (js-yaml-nesting.ts). Kubernetes (go-yaml) runs that container; a
 * scan must see it (fast path) or say it cannot read the document (js-yaml path), never scan a different object.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import jsyaml from 'js-yaml';
import { streamDocuments } from '../../../src/sources/manifests/parse-documents.js';
import { K8S_YAML_SCHEMA } from '../../../src/sources/manifests/yaml-schema.js';
import { JS_YAML_NESTING_MESSAGE, jsYamlMisnesting } from '../../../src/sources/manifests/js-yaml-nesting.js';
import { runCliInProcess } from '../../cli/run-cli-in-process.js';
import { EXIT } from '../../../src/cli/exit-codes.js';
import { yamlPackage } from '../../../src/sources/manifests/yaml-package.js';
import { yamlDocument } from './yaml-generator.js';

const loadK8s = (text: string): unknown => jsyaml.load(text, { schema: K8S_YAML_SCHEMA });

/** A Pod whose second container (privileged) follows an empty `args` item; `extra` goes in the first container. */
const pod = (extra = ''): string => `apiVersion: v1
kind: Pod
metadata:
  name: hidden
  namespace: apps
spec:
  containers:
  - name: app
    image: registry.example.com/app:1.0${extra}
    args:
    -
  - name: sidecar
    image: registry.example.com/sidecar:1.0
    securityContext:
      privileged: true
`;

type Item = { document?: { value: unknown }; error?: { line?: number; column?: number; message: string } };

function containerNames(value: unknown): string[] {
  return ((value as { spec: { containers: { name: string }[] } }).spec.containers ?? []).map((c) => c.name);
}

describe('an empty sequence item followed by an item of an enclosing sequence', () => {
  const work = mkdtempSync(join(tmpdir(), 'aspis-nesting-'));
  after(() => rmSync(work, { recursive: true, force: true }));

  it('is read as Kubernetes reads it by the fast path: two containers, where js-yaml sees one', () => {
    assert.deepEqual(containerNames(jsyaml.load(pod(), { schema: K8S_YAML_SCHEMA })), ['app']);
    const items = [...streamDocuments(pod())] as Item[];
    assert.equal(items.length, 1);
    assert.deepEqual(containerNames(items[0]!.document!.value), ['app', 'sidecar']);
  });

  it('is reported at the empty item, not scanned, when js-yaml reads the document (an anchor, a block scalar)', () => {
    for (const extra of ['\n    workingDir: &dir /srv', '\n    command: |\n      run']) {
      const text = `${pod(extra)}---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: apps\n`;
      const items = [...streamDocuments(text)] as Item[];
      const errors = items.filter((item) => item.error).map((item) => item.error!);
      const emptyItemLine = text.split('\n').indexOf('    -') + 1;
      assert.deepEqual(errors, [{ documentIndex: 0, line: emptyItemLine, column: 5, message: JS_YAML_NESTING_MESSAGE }], extra);
      // The other document is still read.
      assert.deepEqual(items.filter((item) => item.document).map((item) => (item.document!.value as { kind: string }).kind), ['Namespace']);
    }
  });

  it('is reported where the yaml package cannot read the document but go-yaml can (a quoted scalar continued at column 0)', () => {
    // go-yaml reads two containers; the `yaml` package rejects the annotation, so its reading cannot be the witness.
    const text = pod().replace('  namespace: apps\n', '  namespace: apps\n  annotations:\n    note: "long text\ncontinued"\n');
    const items = [...streamDocuments(text)] as Item[];
    const emptyItemLine = text.split('\n').indexOf('    -') + 1;
    assert.deepEqual(items, [{ error: { documentIndex: 0, line: emptyItemLine, column: 5, message: JS_YAML_NESTING_MESSAGE } }]);
  });

  it('is not reported when js-yaml reads it as YAML does', () => {
    const documents = [
      'a: &x\n  - x\n  -\nb: 1\n',
      'a: &x\n  -\n  - y\n',
      'a: &x\n  l:\n    -\n  m: 1\n',
      'a: &x [1]\nb: *x\n',
      // Found in review: the `yaml` package errs on these (a flow sequence not indented enough, a quoted scalar over
      // lines, a tagged key read as plain), which made a comparison with its reading report them.
      'spec:\n  containers:\n  - name: a\n    command: ["sh", "-c",\n    "echo hi"]\n  - name: b\n    args:\n    -\n  hostPID: true\n',
      '- name: a\n  env: "abc\ndef"\n- name: b\n  args:\n  -\n  image: b\n',
      'a:\n-\n16: [x, y]\n!!str 0x10: [x]\n',
      // A line holding only `-` inside a block scalar is text.
      'a:\n- |\n  x\n    -\n- b\nc: &y 1\n',
    ];
    for (const text of documents) {
      assert.equal(jsYamlMisnesting(text, jsyaml.load(text, { schema: K8S_YAML_SCHEMA }), loadK8s), undefined, text);
      const items = [...streamDocuments(text)] as Item[];
      assert.deepEqual(items.map((item) => item.error), [undefined], text);
    }
  });

  it('never scans a random document whose structure js-yaml reads differently from the yaml package', () => {
    // The structure (keys, sequence lengths) of js-yaml's value against the `yaml` package's (YAML 1.1 scalars, as
    // go-yaml): where they differ, Aspis must give the `yaml` package's structure or no value at all (an error).
    // Left out: null keys (js-yaml names them "null", the `yaml` package ""), and merge keys, whose odd values (`<<:
    // [[]]`) the two merge differently: naming and merging differences, not nesting ones.
    const shape = (v: unknown, depth = 0): unknown =>
      depth > 30 ? 'deep'
      : Array.isArray(v) ? v.map((x) => shape(x, depth + 1))
      : v !== null && typeof v === 'object' && !(v instanceof Date) ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, shape((v as Record<string, unknown>)[k], depth + 1)]))
      : 0;
    let differing = 0;
    fc.assert(
      fc.property(yamlDocument, (text) => {
        if (/(^|[\s{,])(~|null|Null|NULL)\s*:/m.test(text) || /^\s*(-\s+)*:/m.test(text) || text.includes('<<')) return;
        let jsYamlValue: unknown;
        try {
          jsYamlValue = jsyaml.load(text, { schema: K8S_YAML_SCHEMA });
        } catch {
          return;
        }
        const doc = yamlPackage().parseDocument(text, { version: '1.1', uniqueKeys: false });
        if (doc.errors.length > 0) return;
        const expected = JSON.stringify(shape(doc.toJS({ maxAliasCount: -1 })));
        if (JSON.stringify(shape(jsYamlValue)) === expected) return;
        differing++;
        const values = ([...streamDocuments(text)] as Item[]).filter((item) => item.document).map((item) => item.document!.value);
        assert.ok(values.length === 0 || JSON.stringify(shape(values[0])) === expected, `scanned as js-yaml reads it:\n${text}`);
      }),
      { numRuns: 6000 },
    );
    assert.ok(differing > 3, `only ${differing} generated documents were read differently: the property was hardly tested`);
  });

  it('gives the hidden container its findings in a scan, and a clear error with file:line where it cannot', async () => {
    const seen = join(work, 'seen.yaml');
    writeFileSync(seen, pod());
    const scan = await runCliInProcess(['scan', 'manifests', seen, '-o', 'json']);
    const report = JSON.parse(scan.stdout) as { findings: { checkId: string; path: string; location?: { line: number } }[] };
    const privileged = report.findings.filter((f) => f.checkId === 'privileged-containers');
    assert.deepEqual(
      privileged.map((f) => [f.path, f.location?.line]),
      [['spec.containers[1].securityContext.privileged', 15]],
    );

    const unread = join(work, 'unread.yaml');
    writeFileSync(unread, `${pod('\n    workingDir: &dir /srv')}---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: other\nspec:\n  hostPID: true\n  containers:\n  - name: c\n    image: c:1\n`);
    const failed = await runCliInProcess(['scan', 'manifests', unread, '-o', 'json']);
    assert.equal(failed.code, EXIT.error);
    assert.match(failed.stderr, new RegExp(`${unread.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:12:5: js-yaml would read the items after this empty sequence item`));
    const other = JSON.parse(failed.stdout) as { findings: { checkId: string; resource: { name: string } }[] };
    assert.ok(other.findings.some((f) => f.resource.name === 'other' && f.checkId === 'host-namespaces'), 'the other document is scanned');
    assert.ok(!other.findings.some((f) => f.resource.name === 'hidden'));
  });
});
