import type { Violation, WorkloadCheck } from '../../../core/model/check.js';
import { isPinningDigest, parseImageReference } from '../image-reference.js';

export const check: WorkloadCheck = {
  id: 'image-digest-pinning',
  title: 'Images not pinned by digest',
  severity: 'low',
  category: 'workload',
  target: { workloads: true },
  rationale:
    'A tag is a mutable pointer: whoever can push to the repository (or compromise the registry) decides what a ' +
    'version tag runs. Only a digest names the exact content that was scanned and approved. A digest must follow the ' +
    'OCI grammar, and for the registered algorithms (sha256, sha512, blake3) have the exact lower-case hex length; a ' +
    'malformed digest pins nothing.',
  remediation:
    'Reference images by digest (`registry/app:1.4.2@sha256:…` keeps the tag readable), and let a bot such as ' +
    'Renovate update digests.',
  references: [
    'https://media.defense.gov/2022/Aug/29/2003066362/-1/-1/0/CTR_KUBERNETES_HARDENING_GUIDANCE_1.2_20220829.PDF',
    'https://kubernetes.io/docs/concepts/containers/images/#image-names',
    'https://github.com/opencontainers/image-spec/blob/main/descriptor.md#digests',
  ],
  evaluate(workload) {
    const violations: Violation[] = [];
    for (const c of workload.containers) {
      const image = c.container['image'];
      if (typeof image !== 'string') continue;
      // A digest follows '@': without one the image is not pinned, whatever the rest (no need to parse it).
      const at = image.indexOf('@');
      if (at >= 0) {
        const ref = parseImageReference(image);
        if (ref && isPinningDigest(ref.digest)) continue;
      }
      violations.push({
        path: [...c.path, 'image'],
        message:
          at >= 0
            ? `container "${c.name}" uses image "${image}" whose digest is malformed, so it is not pinned`
            : `container "${c.name}" uses image "${image}", which is not pinned by digest`,
        evidence: image,
      });
    }
    return violations;
  },
};
