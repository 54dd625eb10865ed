import type { ObjectCheck } from '../../../core/model/check.js';
import { CONTAINER_IMAGE_KIND, fieldsAt, stringAt } from '../container-image.js';

/**
 * The image declares its base (OCI annotation `org.opencontainers.image.base.name`, in the manifest or the config
 * labels: `status.baseImage`) without a digest (`org.opencontainers.image.base.digest`, or `@sha256:…` in the name).
 * An image that declares no base cannot be judged and is not reported.
 */
export const check: ObjectCheck = {
  id: 'image-base-unpinned',
  title: 'Base image not pinned by digest',
  severity: 'medium',
  category: 'image',
  target: { kinds: [CONTAINER_IMAGE_KIND] },
  rationale:
    'A base named by tag (`FROM debian:12`) is whatever the tag points to at build time: two builds of the same ' +
    'commit can ship different bases, a compromised or mistaken push to the base repository flows silently into ' +
    'every rebuild, and nobody can tell afterwards which base an image was built on.',
  remediation:
    'Pin the base by digest (`FROM debian:12@sha256:…`) and update it deliberately (Renovate or Dependabot can ' +
    'raise the updates); build with a builder that records `org.opencontainers.image.base.digest` (BuildKit does).',
  references: [
    'https://github.com/opencontainers/image-spec/blob/main/annotations.md#pre-defined-annotation-keys',
    'https://docs.docker.com/build/building/best-practices/#pin-base-image-versions',
  ],
  evaluate(object) {
    const base = fieldsAt(fieldsAt(object, 'status'), 'baseImage');
    const name = stringAt(base, 'name');
    if (!base || name === undefined || stringAt(base, 'digest') || /@[a-z0-9]+:[0-9a-fA-F]{32,}$/.test(name)) return [];
    return [{
      path: ['status', 'baseImage'],
      message: `the base image "${name}" (from the ${stringAt(base, 'declaredIn') ?? 'image'}) is not pinned by digest`,
      evidence: { name },
    }];
  },
};
