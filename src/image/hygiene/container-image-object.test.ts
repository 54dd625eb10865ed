import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { generateKeyPairSync } from 'node:crypto';
import { buildLayer, type BuiltLayer, type LayerEntry } from '../../../test/image/sources/build-layer.js';
import { ALL_CHECKS } from '../../checks/index.js';
import { runChecks } from '../../core/engine/run-checks.js';
import { defaultCheckContext } from '../../core/model/check-context.js';
import { formatFieldPath } from '../../core/model/field-path.js';
import { refOf } from '../../core/model/resource.js';
import type { ImageConfig } from '../image-documents.js';
import { walkLayers } from '../layer-walk.js';
import { osReleaseFrom } from '../catalogers/os-release.js';
import { containerImageObject, type ContainerImageFacts } from './container-image-object.js';
import { ImageFactsInspector, MAX_SECRET_FACTS } from './image-facts-inspector.js';

/** Walks real tar layers with the inspector, then builds the object from what the walk saw. */
async function scanLayers(layerEntries: LayerEntry[][], facts: Partial<ContainerImageFacts> = {}) {
  const layers: BuiltLayer[] = [];
  for (const entries of layerEntries) layers.push(await buildLayer(entries));
  const inspector = new ImageFactsInspector();
  const walk = await walkLayers({
    layers: layers.map((l, index) => ({ index, digest: l.digest, compression: l.compression, verify: { digest: l.digest } })),
    open: async (layer) => Readable.from([layers[layer.index]!.blob]),
    wants: () => false,
    inspector,
  });
  const config: ImageConfig = { rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) }, ...(facts.config ?? {}) };
  const object = containerImageObject({
    name: 'oci:/images/app:1.0',
    transport: 'oci-layout',
    tags: ['1.0'],
    configDigest: 'sha256:c0ffee',
    files: () => [...walk.view.entries()].map((e) => e.file),
    secrets: inspector.secrets,
    secretsNotListed: inspector.secretsNotListed,
    secretScan: { files: inspector.filesScanned, bytes: inspector.bytesScanned },
    ...(inspector.passwd !== undefined ? { passwd: inspector.passwd } : {}),
    scannedOn: '2026-11-27',
    ...facts,
    config,
  });
  return { object, layers, inspector };
}

function failures(object: ReturnType<typeof containerImageObject>): string[] {
  const run = runChecks([{ object, ref: refOf(object), origin: { type: 'file', file: 'image', documentIndex: 0 } }], ALL_CHECKS, defaultCheckContext());
  assert.deepEqual(run.failures, []);
  return run.findings.map((f) => `${f.check.id} ${formatFieldPath(f.violation.path)}`).sort();
}

describe('ContainerImage facts from a layer walk', () => {
  it('a key deleted by an upper layer is found in its layer; the final /etc/passwd decides who User is', async () => {
    const key = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey.export({ type: 'sec1', format: 'pem' }).toString();
    const { object, layers } = await scanLayers(
      [
        [
          { name: 'etc/passwd', content: 'root:x:0:0::/root:/bin/sh\napp:x:1000:1000::/app:/bin/sh\n' },
          { name: 'etc/os-release', content: 'ID=debian\nVERSION_ID="10"\n' },
          { name: 'srv/key.pem', content: key },
          { name: 'usr/bin/sh', content: '#!', mode: 0o755 },
        ],
        // An upper layer makes "app" uid 0 and deletes the key: the key stays in layer 0, the passwd of layer 1 counts.
        [{ name: 'etc/passwd', content: 'root:x:0:0::/root:/bin/sh\napp:x:0:0::/app:/bin/sh\n' }, { name: 'srv/.wh.key.pem' }],
      ],
      { config: { rootfs: { type: 'layers', diff_ids: [] }, config: { User: 'app', Labels: { [`org.opencontainers.image.base.name`]: 'debian:10' } } } },
    );
    const status = object['status'] as Record<string, unknown>;
    assert.deepEqual(status['config'], { user: 'app', userUid: 0 });
    assert.deepEqual(status['secrets'], [
      { rule: 'private-key', description: 'private key (PEM)', layerDigest: layers[0]!.digest, path: '/srv/key.pem', line: 1, column: 12, length: 14, inFinalFilesystem: false },
    ]);
    assert.deepEqual(status['baseImage'], { name: 'debian:10', declaredIn: 'config labels' });
    assert.deepEqual(object.metadata?.labels, { 'org.opencontainers.image.base.name': 'debian:10' });
    assert.deepEqual(status['shells'], [{ path: '/usr/bin/sh', layerDigest: layers[0]!.digest }]);
    assert.deepEqual(failures(object), [
      'image-base-unpinned status.baseImage',
      'image-runs-as-root status.config.user',
      'image-secrets-in-layers status.secrets[0]',
      'image-shell-present status.shells',
    ]);
  });

  it('end of life from the os-release the catalogers found, judged on the scan day', async () => {
    const os = osReleaseFrom('PRETTY_NAME="Debian GNU/Linux 10 (buster)"\nID=debian\nVERSION_ID="10"\n', '/etc/os-release', 'sha256:base')!;
    const { object } = await scanLayers([[{ name: 'etc/passwd', content: 'root:x:0:0::/root:/bin/sh\n' }]], {
      os,
      config: { rootfs: { type: 'layers', diff_ids: [] }, config: { User: '65532' } },
    });
    assert.deepEqual((object['status'] as Record<string, unknown>)['os'], {
      id: 'debian', versionId: '10', prettyName: 'Debian GNU/Linux 10 (buster)', path: '/etc/os-release', layerDigest: 'sha256:base',
      endOfLife: '2024-06-30', regularSupportEnds: '2022-09-10', endOfLifeTableDate: '2026-11-27',
    });
    assert.deepEqual(failures(object), ['image-os-end-of-life status.os.endOfLife']);
    const before = await scanLayers([[{ name: 'a', content: 'x' }]], { os, scannedOn: '2024-06-30', config: { rootfs: { type: 'layers', diff_ids: [] }, config: { User: '65532' } } });
    assert.deepEqual(failures(before.object), []);
  });

  it('registry references: parsed, latest or no tag reported; source tags reduced to their tag', async () => {
    const at = async (name: string, tags: string[]) =>
      (await scanLayers([[{ name: 'a', content: 'x' }]], { name, transport: 'registry', tags, config: { rootfs: { type: 'layers', diff_ids: [] }, config: { User: '1000' } } })).object;
    const plain = await at('registry.example.com:5000/shop/api', []);
    assert.deepEqual(plain['spec'], { transport: 'registry', reference: { registry: 'registry.example.com:5000', repository: 'shop/api' }, tags: [] });
    assert.deepEqual(failures(plain), ['image-reference-latest spec.reference']);
    assert.deepEqual(failures(await at('nginx:latest', ['latest'])), ['image-reference-latest spec.reference.tag']);
    assert.deepEqual(failures(await at(`nginx:latest@sha256:${'a'.repeat(64)}`, ['latest'])), []);
    const archive = await scanLayers([[{ name: 'a', content: 'x' }]], { transport: 'docker-archive', tags: ['aspis/debian:12', 'aspis/debian', 'localhost:5000/x:latest'], config: { rootfs: { type: 'layers', diff_ids: [] }, config: { User: '1000' } } });
    assert.deepEqual((archive.object['spec'] as Record<string, unknown>)['tags'], ['12', 'latest', 'latest']);
  });

  it('keeps at most MAX_SECRET_FACTS detections and counts the rest; rejects a scan date that is not a day', async () => {
    const tokens = Array.from({ length: MAX_SECRET_FACTS + 5 }, (_, i) => `npm_${String(i).padStart(6, '0')}${'aB3dE5gH7jK9mN1pQ3sT5vW7yZ9bC1'}`).join('\n');
    const { object, inspector } = await scanLayers([[{ name: 'root/.npmrc', content: tokens }]], { config: { rootfs: { type: 'layers', diff_ids: [] }, config: { User: '1000' } } });
    assert.equal(inspector.secrets.length, MAX_SECRET_FACTS);
    assert.deepEqual((object['status'] as Record<string, unknown>)['secretScan'], { files: 1, bytes: tokens.length, notListed: 5 });
    assert.ok(failures(object).includes('image-secrets-in-layers status.secretScan.notListed'));
    await assert.rejects(scanLayers([[{ name: 'a', content: 'x' }]], { scannedOn: '27/11/2026' }), /scannedOn must be YYYY-MM-DD/);
  });
});
