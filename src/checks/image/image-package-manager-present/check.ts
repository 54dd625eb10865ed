import type { ObjectCheck } from '../../../core/model/check.js';
import { CONTAINER_IMAGE_KIND, stringAt, statusList } from '../container-image.js';

/** Package managers in the bin folders of the final filesystem (`status.packageManagers`): one finding listing them. */
export const check: ObjectCheck = {
  id: 'image-package-manager-present',
  title: 'Image contains a package manager',
  severity: 'low',
  category: 'image',
  target: { kinds: [CONTAINER_IMAGE_KIND] },
  rationale:
    'A package manager in a running container lets whoever gets in install tools (scanners, compilers, miners) ' +
    'from trusted-looking sources, and lets the image drift from what was scanned. Production images need the ' +
    'packages, not the tool that installs them.',
  remediation:
    'Install packages in a build stage and copy the result into a minimal final stage, or remove the package manager ' +
    'in the last layer of the build (e.g. distroless bases ship dpkg metadata without dpkg or apt).',
  references: [
    'https://docs.docker.com/build/building/multi-stage/',
    'https://github.com/GoogleContainerTools/distroless',
    'https://nvlpubs.nist.gov/nistpubs/SpecialPublications/NIST.SP.800-190.pdf',
  ],
  evaluate(object) {
    const tools = statusList(object, 'packageManagers').map(({ entry }) => stringAt(entry, 'path')).filter((p): p is string => p !== undefined);
    if (tools.length === 0) return [];
    return [{ path: ['status', 'packageManagers'], message: `the image contains ${tools.length === 1 ? 'a package manager' : `${tools.length} package managers`}: ${tools.join(', ')}`, evidence: tools }];
  },
};
