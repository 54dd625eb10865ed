import type { ImageFile } from '../catalogers/cataloger.js';
import type { HygieneFinding } from './hygiene-finding.js';

const S_ISUID = 0o4000;
const S_ISGID = 0o2000;

/**
 * Regular files with the setuid or setgid bit: privilege escalation paths unless the workload drops
 * privileges (no_new_privs, allowPrivilegeEscalation: false). Directories with setgid are ordinary and skipped.
 */
export function setuidFiles(files: Iterable<ImageFile>): HygieneFinding[] {
  const findings: HygieneFinding[] = [];
  for (const file of files) {
    if ((file.mode & 0o170000) !== 0o100000) continue;
    const octal = (file.mode & 0o7777).toString(8).padStart(4, '0');
    const evidence = { mode: octal, uid: file.uid, gid: file.gid };
    if (file.mode & S_ISUID) {
      findings.push({ kind: 'setuid-file', message: `${file.path} is setuid (mode ${octal}, owner uid ${file.uid})`, layerDigest: file.layerDigest, path: file.path, evidence });
    }
    if (file.mode & S_ISGID) {
      findings.push({ kind: 'setgid-file', message: `${file.path} is setgid (mode ${octal}, group gid ${file.gid})`, layerDigest: file.layerDigest, path: file.path, evidence });
    }
  }
  return findings.sort((a, b) => a.path!.localeCompare(b.path!) || a.kind.localeCompare(b.kind));
}
