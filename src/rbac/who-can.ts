/**
 * Who may make a request: every subject the input knows of (each binding subject, each ServiceAccount object, and the
 * privileged group system:masters), asked with can-i under the identity it stands for:
 *
 * - a User: that user name and no group, so a user is listed when a binding grants it by name (what every user gets
 *   through a group, system:authenticated included, is listed as that group);
 * - a Group: a member with no other group;
 * - a ServiceAccount: its full identity (`system:serviceaccount:<ns>:<name>` with `system:serviceaccounts`,
 *   `system:serviceaccounts:<ns>` and `system:authenticated`), since those groups are fixed, so an account allowed
 *   only through a group binding is listed too. A User subject named `system:serviceaccount:<ns>:<name>` is that
 *   service account (the authorizer matches ServiceAccount subjects by that user name), listed once, as the account.
 */
import type { AuthorizationRequest, UserInfo } from './authorization-request.js';
import type { CanIOptions, Decision } from './can-i.js';
import { canI } from './can-i.js';
import { PRIVILEGED_GROUP, parseServiceAccountUser, serviceAccountIdentity } from './identity.js';
import type { RbacGraph } from './rbac-graph.js';

export type SubjectRef =
  | { kind: 'User'; name: string }
  | { kind: 'Group'; name: string }
  | { kind: 'ServiceAccount'; namespace: string; name: string };

export interface WhoCanEntry {
  subject: SubjectRef;
  decision: Decision;
}

export function formatSubjectRef(subject: SubjectRef): string {
  return subject.kind === 'ServiceAccount' ? `ServiceAccount/${subject.namespace}/${subject.name}` : `${subject.kind}/${subject.name}`;
}

export function identityOf(subject: SubjectRef): UserInfo {
  switch (subject.kind) {
    case 'User':
      return { user: subject.name, groups: [] };
    case 'Group':
      return { user: '', groups: [subject.name] };
    case 'ServiceAccount':
      return serviceAccountIdentity(subject.namespace, subject.name);
  }
}

/** The principal a subject stands for: a User with a service account's user name is that ServiceAccount. */
export function canonicalSubject(subject: SubjectRef): SubjectRef {
  if (subject.kind !== 'User') return subject;
  const account = parseServiceAccountUser(subject.name);
  return account ? { kind: 'ServiceAccount', ...account } : subject;
}

/** Every subject the graph knows, once each, sorted by kind then name. */
export function knownSubjects(graph: RbacGraph, options: CanIOptions = {}): SubjectRef[] {
  const subjects = new Map<string, SubjectRef>();
  const add = (subject: SubjectRef) => {
    const canonical = canonicalSubject(subject);
    subjects.set(formatSubjectRef(canonical), canonical);
  };
  for (const group of options.privilegedGroups ?? [PRIVILEGED_GROUP]) add({ kind: 'Group', name: group });
  const bindings = [...graph.clusterRoleBindings, ...[...graph.roleBindings.values()].flat()];
  for (const binding of bindings) {
    for (const subject of binding.subjects) {
      if (subject.kind === 'User' || subject.kind === 'Group') add({ kind: subject.kind, name: subject.name });
      else if (subject.kind === 'ServiceAccount') {
        const namespace = subject.namespace || binding.namespace;
        if (namespace) add({ kind: 'ServiceAccount', namespace, name: subject.name });
      }
    }
  }
  for (const account of graph.serviceAccounts) add({ kind: 'ServiceAccount', namespace: account.namespace, name: account.name });
  const order = { Group: 0, User: 1, ServiceAccount: 2 };
  return [...subjects.values()].sort((a, b) => {
    if (a.kind !== b.kind) return order[a.kind] - order[b.kind];
    const ka = formatSubjectRef(a);
    const kb = formatSubjectRef(b);
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  });
}

export function whoCan(graph: RbacGraph, request: AuthorizationRequest, options: CanIOptions = {}): WhoCanEntry[] {
  const entries: WhoCanEntry[] = [];
  for (const subject of knownSubjects(graph, options)) {
    const decision = canI(graph, identityOf(subject), request, options);
    if (decision.allowed) entries.push({ subject, decision });
  }
  return entries;
}
