import type { ImageFile } from '../catalogers/cataloger.js';
import type { HygieneFinding } from './hygiene-finding.js';

const S_ISUID = 0o4000;
const S_ISGID = 0o2000;

/** A regular file with the setuid or setgid bit (or both), as its tar header says. */
export interface SetuidFileFact {
  readonly path: string;
  readonly layerDigest: string;
  /** Permission bits in octal, four digits ("4755"). */
  readonly mode: string;
  readonly uid: number;
  readonly gid: number;
  readonly setuid: boolean;
  readonly setgid: boolean;
}

/**
 * Regular files with the setuid or setgid bit, in path order: privilege escalation paths unless the workload drops
 * privileges (no_new_privs, allowPrivilegeEscalation: false). Directories with setgid are ordinary and skipped.
 */
export function setuidFileFacts(files: Iterable<ImageFile>): SetuidFileFact[] {
  const facts: SetuidFileFact[] = [];
  for (const file of files) {
    if ((file.mode & 0o170000) !== 0o100000 || (file.mode & (S_ISUID | S_ISGID)) === 0) continue;
    facts.push({
      path: file.path,
      layerDigest: file.layerDigest,
      mode: (file.mode & 0o7777).toString(8).padStart(4, '0'),
      uid: file.uid,
      gid: file.gid,
      setuid: (file.mode & S_ISUID) !== 0,
      setgid: (file.mode & S_ISGID) !== 0,
    });
  }
  return facts.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** The same files as findings, one per bit (setuid-file, setgid-file). */
export function setuidFiles(files: Iterable<ImageFile>): HygieneFinding[] {
  const findings: HygieneFinding[] = [];
  for (const fact of setuidFileFacts(files)) {
    const evidence = { mode: fact.mode, uid: fact.uid, gid: fact.gid };
    if (fact.setuid) {
      findings.push({ kind: 'setuid-file', message: `${fact.path} is setuid (mode ${fact.mode}, owner uid ${fact.uid})`, layerDigest: fact.layerDigest, path: fact.path, evidence });
    }
    if (fact.setgid) {
      findings.push({ kind: 'setgid-file', message: `${fact.path} is setgid (mode ${fact.mode}, group gid ${fact.gid})`, layerDigest: fact.layerDigest, path: fact.path, evidence });
    }
  }
  return findings;
}
