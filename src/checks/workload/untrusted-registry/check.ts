import type { Violation, WorkloadCheck } from '../../../core/model/check.js';
import { parseImageReference, registryAllowed } from '../image-reference.js';

export const check: WorkloadCheck = {
  id: 'untrusted-registry',
  title: 'Images from registries outside the allowlist',
  severity: 'high',
  category: 'workload',
  target: { workloads: true },
  optIn: true,
  rationale:
    'Images from registries the organisation does not control or vet can be replaced, typo-squatted or carry ' +
    'malware. Restricting images to an allowlist (settings.allowedRegistries) keeps what runs in the cluster to ' +
    'sources that are scanned and signed. References are normalised as the runtime does: `nginx` is ' +
    '`docker.io/library/nginx`, `index.docker.io` is `docker.io`. Entries are a host, a `*.` host suffix or a ' +
    'host/path prefix (matched at a path-component boundary). An image that is not a valid reference is reported, ' +
    'since its registry cannot be verified. With an empty allowlist the check has nothing to enforce.',
  remediation:
    'Pull the image into (or mirror it through) an allowed registry and reference it there, or add its registry to ' +
    'allowedRegistries in .aspis.yaml after review.',
  references: [
    'https://media.defense.gov/2022/Aug/29/2003066362/-1/-1/0/CTR_KUBERNETES_HARDENING_GUIDANCE_1.2_20220829.PDF',
    'https://kubernetes.io/docs/concepts/containers/images/',
  ],
  evaluate(workload, ctx) {
    const allowed = ctx.settings.allowedRegistries;
    if (allowed.length === 0) return [];
    const violations: Violation[] = [];
    for (const c of workload.containers) {
      const image = c.container['image'];
      if (typeof image !== 'string') continue;
      const ref = parseImageReference(image);
      if (ref && registryAllowed(ref, allowed)) continue;
      violations.push({
        path: [...c.path, 'image'],
        message: ref
          ? `container "${c.name}" uses image ${ref.repository} from registry ${ref.domain}, which is not in allowedRegistries`
          : `container "${c.name}" uses "${image}", which is not a valid image reference, so its registry cannot be verified`,
        evidence: image,
      });
    }
    return violations;
  },
};
