/**
 * The manifests source end to end: real files in temporary directories, a real stdin-like stream, and the real
 * `kubectl kustomize` (skipped with a reason when kubectl is not installed).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { formatRef } from '../../../src/core/model/resource.js';
import type { Resource } from '../../../src/core/model/resource.js';
import { loadManifests } from '../../../src/sources/manifests/load-manifests.js';

let root: string;

function write(relative: string, text: string): string {
  const path = join(root, relative);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
  return path;
}

function refs(resources: Resource[]): string[] {
  return resources.map((r) => formatRef(r.ref));
}

function origin(resource: Resource): { file: string; documentIndex: number; locator?: unknown } {
  assert.equal(resource.origin.type, 'file');
  return resource.origin as { file: string; documentIndex: number; locator?: unknown };
}

function at(resource: Resource, path: (string | number)[]): string {
  const o = resource.origin;
  assert.ok(o.type === 'file' && o.locator, 'resource has a locator');
  const p = o.locator.locate(path);
  return p ? `${p.line}:${p.column}` : 'none';
}

function pod(name: string, extra = ''): string {
  return `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\nspec:\n  containers:\n  - name: c\n    image: nginx${extra}\n`;
}

const hasKubectl = (() => {
  try {
    execFileSync('kubectl', ['version', '--client'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

before(() => {
  root = mkdtempSync(join(tmpdir(), 'aspis-manifests-'));
});

after(() => {
  rmSync(root, { recursive: true, force: true });
});

describe('loadManifests', () => {
  it('reads a multi-document YAML file, skipping empty and comment-only documents', async () => {
    write(
      'multi/all.yaml',
      `# leading comment\n${pod('a')}---\n# only a comment\n---\n---\n${pod('b')}...\n---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: ns\n`,
    );
    const { resources, errors } = await loadManifests(['multi/all.yaml'], { cwd: root });
    assert.deepEqual(errors, []);
    assert.deepEqual(refs(resources), ['Pod/a', 'Pod/b', 'Namespace/ns']);
    assert.deepEqual(resources.map((r) => origin(r).file), ['multi/all.yaml', 'multi/all.yaml', 'multi/all.yaml']);
    assert.deepEqual(resources.map((r) => origin(r).documentIndex), [0, 3, 4]);
    assert.equal(at(resources[1]!, ['spec', 'containers', 0, 'image']), '21:5');
    assert.equal(at(resources[2]!, ['metadata', 'name']), '27:3');
  });

  it('keeps the other documents when one of three is malformed, and names file:line', async () => {
    write('bad/three.yaml', `${pod('one')}---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: [broken\n---\n${pod('three')}`);
    const { resources, errors } = await loadManifests(['bad/three.yaml'], { cwd: root });
    assert.deepEqual(refs(resources), ['Pod/one', 'Pod/three']);
    assert.equal(errors.length, 1);
    assert.equal(errors[0]!.source, 'bad/three.yaml');
    assert.equal(errors[0]!.line, 13);
    assert.match(errors[0]!.message, /malformed YAML/);
    assert.equal(at(resources[1]!, ['metadata', 'name']), '18:3');
  });

  it('reports a document that is not a mapping, and one missing kind, naming the field', async () => {
    write('invalid/docs.yaml', `- just\n- a list\n---\nplain string\n---\napiVersion: v1\nmetadata:\n  name: nokind\n---\n${pod('ok')}`);
    const { resources, errors } = await loadManifests(['invalid/docs.yaml'], { cwd: root });
    assert.deepEqual(refs(resources), ['Pod/ok']);
    assert.deepEqual(
      errors.map((e) => [e.source, e.line, e.column, e.field, e.message]),
      [
        ['invalid/docs.yaml', 1, 1, undefined, 'document 1 is not a mapping (found a sequence)'],
        ['invalid/docs.yaml', 4, 1, undefined, 'document 2 is not a mapping (found a string)'],
        ['invalid/docs.yaml', 6, 1, 'kind', 'not a Kubernetes object: missing kind'],
      ],
    );
  });

  it('names metadata.name when it is missing, and accepts generateName', async () => {
    write('names.yaml', `apiVersion: v1\nkind: Pod\nmetadata:\n  labels: {a: b}\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  generateName: gen-\n`);
    const { resources, errors } = await loadManifests(['names.yaml'], { cwd: root });
    assert.deepEqual(refs(resources), ['Pod/gen-*']);
    assert.deepEqual(
      errors.map((e) => [e.line, e.column, e.field, e.message]),
      [[3, 1, 'metadata.name', 'not a Kubernetes object: missing metadata.name']],
    );
  });

  it('flattens List and typed *List kinds; each item is located inside the list', async () => {
    write(
      'lists/list.yaml',
      `apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: cm\n- apiVersion: apps/v1\n  kind: Deployment\n  metadata:\n    name: dep\n    namespace: prod\n  spec:\n    replicas: 2\n- 42\n`,
    );
    write('lists/pods.yaml', `apiVersion: v1\nkind: PodList\nitems:\n- metadata:\n    name: p1\n- metadata:\n    name: p2\n`);
    const { resources, errors } = await loadManifests(['lists'], { cwd: root });
    assert.deepEqual(refs(resources), ['ConfigMap/cm', 'Deployment/prod/dep', 'Pod/p1', 'Pod/p2']);
    assert.equal(at(resources[1]!, []), '8:1');
    assert.equal(at(resources[1]!, ['spec', 'replicas']), '14:5');
    assert.equal(at(resources[1]!, ['spec', 'missing', 'deeper']), '13:3');
    assert.equal(at(resources[3]!, ['metadata', 'name']), '7:5');
    assert.equal(resources[2]!.object.apiVersion, 'v1');
    assert.deepEqual(
      errors.map((e) => [e.source, e.line, e.field, e.message]),
      [['lists/list.yaml', 15, 'items[2]', 'List item 2 is not a mapping (found a number)']],
    );
  });

  it('reads JSON: one object, a List, a stream of objects, with positions', async () => {
    write(
      'json/one.json',
      JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'j1' }, spec: { hostNetwork: true } }, null, 2),
    );
    write(
      'json/list.json',
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'List',
        items: [{ apiVersion: 'v1', kind: 'Service', metadata: { name: 's', namespace: 'x' } }],
      }),
    );
    write('json/stream.json', '{"apiVersion":"v1","kind":"Secret","metadata":{"name":"s1"}}\n{"apiVersion":"v1","kind":"Secret","metadata":{"name":"s2"}}\n');
    write('json/array.json', '[{"apiVersion":"v1","kind":"Secret","metadata":{"name":"s3"}}]');
    const { resources, errors } = await loadManifests(['json'], { cwd: root });
    assert.deepEqual(refs(resources), ['Service/x/s', 'Pod/j1', 'Secret/s1', 'Secret/s2']);
    assert.equal(at(resources[1]!, ['spec', 'hostNetwork']), '8:5');
    assert.equal(at(resources[0]!, ['metadata', 'namespace']), '1:102');
    assert.equal(at(resources[3]!, ['metadata', 'name']), '2:48');
    assert.deepEqual(resources.map((r) => origin(r).documentIndex), [0, 0, 0, 1]);
    assert.equal(errors.length, 1);
    assert.equal(errors[0]!.source, 'json/array.json');
    assert.match(errors[0]!.message, /top-level JSON array/);
  });

  it('reads standard input for `-`', async () => {
    const stdin = Readable.from([Buffer.from(pod('from-stdin')), Buffer.from(`---\n${pod('second')}`)]);
    const { resources, errors } = await loadManifests(['-'], { stdin });
    assert.deepEqual(errors, []);
    assert.deepEqual(refs(resources), ['Pod/from-stdin', 'Pod/second']);
    assert.equal(origin(resources[1]!).file, '-');
    assert.equal(at(resources[1]!, ['metadata', 'name']), '13:3');
  });

  it('reports empty standard input', async () => {
    const { resources, errors } = await loadManifests(['-'], { stdin: Readable.from([]) });
    assert.deepEqual(resources, []);
    assert.deepEqual(errors, [{ source: '-', message: 'standard input contains no Kubernetes objects' }]);
  });

  it('walks directories recursively in a deterministic order, skipping hidden dirs, node_modules and other files', async () => {
    write('tree/b.yaml', pod('b'));
    write('tree/a/z.yml', pod('az'));
    write('tree/a/deeper/c.json', JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'c' } }));
    write('tree/A.YAML', pod('upper'));
    write('tree/.hidden/h.yaml', pod('hidden'));
    write('tree/.dot.yaml', pod('dotfile'));
    write('tree/node_modules/m.yaml', pod('module'));
    write('tree/README.md', '# not a manifest');
    write('tree/notes.txt', 'apiVersion: nope');
    const { resources, errors } = await loadManifests(['tree'], { cwd: root });
    assert.deepEqual(errors, []);
    assert.deepEqual(refs(resources), ['Pod/upper', 'Pod/c', 'Pod/az', 'Pod/b']);
    assert.deepEqual(resources.map((r) => origin(r).file), ['tree/A.YAML', 'tree/a/deeper/c.json', 'tree/a/z.yml', 'tree/b.yaml']);
    const absolute = await loadManifests([join(root, 'tree')]);
    assert.equal(origin(absolute.resources[0]!).file, join(root, 'tree', 'A.YAML'));
    const twice = await loadManifests(['tree', 'tree/a', './tree/b.yaml'], { cwd: root });
    assert.deepEqual(twice.errors, []);
    assert.deepEqual(refs(twice.resources), ['Pod/upper', 'Pod/c', 'Pod/az', 'Pod/b']);
  });

  it('reads an explicitly named file whatever its extension, once even when named twice', async () => {
    write('explicit/manifest.txt', pod('txt'));
    const { resources, errors } = await loadManifests(['explicit/manifest.txt', 'explicit', 'explicit/manifest.txt'], {
      cwd: root,
    });
    assert.deepEqual(refs(resources), ['Pod/txt']);
    assert.deepEqual(errors.map((e) => e.message), ['directory explicit contains no .yaml, .yml or .json files']);
  });

  it('reports an empty directory, a nonexistent path, an empty file and an unreadable file, and goes on', async () => {
    mkdirSync(join(root, 'empty'), { recursive: true });
    write('empty-file.yaml', '# nothing here\n---\n');
    write('ok.yaml', pod('ok'));
    const unreadable = write('secret/unreadable.yaml', pod('hidden'));
    chmodSync(unreadable, 0o000);
    const rootUser = process.getuid?.() === 0;
    const { resources, errors } = await loadManifests(
      ['empty', 'does/not/exist.yaml', 'empty-file.yaml', 'secret/unreadable.yaml', 'ok.yaml'],
      { cwd: root },
    );
    chmodSync(unreadable, 0o644);
    assert.deepEqual(refs(resources), rootUser ? ['Pod/hidden', 'Pod/ok'] : ['Pod/ok']);
    const expected = [
      { source: 'empty', message: 'directory empty contains no .yaml, .yml or .json files' },
      { source: 'does/not/exist.yaml', message: 'cannot read does/not/exist.yaml: no such file or directory' },
      { source: 'empty-file.yaml', message: 'empty-file.yaml contains no Kubernetes objects' },
    ];
    if (!rootUser) expected.push({ source: 'secret/unreadable.yaml', message: 'cannot read secret/unreadable.yaml: permission denied' });
    assert.deepEqual(errors, expected);
  });

  it('reports no input at all, and an empty path', async () => {
    assert.equal((await loadManifests([])).errors.length, 1);
    assert.deepEqual((await loadManifests([''], { cwd: root })).errors, [{ source: '', message: 'an empty path names nothing' }]);
  });

  it('follows symbolic links without looping', async () => {
    write('links/real/p.yaml', pod('linked'));
    symlinkSync(join(root, 'links/real'), join(root, 'links/real/loop'));
    symlinkSync(join(root, 'links/missing.yaml'), join(root, 'links/real/dangling.yaml'));
    const { resources, errors } = await loadManifests(['links'], { cwd: root });
    assert.deepEqual(refs(resources), ['Pod/linked']);
    assert.deepEqual(errors.map((e) => e.source), ['links/real/dangling.yaml']);
  });

  it('decodes scalars like Kubernetes (YAML 1.1) and reports duplicate keys', async () => {
    write(
      'scalars.yaml',
      `apiVersion: v1\nkind: Pod\nmetadata:\n  name: s\nspec:\n  hostNetwork: yes\n  hostPID: On\n  hostIPC: "yes"\n  priority: 0x10\n  mode: 0755\n  when: 2024-01-02\n  hostNetwork: no\n`,
    );
    const { resources, errors } = await loadManifests(['scalars.yaml'], { cwd: root });
    const spec = resources[0]!.object.spec as Record<string, unknown>;
    assert.deepEqual(spec, { hostNetwork: false, hostPID: true, hostIPC: 'yes', priority: 16, mode: 493, when: '2024-01-02' });
    assert.deepEqual(
      errors.map((e) => [e.line, e.column]),
      [[12, 3]],
    );
    assert.match(errors[0]!.message, /^duplicate key "hostNetwork": Kubernetes rejects/);
    assert.equal(at(resources[0]!, ['spec', 'hostNetwork']), '12:3');
  });

  it('falls back to the yaml package for anchors and merge keys, with the same positions', async () => {
    write(
      'anchors.yaml',
      `apiVersion: v1\nkind: Pod\nmetadata:\n  name: anchored\n  labels: &labels\n    app: x\nspec:\n  base: &c\n    image: nginx\n  containers:\n  - <<: *c\n    name: main\n`,
    );
    const { resources, errors } = await loadManifests(['anchors.yaml'], { cwd: root });
    assert.deepEqual(errors, []);
    const spec = resources[0]!.object.spec as { containers: unknown[] };
    assert.deepEqual(spec.containers[0], { image: 'nginx', name: 'main' });
    assert.equal(at(resources[0]!, ['spec', 'containers', 0, 'name']), '12:5');
    assert.equal(at(resources[0]!, ['spec', 'containers', 0, 'image']), '9:5');
    const o = resources[0]!.origin;
    assert.ok(o.type === 'file' && o.locator && 'method' in o.locator);
    assert.equal((o.locator as { method?: string }).method, 'yaml');
  });

  it('rejects self-referencing anchors and NaN instead of crashing', async () => {
    write('cycle.yaml', `apiVersion: v1\nkind: Pod\nmetadata: &m\n  name: c\n  self: *m\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: n\nspec:\n  x: .nan\n---\n${pod('fine')}`);
    const { resources, errors } = await loadManifests(['cycle.yaml'], { cwd: root });
    assert.deepEqual(refs(resources), ['Pod/fine']);
    assert.deepEqual(errors.map((e) => [e.line, e.column]), [[5, 3], [12, 3]]);
  });

  it('builds a Kustomize directory with kubectl kustomize and does not walk its files', { skip: !hasKubectl && 'kubectl is not installed' }, async () => {
    write('kust/base/kustomization.yaml', 'resources:\n- deployment.yaml\nnamePrefix: dev-\ncommonLabels:\n  team: a\n');
    write(
      'kust/base/deployment.yaml',
      'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      containers:\n      - name: web\n        image: nginx\n',
    );
    write('kust/base/not-a-resource.yaml', 'this: is not listed in the kustomization\n');
    write('kust/plain.yaml', pod('plain'));
    const { resources, errors } = await loadManifests(['kust'], { cwd: root });
    assert.deepEqual(errors, []);
    assert.deepEqual(refs(resources), ['Deployment/dev-web', 'Pod/plain']);
    assert.equal(origin(resources[0]!).file, 'kust/base (kustomize)');
    assert.equal(origin(resources[0]!).locator, undefined);
    assert.deepEqual(resources[0]!.object.metadata?.labels, { team: 'a' });
    const direct = await loadManifests(['kust/base/kustomization.yaml'], { cwd: root });
    assert.deepEqual(refs(direct.resources), ['Deployment/dev-web']);
  });

  it('reports a Kustomize directory kubectl cannot build, or when kubectl is missing', async () => {
    write('kust-bad/kustomization.yaml', 'resources:\n- missing.yaml\n');
    const broken = await loadManifests(['kust-bad'], { cwd: root });
    assert.equal(broken.resources.length, 0);
    assert.equal(broken.errors.length, 1);
    assert.equal(broken.errors[0]!.source, 'kust-bad');
    assert.match(broken.errors[0]!.message, hasKubectl ? /kubectl kustomize failed/ : /kubectl was not found/);
    const missing = await loadManifests(['kust-bad'], { cwd: root, kubectl: 'aspis-no-such-kubectl' });
    assert.match(missing.errors[0]!.message, /^kust-bad is a Kustomize directory and could not be built: kubectl was not found/);
  });

  it('asks for helm template on a Helm chart directory', async () => {
    write('chart/Chart.yaml', 'apiVersion: v2\nname: c\nversion: 0.1.0\n');
    write('chart/templates/d.yaml', 'metadata:\n  name: {{ .Release.Name }}\n');
    const { resources, errors } = await loadManifests(['chart'], { cwd: root });
    assert.deepEqual(resources, []);
    assert.equal(errors.length, 1);
    assert.match(errors[0]!.message, /helm template chart/);
  });
});
