/**
 * The inventory of two real applications, checked against what their provenance notes document
 * (../shared/corpora/<name>/PROVENANCE.md): Online Boutique's release manifests and Kubernetes Goat's scenarios.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { corpusDir } from '../corpora/corpus-location.js';
import { inventoryOf, names } from './inventory-of.js';

describe('Online Boutique (microservices-demo release manifests)', async () => {
  const dir = corpusDir('microservices-demo');
  const inventory = await inventoryOf(['release/kubernetes-manifests.yaml'], { cwd: dir });

  it('12 Deployments and 11 ServiceAccounts, in no namespace; redis-cart runs as the default account', () => {
    assert.deepEqual(inventory.errors, []);
    assert.equal(inventory.workloads.length, 12);
    assert.ok(inventory.workloads.every((w) => w.resource.kind === 'Deployment' && w.owners.length === 0));
    assert.equal(inventory.serviceAccounts.filter((sa) => sa.inInput).length, 11);
    const redis = inventory.workloads.find((w) => w.resource.name === 'redis-cart')!;
    assert.equal(redis.serviceAccount, 'default');
    assert.deepEqual(inventory.namespaces.map((ns) => [ns.name, ns.inInput, ns.workloads]), [['', false, 12]]);
  });

  it('every pod passes baseline and fails restricted (no seccompProfile), and mounts its token (no pod opts out)', () => {
    assert.ok(inventory.workloads.every((w) => w.pssLevel === 'baseline'), inventory.workloads.map((w) => w.pssLevel).join());
    assert.equal(inventory.namespaces[0]!.podSecurity.satisfied, 'baseline');
    assert.ok(inventory.workloads.every((w) => w.tokenMount.mounted && w.tokenMount.decidedBy === 'default'));
  });

  it('the internet reaches frontend through the LoadBalancer frontend-external, port 80 to 8080', () => {
    assert.equal(inventory.exposedServices.length, 1);
    const [external] = inventory.exposedServices;
    assert.equal(external!.resource.name, 'frontend-external');
    assert.equal(external!.type, 'LoadBalancer');
    assert.deepEqual(external!.ports.map((p) => [p.port, p.targetPort]), [[80, 8080]]);
    assert.deepEqual(names(external!.workloads), ['Deployment/frontend']);
    assert.deepEqual(inventory.hostAccess, []);
  });

  it('images: release tags v0.10.6, redis on the floating alpine tag, busybox pinned by digest', () => {
    const byRepository = new Map(inventory.images.map((image) => [image.repository, image]));
    assert.equal(byRepository.get('library/redis')!.tag, 'alpine');
    assert.equal(byRepository.get('library/busybox')!.pinning, 'digest');
    const release = inventory.images.filter((image) => image.registry === 'us-central1-docker.pkg.dev');
    assert.equal(release.length, 11);
    assert.ok(release.every((image) => image.tag === 'v0.10.6' && image.pinning === 'tag'));
    // loadgenerator's init container frontend-check runs busybox.
    assert.deepEqual(names(byRepository.get('library/busybox')!.workloads), ['Deployment/loadgenerator']);
  });
});

describe('Kubernetes Goat scenarios', async () => {
  const dir = corpusDir('kubernetes-goat');
  // Every scenario manifest but the Helm chart (metadata-db), which needs `helm template`.
  const files: string[] = [];
  const walk = (at: string): void => {
    for (const name of readdirSync(at).sort()) {
      const path = join(at, name);
      if (statSync(path).isDirectory()) {
        if (name !== 'metadata-db') walk(path);
      } else if (name.endsWith('.yaml')) files.push(relative(dir, path));
    }
  };
  walk(join(dir, 'scenarios'));
  const inventory = await inventoryOf(files, { cwd: dir });

  it('reads every scenario', () => {
    assert.deepEqual(inventory.errors, []);
    assert.equal(inventory.workloads.length, 13);
  });

  it('scenario 8: the NodePort 30003 of internal-proxy-info-app-service, open to anyone', () => {
    const service = inventory.exposedServices.find((s) => s.resource.name === 'internal-proxy-info-app-service')!;
    assert.equal(service.type, 'NodePort');
    assert.deepEqual(service.ports.map((p) => p.nodePort), [30003]);
    assert.deepEqual(service.loadBalancerSourceRanges, []);
    assert.deepEqual(names(service.workloads), ['Deployment/default/internal-proxy-deployment']);
  });

  it('scenario 5: docker-bench-security on the host network; the host-access workloads are privileged', () => {
    assert.deepEqual(inventory.hostAccess.map((h) => [h.resource.name, h.hostNetwork]), [['docker-bench-security', true]]);
    const level = (name: string) => inventory.workloads.find((w) => w.resource.name === name)!.pssLevel;
    for (const name of ['docker-bench-security', 'health-check-deployment', 'system-monitor-deployment', 'kube-bench-master', 'kube-bench-node']) {
      assert.equal(level(name), 'privileged', name);
    }
  });

  it('scenario 16: hunger-check runs as big-monolith-sa with its token mounted', () => {
    const account = inventory.serviceAccounts.find((sa) => sa.resource.name === 'big-monolith-sa')!;
    assert.equal(account.inInput, true);
    assert.deepEqual(names(account.tokenMountedIn), ['Deployment/big-monolith/hunger-check-deployment']);
  });

  it('untagged images (scenario 10: batch-check pulls :latest)', () => {
    const batch = inventory.images.find((image) => image.repository === 'madhuakula/k8s-goat-batch-check')!;
    assert.equal(batch.pinning, 'untagged');
  });
});
