import type { ObjectCheck } from '../../../core/model/check.js';
import { CONTAINER_IMAGE_KIND, fieldsAt, stringAt } from '../container-image.js';

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * The image's OS release is past its end of security support on the day of the scan (`status.os.endOfLife` before
 * `status.scannedOn`; the scan fills both, from a dated table, so the check never reads the clock). Releases the
 * table does not know have no `endOfLife` and are not reported.
 */
export const check: ObjectCheck = {
  id: 'image-os-end-of-life',
  title: 'Image OS release is past end of life',
  severity: 'high',
  category: 'image',
  target: { kinds: [CONTAINER_IMAGE_KIND] },
  rationale:
    'After its end of life a distribution release gets no security fixes: new vulnerabilities in its packages stay ' +
    'open forever, and vulnerability databases may stop tracking the release, so scans report fewer problems while ' +
    'there are more.',
  remediation:
    'Rebuild the image on a supported release of its distribution (or a minimal base that is maintained) and ' +
    'rebuild regularly; plan upgrades before the dates published on the distribution\'s release page.',
  references: [
    'https://endoflife.date/',
    'https://wiki.debian.org/LTS',
    'https://ubuntu.com/about/release-cycle',
    'https://alpinelinux.org/releases/',
  ],
  evaluate(object) {
    const status = fieldsAt(object, 'status');
    const os = fieldsAt(status, 'os');
    const eol = stringAt(os, 'endOfLife');
    const today = stringAt(status, 'scannedOn');
    if (!eol || !today || !DATE.test(eol) || !DATE.test(today) || today <= eol) return [];
    const name = stringAt(os, 'prettyName') ?? `${stringAt(os, 'id') ?? 'the OS'} ${stringAt(os, 'versionId') ?? ''}`.trim();
    return [{
      path: ['status', 'os', 'endOfLife'],
      message: `${name} reached end of life on ${eol}: it gets no more security fixes`,
      evidence: { os: stringAt(os, 'id'), release: stringAt(os, 'versionId'), endOfLife: eol, scannedOn: today },
    }];
  },
};
