import type { ObjectCheck, Violation } from '../../../core/model/check.js';
import { CONTAINER_IMAGE_KIND, fieldsAt, inLayer, numberAt, stringAt, statusList } from '../container-image.js';

/**
 * Secrets found in any layer (`status.secrets`): private keys, cloud keys and tokens in known formats, and
 * high-entropy values assigned to password/secret/token keys. One finding per detection, naming layer, path, line
 * and the kind of secret — the scan never keeps the value.
 */
export const check: ObjectCheck = {
  id: 'image-secrets-in-layers',
  title: 'Secrets in image layers',
  severity: 'high',
  category: 'image',
  target: { kinds: [CONTAINER_IMAGE_KIND] },
  rationale:
    'Every layer of an image is kept and shipped: a key copied in one build step and deleted in a later one is still ' +
    'in the image, readable by anyone who can pull it (`docker save`, `skopeo copy`), in every registry and cache ' +
    'it was pushed to. Anyone with pull access holds the credential.',
  remediation:
    'Revoke and rotate the credential first: it has been published with the image. Then pass build secrets with ' +
    'BuildKit secret mounts (`RUN --mount=type=secret`), keep runtime secrets in Kubernetes Secrets or a secret ' +
    'store, add key files to .dockerignore, and rebuild without the secret in any layer.',
  references: [
    'https://docs.docker.com/build/building/secrets/',
    'https://kubernetes.io/docs/concepts/configuration/secret/',
    'https://attack.mitre.org/techniques/T1552/001/',
  ],
  evaluate(object) {
    const violations: Violation[] = [];
    for (const { index, entry } of statusList(object, 'secrets')) {
      const rule = stringAt(entry, 'rule') ?? 'secret';
      const line = numberAt(entry, 'line');
      const deleted = entry['inFinalFilesystem'] === false;
      violations.push({
        path: ['status', 'secrets', index],
        message:
          `${stringAt(entry, 'description') ?? rule} in ${inLayer(entry)}${line !== undefined ? ` line ${line}` : ''}` +
          (deleted ? ': deleted or replaced by a later layer, still in the image' : ''),
        evidence: { rule, layerDigest: stringAt(entry, 'layerDigest'), path: stringAt(entry, 'path'), line, inFinalFilesystem: !deleted },
      });
    }
    const notListed = numberAt(fieldsAt(fieldsAt(object, 'status'), 'secretScan'), 'notListed');
    if (notListed !== undefined && notListed > 0) {
      violations.push({ path: ['status', 'secretScan', 'notListed'], message: `${notListed} more secrets were found and not listed`, evidence: notListed });
    }
    return violations;
  },
};
