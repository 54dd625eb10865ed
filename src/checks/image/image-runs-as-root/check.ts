import type { ObjectCheck } from '../../../core/model/check.js';
import { CONTAINER_IMAGE_KIND, fieldsAt, numberAt, stringAt } from '../container-image.js';

/**
 * The image's default user is root: config `User` empty (the runtime default), "root", uid 0 with or without a group
 * ("0", "0:0", "root:app"), or a name the image's /etc/passwd maps to uid 0 (`status.config.userUid`).
 */
export const check: ObjectCheck = {
  id: 'image-runs-as-root',
  title: 'Image runs as root by default',
  severity: 'medium',
  category: 'image',
  target: { kinds: [CONTAINER_IMAGE_KIND] },
  rationale:
    'A container starts as the image config\'s `User` unless the pod overrides it; empty means root. Root in a ' +
    'container owns every file of the image, can use setuid binaries and raw sockets, and is one kernel or runtime ' +
    'bug away from root on the node. Images built to run as a non-root user make runAsNonRoot enforceable.',
  remediation:
    'Create an unprivileged user in the image and end the Dockerfile with `USER 10001` (a numeric uid, so that ' +
    'Kubernetes can verify runAsNonRoot); give it only the files it must write.',
  references: [
    'https://docs.docker.com/build/building/best-practices/#user',
    'https://github.com/opencontainers/image-spec/blob/main/config.md#properties',
    'https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted',
  ],
  evaluate(object) {
    const config = fieldsAt(fieldsAt(object, 'status'), 'config');
    const user = (stringAt(config, 'user') ?? '').trim();
    const name = user.split(':')[0]!;
    const uid = numberAt(config, 'userUid');
    if (name === '') {
      return [{ path: ['status', 'config'], message: 'the image config sets no User: containers run as root unless the pod sets runAsUser', evidence: { user: '' } }];
    }
    if (name === 'root' || /^0+$/.test(name)) {
      return [{ path: ['status', 'config', 'user'], message: `the image config sets User "${user}": containers run as root`, evidence: { user } }];
    }
    if (uid === 0) {
      return [{ path: ['status', 'config', 'user'], message: `the image config sets User "${user}", which the image's /etc/passwd maps to uid 0`, evidence: { user, uid } }];
    }
    return [];
  },
};
