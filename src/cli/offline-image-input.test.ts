import { after, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { imageInputUsesRegistry } from './offline-image-input.js';

const dir = mkdtempSync(join(tmpdir(), 'aspis-image-input-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const archive = join(dir, 'app.tar');
writeFileSync(archive, '');
const layout = join(dir, 'layout');
mkdirSync(layout);

it('local transports and existing paths (with or without :NAME) are local, as openImage reads them', () => {
  for (const input of [`oci:${layout}:1`, `oci:${join(dir, 'missing')}`, `oci-archive:${archive}`, `docker-archive:${archive}:app:1`, archive, layout, `${layout}:1`, `${archive}:repo:tag`]) {
    assert.equal(imageInputUsesRegistry(input), false, input);
  }
});

it('registry transports and anything that is not an existing path go to a registry', () => {
  for (const input of ['alpine', 'alpine:3.19', 'docker.io/library/alpine@sha256:' + '0'.repeat(64), 'localhost:5000/app:1', `registry:${layout}`, 'docker://alpine', join(dir, 'missing.tar')]) {
    assert.equal(imageInputUsesRegistry(input), true, input);
  }
});
