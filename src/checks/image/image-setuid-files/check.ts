import type { ObjectCheck, Violation } from '../../../core/model/check.js';
import { CONTAINER_IMAGE_KIND, inLayer, numberAt, stringAt, statusList } from '../container-image.js';

/** Regular files with the setuid or setgid bit in the final filesystem (`status.setuidFiles`): one finding each. */
export const check: ObjectCheck = {
  id: 'image-setuid-files',
  title: 'Image contains setuid or setgid files',
  severity: 'medium',
  category: 'image',
  target: { kinds: [CONTAINER_IMAGE_KIND] },
  rationale:
    'A setuid (setgid) executable runs with its owner\'s (group\'s) privileges whoever starts it: for a non-root ' +
    'container user, each one owned by root is a path back to root, and a bug in any of them (su, passwd, mount…) ' +
    'is a privilege escalation. Containers rarely need them.',
  remediation:
    'Remove the bits in the last build step (`RUN find / -xdev -perm /6000 -type f -exec chmod a-s {} +`) or ' +
    'remove the programs; at run time set `allowPrivilegeEscalation: false`, which sets no_new_privs so the bits ' +
    'have no effect.',
  references: [
    'https://www.cisecurity.org/benchmark/docker',
    'https://man7.org/linux/man-pages/man2/execve.2.html',
    'https://kubernetes.io/docs/tasks/configure-pod-container/security-context/',
  ],
  evaluate(object) {
    const violations: Violation[] = [];
    for (const { index, entry } of statusList(object, 'setuidFiles')) {
      const bits = [entry['setuid'] === true ? 'setuid' : '', entry['setgid'] === true ? 'setgid' : ''].filter(Boolean);
      if (bits.length === 0) continue;
      const mode = stringAt(entry, 'mode');
      const uid = numberAt(entry, 'uid');
      const gid = numberAt(entry, 'gid');
      violations.push({
        path: ['status', 'setuidFiles', index],
        message: `${inLayer(entry)} is ${bits.join(' and ')}${mode ? ` (mode ${mode}, uid ${uid ?? '?'}, gid ${gid ?? '?'})` : ''}`,
        evidence: { path: stringAt(entry, 'path'), layerDigest: stringAt(entry, 'layerDigest'), mode, uid, gid },
      });
    }
    return violations;
  },
};
