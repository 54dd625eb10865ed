import type { HygieneFinding } from './hygiene-finding.js';

/** uid of a user name in /etc/passwd text, when listed. */
export function uidInPasswd(passwd: string | undefined, name: string): number | undefined {
  for (const line of (passwd ?? '').split('\n')) {
    const fields = line.split(':');
    if (fields[0] === name && fields.length >= 3 && /^\d+$/.test(fields[2]!)) return Number(fields[2]);
  }
  return undefined;
}

/**
 * The uid the image config's `User` ("name", "uid", "name:group", "uid:gid") runs as: the number when numeric, the
 * /etc/passwd entry when a name, 0 when empty (the runtime default); undefined when a name /etc/passwd does not list.
 */
export function configUserUid(configUser: string | undefined, passwd?: string): number | undefined {
  const name = (configUser ?? '').trim().split(':')[0]!;
  if (name === '') return 0;
  if (/^\d+$/.test(name)) return Number(name);
  return name === 'root' ? 0 : uidInPasswd(passwd, name);
}

/**
 * The image runs as root when its config's `User` is empty (the runtime default is root), "root", uid 0, or a
 * name that /etc/passwd maps to uid 0. The group part ("user:group") does not change the user.
 * A name absent from /etc/passwd is not root (the runtime refuses to start it).
 */
export function runsAsRoot(configUser: string | undefined, passwd?: string): HygieneFinding | undefined {
  const user = (configUser ?? '').trim();
  const name = user.split(':')[0]!;
  let reason: string | undefined;
  if (name === '') reason = 'the image config sets no User, so containers run as root unless the workload overrides it';
  else if (name === 'root' || /^0+$/.test(name)) reason = `the image config sets User "${user}"`;
  else if (!/^\d+$/.test(name) && uidInPasswd(passwd, name) === 0) reason = `the image config sets User "${user}", which /etc/passwd maps to uid 0`;
  if (!reason) return undefined;
  return { kind: 'runs-as-root', message: `Image runs as root: ${reason}`, evidence: { user } };
}
