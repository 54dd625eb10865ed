/**
 * Owner chains of objects exported from a live cluster (fixtures/live): Pod → ReplicaSet → Deployment, Pod → Job →
 * CronJob, a mirror Pod owned by its Node, a Pod whose ReplicaSet is gone; and the top-most rule that lets one
 * Deployment stand for its ReplicaSets and Pods in the images, service-account and exposure lists.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loadManifests } from '../../src/sources/manifests/load-manifests.js';
import { buildInventory } from '../../src/inventory/inventory-builder.js';
import { LATEST_PSS_VERSION } from '../../src/core/model/check-context.js';
import type { Resource } from '../../src/core/model/resource.js';
import { FIXTURES, inventoryOf, names } from './inventory-of.js';

const inventory = await inventoryOf(['live']);
const chain = (ns: string, name: string) =>
  inventory.workloads
    .find((w) => w.resource.namespace === ns && w.resource.name === name)!
    .owners.map((o) => `${o.kind}/${o.name}${o.inInput ? '' : ' (not in input)'}`);

describe('owner chains of live objects', () => {
  it('follows controller references by uid up to the top-most owner', () => {
    assert.deepEqual(inventory.errors, []);
    assert.deepEqual(chain('shop', 'web-7d9f8c6b5-x2x8q'), ['ReplicaSet/web-7d9f8c6b5', 'Deployment/web']);
    assert.deepEqual(chain('shop', 'web-7d9f8c6b5'), ['Deployment/web']);
    assert.deepEqual(chain('shop', 'web'), []);
    assert.deepEqual(chain('shop', 'cleanup-29012340-vq7lm'), ['Job/cleanup-29012340', 'CronJob/cleanup']);
    // A mirror pod is owned by its Node, which is no workload; a Pod whose ReplicaSet is gone keeps the reference.
    assert.deepEqual(chain('kube-system', 'kube-apiserver-node-1'), ['Node/node-1 (not in input)']);
    assert.deepEqual(chain('shop', 'stray-5b6c7d8e9f-abcde'), ['ReplicaSet/stray-5b6c7d8e9f (not in input)']);
    const pod = inventory.workloads.find((w) => w.resource.name === 'web-7d9f8c6b5-x2x8q')!;
    assert.equal(pod.owners[0]!.uid, '5f0e7a3c-0001-4c1e-9b7a-000000000011');
  });

  it('lists the top-most workloads in images, service accounts, Services and Pod Security violations', () => {
    const image = (name: string) => names(inventory.images.find((i) => i.image === name)!.workloads);
    // The Deployment, its current ReplicaSet and both Pods run nginx:1.27: the Deployment stands for them.
    assert.deepEqual(image('docker.io/library/nginx:1.27'), ['Deployment/shop/web']);
    // Only the scaled-down ReplicaSet of the previous rollout still names nginx:1.26.
    assert.deepEqual(image('docker.io/library/nginx:1.26'), ['ReplicaSet/shop/web-54b8d9c7f4']);
    assert.deepEqual(image('docker.io/library/busybox:1.36'), ['CronJob/shop/cleanup', 'Pod/shop/stray-5b6c7d8e9f-abcde']);

    const service = inventory.exposedServices.find((s) => s.resource.name === 'web')!;
    assert.deepEqual(service.ports, [{ protocol: 'TCP', port: 80, targetPort: 8080, nodePort: 31080 }]);
    assert.deepEqual(names(service.workloads), ['Deployment/shop/web']);

    const account = inventory.serviceAccounts.find((sa) => sa.resource.name === 'web')!;
    assert.equal(account.resource.uid, '5f0e7a3c-0001-4c1e-9b7a-000000000041');
    assert.deepEqual(names(account.workloads), ['Deployment/shop/web']);
    assert.deepEqual(account.tokenMountedIn, []);
    const shopDefault = inventory.serviceAccounts.find((sa) => sa.resource.namespace === 'shop' && sa.resource.name === 'default')!;
    assert.deepEqual(names(shopDefault.tokenMountedIn), ['CronJob/shop/cleanup', 'Pod/shop/stray-5b6c7d8e9f-abcde']);

    // shop enforces restricted; nothing there is restricted: each top-most workload is named once.
    const shop = inventory.namespaces.find((ns) => ns.name === 'shop')!;
    assert.equal(shop.uid, '5f0e7a3c-0001-4c1e-9b7a-000000000061');
    assert.equal(shop.workloads, 9); // 4 Pods, 2 ReplicaSets, a Deployment, a Job, a CronJob
    assert.equal(shop.podSecurity.assessment, 'stricter');
    assert.deepEqual(names(shop.podSecurity.enforce!.violations), ['CronJob/shop/cleanup', 'Deployment/shop/web', 'Pod/shop/stray-5b6c7d8e9f-abcde']);

    assert.deepEqual(
      inventory.hostAccess.map((h) => names([h.resource])[0]),
      ['Pod/kube-system/kube-apiserver-node-1'],
    );
  });

  it('does not depend on the order objects are read in', async () => {
    const loaded = await loadManifests(['live'], { cwd: FIXTURES });
    const options = { pssVersion: LATEST_PSS_VERSION, inputs: ['live'], toolVersion: 'test', now: new Date(0) };
    const reversed: Resource[] = [...loaded.resources].reverse();
    assert.deepEqual(buildInventory(reversed, [], options), inventory);
  });

  it('an owner recreated under the same name (another uid) is not the owner', async () => {
    const loaded = await loadManifests(['live'], { cwd: FIXTURES });
    const options = { pssVersion: LATEST_PSS_VERSION, inputs: ['live'], toolVersion: 'test', now: new Date(0) };
    const deployment = loaded.resources.find((r) => r.ref.kind === 'Deployment')!;
    deployment.object.metadata!.uid = '5f0e7a3c-0001-4c1e-9b7a-00000000beef';
    deployment.ref.uid = deployment.object.metadata!.uid;
    const result = buildInventory(loaded.resources, [], options);
    const replicaSet = result.workloads.find((w) => w.resource.name === 'web-7d9f8c6b5')!;
    assert.deepEqual(replicaSet.owners, [{ kind: 'Deployment', name: 'web', uid: '5f0e7a3c-0001-4c1e-9b7a-000000000001', inInput: false }]);
  });

  it('manifests without uids match owners by kind and name', async () => {
    const loaded = await loadManifests(['live'], { cwd: FIXTURES });
    for (const resource of loaded.resources) {
      delete resource.object.metadata!.uid;
      delete resource.ref.uid;
      for (const owner of (resource.object.metadata!['ownerReferences'] as Record<string, unknown>[] | undefined) ?? []) delete owner['uid'];
    }
    const options = { pssVersion: LATEST_PSS_VERSION, inputs: ['live'], toolVersion: 'test', now: new Date(0) };
    const result = buildInventory(loaded.resources, [], options);
    const pod = result.workloads.find((w) => w.resource.name === 'cleanup-29012340-vq7lm')!;
    assert.deepEqual(pod.owners, [
      { kind: 'Job', name: 'cleanup-29012340', inInput: true },
      { kind: 'CronJob', name: 'cleanup', inInput: true },
    ]);
  });
});
