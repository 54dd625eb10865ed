import type { ImageFile } from '../catalogers/cataloger.js';
import type { HygieneFinding } from './hygiene-finding.js';

const BIN_DIRS = ['/bin/', '/sbin/', '/usr/bin/', '/usr/sbin/', '/usr/local/bin/', '/usr/local/sbin/'];

/** Interactive shells an attacker can exec into; busybox provides sh through applet links. */
export const SHELLS = new Set(['sh', 'bash', 'dash', 'ash', 'zsh', 'ksh', 'mksh', 'csh', 'tcsh', 'fish', 'busybox']);

/** Tools that install software at run time. */
export const PACKAGE_MANAGERS = new Set([
  'apt', 'apt-get', 'aptitude', 'dpkg', 'apk', 'yum', 'dnf', 'microdnf', 'tdnf', 'rpm', 'zypper', 'pacman',
  'pip', 'pip3', 'npm', 'yarn', 'pnpm', 'gem', 'composer',
]);

/** An executable of interest in the final filesystem: where it is and which layer put it there. */
export interface ExecutableFact {
  readonly path: string;
  readonly layerDigest: string;
}

function executableName(file: ImageFile): string | undefined {
  const dir = BIN_DIRS.find((d) => file.path.startsWith(d) && file.path.indexOf('/', d.length) < 0);
  if (!dir) return undefined;
  const isLink = (file.mode & 0o170000) === 0o120000;
  const isExecutable = (file.mode & 0o170000) === 0o100000 && (file.mode & 0o111) !== 0;
  return isLink || isExecutable ? file.path.slice(dir.length) : undefined;
}

/** Shells and package managers in the bin folders of the image's final filesystem, each list in path order. */
export function shellAndPackageManagerFacts(files: Iterable<ImageFile>): { shells: ExecutableFact[]; packageManagers: ExecutableFact[] } {
  const shells: ExecutableFact[] = [];
  const packageManagers: ExecutableFact[] = [];
  for (const file of files) {
    const name = executableName(file);
    if (!name) continue;
    const fact = { path: file.path, layerDigest: file.layerDigest };
    if (SHELLS.has(name)) shells.push(fact);
    else if (PACKAGE_MANAGERS.has(name) || /^pip3\.\d+$/.test(name)) packageManagers.push(fact);
  }
  const byPath = (a: ExecutableFact, b: ExecutableFact): number => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
  return { shells: shells.sort(byPath), packageManagers: packageManagers.sort(byPath) };
}

/**
 * Shells and package managers in the image's final filesystem, one finding per kind listing every path
 * (the first path's layer is reported; each path keeps its own layer in evidence).
 */
export function shellsAndPackageManagers(files: Iterable<ImageFile>): HygieneFinding[] {
  const { shells, packageManagers } = shellAndPackageManagerFacts(files);
  const finding = (kind: 'shell-present' | 'package-manager-present', found: ExecutableFact[], what: string): HygieneFinding[] => {
    if (found.length === 0) return [];
    return [{
      kind,
      message: `${what} present: ${found.map((f) => f.path).join(', ')}`,
      layerDigest: found[0]!.layerDigest,
      path: found[0]!.path,
      evidence: Object.fromEntries(found.map((f) => [f.path, f.layerDigest])),
    }];
  };
  return [...finding('shell-present', shells, 'Shell'), ...finding('package-manager-present', packageManagers, 'Package manager')];
}
