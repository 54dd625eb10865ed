import type { ObjectCheck, Violation } from '../../../core/model/check.js';
import { CONTAINER_IMAGE_KIND, fieldsAt, stringAt } from '../container-image.js';

/**
 * The image is named by the moving tag `latest`: a registry reference (`spec.reference`) with tag latest or with
 * neither tag nor digest, or a source tag (`spec.tags`: OCI ref.name, docker RepoTags) equal to latest. A reference
 * with a digest is pinned whatever its tag. (The workload check image-tag-latest judges pod specs; this one images.)
 */
export const check: ObjectCheck = {
  id: 'image-reference-latest',
  title: 'Image tagged latest or not tagged',
  severity: 'medium',
  category: 'image',
  target: { kinds: [CONTAINER_IMAGE_KIND] },
  rationale:
    '`latest` (also what a reference without a tag means) moves with every push: what was scanned is not ' +
    'necessarily what runs, two nodes can pull different images for the same pod, and a rollback does not roll back.',
  remediation: 'Tag releases with immutable version tags and deploy by digest (`image@sha256:…`).',
  references: [
    'https://kubernetes.io/docs/concepts/containers/images/#image-names',
    'https://docs.docker.com/reference/cli/docker/image/tag/',
  ],
  evaluate(object) {
    const spec = fieldsAt(object, 'spec');
    const reference = fieldsAt(spec, 'reference');
    const violations: Violation[] = [];
    if (reference && !stringAt(reference, 'digest')) {
      const tag = stringAt(reference, 'tag');
      const name = `${stringAt(reference, 'registry') ?? ''}/${stringAt(reference, 'repository') ?? ''}`;
      if (tag === undefined) violations.push({ path: ['spec', 'reference'], message: `the image is named without a tag or digest (${name}), which means latest`, evidence: name });
      else if (tag === 'latest') violations.push({ path: ['spec', 'reference', 'tag'], message: `the image is named by the moving tag latest (${name}:latest)`, evidence: tag });
    }
    const tags = spec?.['tags'];
    if (!reference && Array.isArray(tags)) {
      tags.forEach((tag, i) => {
        if (tag === 'latest') violations.push({ path: ['spec', 'tags', i], message: 'the image source tags it latest', evidence: tag });
      });
    }
    return violations;
  },
};
