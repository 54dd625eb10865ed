import type { Violation, WorkloadCheck } from '../../../core/model/check.js';
import { parseImageReference, writtenTag } from '../image-reference.js';

export const check: WorkloadCheck = {
  id: 'image-tag-latest',
  title: 'Images tagged latest or not tagged',
  severity: 'medium',
  category: 'workload',
  target: { workloads: true },
  rationale:
    'An image without a tag means `:latest`, and `latest` moves: two nodes can run different code for the same pod ' +
    'spec, a rollback does not roll back, and whoever can push to the repository changes what runs at the next pull. ' +
    'A reference with a digest is pinned whatever its tag. References that do not parse are left to ' +
    'image-digest-pinning and untrusted-registry.',
  remediation: 'Reference an immutable version tag, or better a digest (`image@sha256:…`), and update it deliberately.',
  references: [
    'https://media.defense.gov/2022/Aug/29/2003066362/-1/-1/0/CTR_KUBERNETES_HARDENING_GUIDANCE_1.2_20220829.PDF',
    'https://kubernetes.io/docs/concepts/containers/images/#image-names',
  ],
  evaluate(workload) {
    const violations: Violation[] = [];
    for (const c of workload.containers) {
      const image = c.container['image'];
      if (typeof image !== 'string') continue;
      // Most images name a version: whether they parse or not, they are not reported (no need to parse them).
      const tag = writtenTag(image);
      if (tag !== undefined && tag !== 'latest') continue;
      const ref = parseImageReference(image);
      if (!ref || ref.digest !== undefined) continue;
      if (ref.tag !== undefined && ref.tag !== 'latest') continue;
      violations.push({
        path: [...c.path, 'image'],
        message:
          ref.tag === 'latest'
            ? `container "${c.name}" uses image "${image}" with the moving tag latest`
            : `container "${c.name}" uses image "${image}" without a tag or digest, which means latest`,
        evidence: image,
      });
    }
    return violations;
  },
};
