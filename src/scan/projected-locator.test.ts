/**
 * A ProjectedLocator answers, for any path, what the document's own locator answers for the path's longest kept
 * prefix (the object itself when none), also after being posted between threads: of a workload, its identity fields
 * and its pod template's metadata and labels; of an object kept whole, every field.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseDocuments } from '../sources/manifests/parse-documents.js';
import type { FieldPath } from '../core/model/field-path.js';
import type { SourceLocator } from '../core/model/source-location.js';
import { workloadOf } from '../core/k8s/workload.js';
import { ProjectedLocator } from './projected-locator.js';

const IDENTITY = ['metadata.name', 'metadata.generateName', 'metadata.namespace', 'metadata.uid', 'metadata.labels', 'metadata', 'apiVersion', 'kind'];

/** What the projection of a workload should answer: the document's locator at the longest kept prefix. */
function expectedForWorkload(locator: SourceLocator, template: string, path: FieldPath) {
  const kept = [...IDENTITY, template, `${template}.labels`];
  for (let n = path.length; n > 0; n--) {
    if (kept.includes(path.slice(0, n).join('.'))) return locator.locate(path.slice(0, n));
  }
  return locator.locate([]);
}

/** Every path to a field of `value`. */
function fieldPaths(value: unknown, prefix: FieldPath = []): FieldPath[] {
  if (value === null || typeof value !== 'object') return [];
  const entries: [string | number, unknown][] = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
  return entries.flatMap(([key, child]) => [[...prefix, key], ...fieldPaths(child, [...prefix, key])]);
}

const WORKLOADS = `# workloads
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
    metadata:
      labels:
        app: web
      annotations:
        a: b
    spec:
      containers:
        - name: web
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: nightly}
spec:
  schedule: "@daily"
  jobTemplate:
    spec:
      template:
        metadata:
          labels: {app: nightly}
        spec:
          containers: [{name: job, image: busybox:1.36}]
---
apiVersion: v1
kind: Pod
metadata:
  name: debug
  labels: {app: debug}
spec:
  containers: [{name: sh, image: busybox:1.36}]
`;

const POLICY = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: web
  namespace: shop
spec:
  podSelector:
    matchLabels: {app: web}
  policyTypes: [Ingress]
  ingress:
    - from:
        - podSelector: {matchLabels: {app: shop}}
          namespaceSelector: {}
      ports:
        - port: http
`;

const WORKLOAD_PATHS: FieldPath[] = [
  [], ['apiVersion'], ['kind'], ['metadata'], ['metadata', 'name'], ['metadata', 'namespace'], ['metadata', 'uid'],
  ['metadata', 'generateName'], ['metadata', 'labels'], ['metadata', 'labels', 'app'], ['metadata', 'annotations', 'note'],
  ['spec'], ['spec', 'template'], ['spec', 'template', 'metadata'], ['spec', 'template', 'metadata', 'labels'],
  ['spec', 'template', 'metadata', 'labels', 'app'], ['spec', 'template', 'metadata', 'annotations', 'a'],
  ['spec', 'jobTemplate', 'spec', 'template', 'metadata', 'labels'], ['spec', 'template', 'spec', 'containers', 0, 'name'],
  ['metadata', 'name', 'x', 'y'],
];

describe('ProjectedLocator', () => {
  const { documents } = parseDocuments(WORKLOADS);
  for (const [i, document] of documents.entries()) {
    it(`answers for a workload as the document's locator at the kept prefix (document ${i})`, () => {
      const locator = document.locator!;
      const workload = workloadOf(document.object)!;
      const projected = ProjectedLocator.ofWorkload(locator, workload.metadataPath);
      const posted = ProjectedLocator.revive(structuredClone(projected));
      for (const path of WORKLOAD_PATHS) {
        const want = expectedForWorkload(locator, workload.metadataPath.join('.'), path);
        assert.deepEqual(projected.locate(path), want, path.join('.'));
        assert.deepEqual(posted.locate(path), want, `${path.join('.')} after postMessage`);
      }
    });
  }

  it('has positions to answer with: a workload at its own fields and its pod template labels', () => {
    const deployment = documents[0]!;
    const projected = ProjectedLocator.ofWorkload(deployment.locator!, ['spec', 'template', 'metadata']);
    assert.deepEqual(projected.locate(['metadata', 'namespace']), { line: 6, column: 3 });
    assert.deepEqual(projected.locate(['spec', 'template', 'metadata', 'labels']), { line: 14, column: 7 });
    assert.deepEqual(projected.locate(['metadata', 'annotations', 'note']), { line: 4, column: 1 });
    const cronJob = ProjectedLocator.ofWorkload(documents[1]!.locator!, ['spec', 'jobTemplate', 'spec', 'template', 'metadata']);
    assert.deepEqual(cronJob.locate(['spec', 'jobTemplate', 'spec', 'template', 'metadata', 'labels']), { line: 31, column: 11 });
  });

  it('answers for an object kept whole as the document locator, for every field and below', () => {
    const [document] = parseDocuments(POLICY).documents;
    const locator = document!.locator!;
    const projected = ProjectedLocator.ofWhole(locator, document!.object);
    const posted = ProjectedLocator.revive(structuredClone(projected));
    const paths = fieldPaths(document!.object);
    assert.ok(paths.length > 20);
    for (const path of [[], ...paths, ['spec', 'ingress', 0, 'from', 0, 'ipBlock'], ['spec', 'egress', 3]]) {
      const want = locator.locate(path);
      assert.deepEqual(projected.locate(path), want, path.join('.'));
      assert.deepEqual(posted.locate(path), want, `${path.join('.')} after postMessage`);
    }
    assert.deepEqual(projected.locate(['spec', 'podSelector']), { line: 7, column: 3 });
    assert.deepEqual(projected.locate(['spec', 'ingress', 0, 'from', 0]), { line: 12, column: 9 });
  });

  it('tells a key with a dot from nested keys, and an index from a numeric key', () => {
    const text = 'kind: Namespace\nmetadata:\n  labels:\n    a.b: x\n    a:\n      b: y\n  "0": z\n  list: [p, q]\n';
    const [document] = parseDocuments(text).documents;
    const projected = ProjectedLocator.ofWhole(document!.locator!, document!.object);
    assert.deepEqual(projected.locate(['metadata', 'labels', 'a.b']), { line: 4, column: 5 });
    assert.deepEqual(projected.locate(['metadata', 'labels', 'a', 'b']), { line: 6, column: 7 });
    assert.deepEqual(projected.locate(['metadata', 'list', 1]), document!.locator!.locate(['metadata', 'list', 1]));
    assert.deepEqual(projected.locate(['metadata', '0']), { line: 7, column: 3 });
  });

  it('locates fields beyond its limit at their nearest kept ancestor', () => {
    const items = Array.from({ length: 3000 }, (_, i) => `  k${i}: v`).join('\n');
    const [document] = parseDocuments(`kind: ConfigMap\ndata:\n${items}\n`).documents;
    const projected = ProjectedLocator.ofWhole(document!.locator!, document!.object);
    assert.deepEqual(projected.locate(['data', 'k10']), { line: 13, column: 3 });
    assert.deepEqual(projected.locate(['data', 'k2999']), document!.locator!.locate(['data']));
  });

  it('keeps "no position" for a kept field, rather than answering with a shorter prefix', () => {
    const locator: SourceLocator = { locate: (path) => (path.join('.') === 'metadata.uid' ? undefined : { line: path.length + 1, column: 1 }) };
    const projected = ProjectedLocator.revive(structuredClone(ProjectedLocator.ofWorkload(locator, ['metadata'])));
    assert.equal(projected.locate(['metadata', 'uid', 'x']), undefined);
    assert.deepEqual(projected.locate(['metadata', 'name']), { line: 3, column: 1 });
    assert.deepEqual(projected.locate(['spec']), { line: 1, column: 1 });
  });
});
