/**
 * A ProjectedLocator answers, for any path, what the document's own locator answers for the path's longest prefix
 * among the identity fields it keeps (the object itself when none), also after being posted between threads.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseDocuments } from '../sources/manifests/parse-documents.js';
import type { FieldPath } from '../core/model/field-path.js';
import type { SourceLocator } from '../core/model/source-location.js';
import { ProjectedLocator } from './projected-locator.js';

const KEPT = ['metadata.name', 'metadata.generateName', 'metadata.namespace', 'metadata.uid', 'metadata.labels', 'metadata', 'apiVersion', 'kind'];

function expected(locator: SourceLocator, path: FieldPath) {
  for (let n = Math.min(path.length, 2); n > 0; n--) {
    if (KEPT.includes(path.slice(0, n).join('.'))) return locator.locate(path.slice(0, n));
  }
  return locator.locate([]);
}

const TEXT = `# a workload
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
  labels:
    app: web
  annotations:
    note: x
spec:
  template:
    spec:
      containers:
        - name: web
---
kind: ConfigMap
data: {a: b}
`;

const PATHS: FieldPath[] = [
  [], ['apiVersion'], ['kind'], ['metadata'], ['metadata', 'name'], ['metadata', 'namespace'], ['metadata', 'uid'],
  ['metadata', 'generateName'], ['metadata', 'labels'], ['metadata', 'labels', 'app'], ['metadata', 'annotations', 'note'],
  ['spec', 'template', 'spec', 'containers', 0, 'name'], ['data', 'a'], ['metadata', 'name', 'x', 'y'],
];

describe('ProjectedLocator', () => {
  const { documents } = parseDocuments(TEXT);
  for (const [i, document] of documents.entries()) {
    it(`answers as the document's locator for the kept prefix (document ${i})`, () => {
      const locator = document.locator!;
      const projected = ProjectedLocator.of(locator);
      const posted = ProjectedLocator.revive(structuredClone(projected));
      for (const path of PATHS) {
        const want = expected(locator, path);
        assert.deepEqual(projected.locate(path), want, path.join('.'));
        assert.deepEqual(posted.locate(path), want, `${path.join('.')} after postMessage`);
      }
    });
  }

  it('has positions to answer with: the workload names its fields on their own lines', () => {
    const projected = ProjectedLocator.of(documents[0]!.locator!);
    assert.deepEqual(projected.locate(['metadata', 'namespace']), { line: 6, column: 3 });
    assert.deepEqual(projected.locate(['metadata', 'annotations', 'note']), { line: 4, column: 1 });
    // Not written in the second document: the document's locator answers with the object, and so does the projection.
    assert.deepEqual(ProjectedLocator.of(documents[1]!.locator!).locate(['metadata', 'name']), { line: 17, column: 1 });
  });

  it('keeps "no position" for a kept field, rather than answering with a shorter prefix', () => {
    const locator: SourceLocator = { locate: (path) => (path.join('.') === 'metadata.uid' ? undefined : { line: path.length + 1, column: 1 }) };
    const projected = ProjectedLocator.revive(structuredClone(ProjectedLocator.of(locator)));
    assert.equal(projected.locate(['metadata', 'uid', 'x']), undefined);
    assert.deepEqual(projected.locate(['metadata', 'name']), { line: 3, column: 1 });
    assert.deepEqual(projected.locate(['spec']), { line: 1, column: 1 });
  });
});
