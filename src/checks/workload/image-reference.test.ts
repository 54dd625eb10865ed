import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isPinningDigest, parseImageReference, registryAllowed, writtenTag } from './image-reference.js';

const SHA256 = 'sha256:2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae';

describe('parseImageReference', () => {
  it('normalises Docker Hub references', () => {
    assert.deepEqual(parseImageReference('nginx'), { raw: 'nginx', domain: 'docker.io', path: 'library/nginx', repository: 'docker.io/library/nginx' });
    assert.equal(parseImageReference('bitnami/redis:7')?.repository, 'docker.io/bitnami/redis');
    assert.equal(parseImageReference('index.docker.io/library/nginx:1')?.repository, 'docker.io/library/nginx');
    assert.equal(parseImageReference('docker.io/nginx')?.repository, 'docker.io/library/nginx');
  });
  it('recognises registries with dots, ports, localhost', () => {
    const ref = parseImageReference(`registry.example.com:5000/team/app:1.0@${SHA256}`);
    assert.equal(ref?.domain, 'registry.example.com:5000');
    assert.equal(ref?.path, 'team/app');
    assert.equal(ref?.tag, '1.0');
    assert.equal(ref?.digest, SHA256);
    assert.equal(parseImageReference('localhost/app')?.domain, 'localhost');
    assert.equal(parseImageReference('registry.example.com:5000/app')?.tag, undefined);
  });
  it('rejects invalid references', () => {
    for (const bad of ['', 'debian-azurecr.io/', 'Nginx', 'nginx:', 'nginx@sha256', 'a b', 'registry.example.com/Team/app', 'nginx:-x']) {
      assert.equal(parseImageReference(bad), undefined, bad);
    }
  });
});

describe('writtenTag', () => {
  it('is the tag parseImageReference finds in every reference without a digest that parses', () => {
    const piece = fc.constantFrom('a', 'b1', 'x.y', 'Team', 'localhost', 'reg.io', 'reg.io:5000', 'latest', '1.0', 'v-2', '', '_', '@', ':', '/', ' ');
    const reference = fc.array(piece, { maxLength: 7 }).chain((parts) => fc.array(fc.constantFrom('', '/', ':', '@'), { minLength: parts.length, maxLength: parts.length }).map((seps) => parts.map((p, i) => p + seps[i]).join('')));
    fc.assert(
      fc.property(reference, (raw) => {
        const ref = parseImageReference(raw);
        if (ref && ref.digest === undefined) assert.equal(writtenTag(raw), ref.tag, raw);
        if (raw.includes('@')) assert.equal(writtenTag(raw), undefined);
      }),
      { numRuns: 3000 },
    );
    assert.equal(writtenTag('registry.example.com:5000/team/app'), undefined);
    assert.equal(writtenTag('registry.example.com:5000/team/app:1.2'), '1.2');
    assert.equal(writtenTag(`nginx:latest@${SHA256}`), undefined);
  });
});

describe('isPinningDigest', () => {
  it('checks registered algorithms exactly and accepts others by grammar', () => {
    assert.equal(isPinningDigest(SHA256), true);
    assert.equal(isPinningDigest('sha256:abc'), false);
    assert.equal(isPinningDigest(SHA256.toUpperCase().replace('SHA256', 'sha256')), false);
    assert.equal(isPinningDigest(`sha512:${'a'.repeat(128)}`), true);
    assert.equal(isPinningDigest(`sha512:${'a'.repeat(32)}`), false);
    assert.equal(isPinningDigest(`blake3:${'a'.repeat(64)}`), true);
    assert.equal(isPinningDigest(`blake3:${'a'.repeat(63)}`), false);
    assert.equal(isPinningDigest('custom-algorithm:a'), true);
    assert.equal(isPinningDigest(undefined), false);
  });
});

describe('registryAllowed', () => {
  const allowed = (image: string, list: string[]) => registryAllowed(parseImageReference(image)!, list);
  it('matches hosts, suffixes and path prefixes at component boundaries', () => {
    assert.equal(allowed('nginx', ['docker.io']), true);
    assert.equal(allowed('nginx', ['index.docker.io']), true);
    assert.equal(allowed('nginx', ['docker.io/library']), true);
    assert.equal(allowed('bitnami/redis', ['docker.io/library']), false);
    assert.equal(allowed('registry.example.com/team/app', ['registry.example.com/team']), true);
    assert.equal(allowed('registry.example.com/team2/app', ['registry.example.com/team']), false);
    assert.equal(allowed('registry.example.com/team/app', ['https://registry.example.com/']), true);
    assert.equal(allowed('1.dkr.ecr.eu-west-1.amazonaws.com/app', ['*.amazonaws.com']), true);
    assert.equal(allowed('evilamazonaws.com/app', ['*.amazonaws.com']), false);
    assert.equal(allowed('gcr.io/x/app', ['k8s.gcr.io']), false);
    assert.equal(allowed('registry.example.com:5000/app', ['registry.example.com']), false);
  });
});
