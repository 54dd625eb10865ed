import type { ObjectCheck } from '../../../core/model/check.js';
import { CONTAINER_IMAGE_KIND, stringAt, statusList } from '../container-image.js';

/** Shells in the bin folders of the image's final filesystem (`status.shells`): one finding listing them all. */
export const check: ObjectCheck = {
  id: 'image-shell-present',
  title: 'Image contains a shell',
  severity: 'low',
  category: 'image',
  target: { kinds: [CONTAINER_IMAGE_KIND] },
  rationale:
    'A production container rarely needs a shell, but an attacker who gets code execution does: `sh -c` turns a ' +
    'command injection into arbitrary commands, and `kubectl exec` into an interactive session. Images without a ' +
    'shell (distroless, scratch) remove that step and most living-off-the-land tooling with it.',
  remediation:
    'Build the production image from a minimal base (distroless, scratch, or a multi-stage build that copies only the ' +
    'application and its libraries); debug with ephemeral containers (`kubectl debug`) instead of a shell in the image. ' +
    'Waive the check for images that genuinely need a shell (e.g. CI runners).',
  references: [
    'https://github.com/GoogleContainerTools/distroless#why-should-i-use-distroless-images',
    'https://kubernetes.io/docs/tasks/debug/debug-application/debug-running-pod/#ephemeral-container',
    'https://nvlpubs.nist.gov/nistpubs/SpecialPublications/NIST.SP.800-190.pdf',
  ],
  evaluate(object) {
    const shells = statusList(object, 'shells').map(({ entry }) => stringAt(entry, 'path')).filter((p): p is string => p !== undefined);
    if (shells.length === 0) return [];
    return [{ path: ['status', 'shells'], message: `the image contains ${shells.length === 1 ? 'a shell' : `${shells.length} shells`}: ${shells.join(', ')}`, evidence: shells }];
  },
};
